import { generateKeyPairSync } from 'node:crypto';
import {
  checkpointProblem,
  createPostgresEventStore,
  type PostgresEventStore,
} from '@okr-ledger/event-store';
import { cycleStream, type Viewer } from '@okr-ledger/okr';
import {
  auditSignalsProjection,
  auditTrailProjection,
  READ_MODEL_ENTITIES,
  READ_MODEL_MIGRATIONS,
  ReadModels,
  rebuildProjections,
  TimeTravel,
} from '@okr-ledger/read-models';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { DEMO_TENANT } from './demo-quarter.data';
import { demoId, lastFullQuarter, loadDemoQuarter, type DemoSummary } from './demo-quarter.loader';

const now = new Date('2026-05-15T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;

describe('loadDemoQuarter', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let first: DemoSummary;
  const signing = generateKeyPairSync('ed25519');

  beforeAll(async () => {
    database = await createTestDatabase('demo');
    first = await loadDemoQuarter(database.url, { now, signingKey: signing.privateKey });
    store = await createPostgresEventStore(database.url);
  }, 120_000);
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const weekOf = (week: number): Date =>
    new Date(first.quarter.startsAt.getTime() + 7 * week * DAY_MS - 1000);
  const keyResultId = (key: string) => demoId(`${first.quarter.name}:key-result:${key}`);

  describe('when loaded into an empty database', () => {
    it('loads the last full quarter before now, scheduled, started and closed', async () => {
      expect(first.alreadyLoaded).toBe(false);
      expect(first.quarter).toEqual(lastFullQuarter(now));
      expect(first.quarter.name).toBe('Q1 2026');
      const [cycle] = await new TimeTravel(store)
        .queriesAsOf(DEMO_TENANT, new Date())
        .cycles.byIds(DEMO_TENANT, [first.cycleId]);
      expect(cycle).toMatchObject({ name: 'Q1 2026', status: 'CLOSED' });
      expect(first.counts).toMatchObject({
        teams: 4,
        teamMembers: 5,
        objectives: 7,
        redefinitions: 2,
      });
      expect(first.counts.checkIns).toBeGreaterThan(150);
    });

    it('has the company, sales and personal objectives', async () => {
      const frames = await new TimeTravel(store).cycleReplay(DEMO_TENANT, first.cycleId, {
        every: 'WEEK',
      });
      expect(frames.at(-1)?.objectives.map((o) => o.title)).toEqual([
        'Eliminate geographic sales territories for new business',
        'Fully adopt an inside sales model',
        'Put customers first',
        'Adopt a revenue systems mindset',
        'Get the sales teams to adopt machine-recommended opportunities',
        'Increase sales to Fortune 500 companies',
        'Get in better shape',
      ]);
    });

    it('replays the quarter week by week with progress growing', async () => {
      const frames = await new TimeTravel(store).cycleReplay(DEMO_TENANT, first.cycleId, {
        every: 'WEEK',
      });
      expect(frames.length).toBeGreaterThanOrEqual(14);
      expect(frames[0]?.progress).toBeLessThan(0.05);
      const last = frames.at(-1)?.progress ?? 0;
      expect(last).toBeGreaterThan(0.5);
      expect(last).toBeLessThan(0.9);
    });

    it('shows the machine-recommendation key result redefined between week 3 and week 10', async () => {
      const travel = new TimeTravel(store);
      const asOf = async (date: Date) =>
        (
          await travel
            .queriesAsOf(DEMO_TENANT, date)
            .keyResults.byIds(DEMO_TENANT, [keyResultId('recommendation-rate')])
        )[0];
      expect(await asOf(weekOf(3))).toMatchObject({
        title: 'Review rate of machine-recommended opportunities',
        startValue: 20,
        targetValue: 60,
        currentValue: 33,
      });
      expect(await asOf(weekOf(10))).toMatchObject({
        title: 'Implemented rate of machine-recommended opportunities',
        startValue: 3,
        targetValue: 25,
        currentValue: 8,
      });
    });

    it('feeds the upsell key result from integration and manual check-ins, and graduates retention', async () => {
      const queries = new TimeTravel(store).queriesAsOf(DEMO_TENANT, weekOf(13));
      const [upsell, retention] = await queries.keyResults.byIds(DEMO_TENANT, [
        keyResultId('upsell'),
        keyResultId('retention'),
      ]);
      // 13 weeks × 2 pushes + 7 manual check-ins + a person's override.
      expect(upsell).toMatchObject({ checkInCount: 34, currentValue: 450 });
      expect(retention).toMatchObject({ healthMetric: true });
      const pace = (await queries.keyResults.byIds(DEMO_TENANT, [keyResultId('mile-pace')]))[0];
      expect(pace).toMatchObject({ type: 'DECREASE', startValue: 600, targetValue: 570 });
      expect(pace?.progress).toBeCloseTo((600 - 578) / 30);
    });

    it('feeds the upsell key result from a CRM through ingestion, so its audit signals show', async () => {
      const readModels = new DataSource({
        type: 'postgres',
        url: database.url,
        entities: READ_MODEL_ENTITIES,
        migrations: READ_MODEL_MIGRATIONS,
        extra: { max: 2 },
      });
      await readModels.initialize();
      try {
        await readModels.runMigrations();
        // The projections' own replay of the log, as the projector's start-up rebuild runs it.
        await rebuildProjections(store.pool, store, [auditTrailProjection, auditSignalsProjection]);
        const queries = new ReadModels(readModels);
        const upsell = keyResultId('upsell');
        const signals = await queries.auditSignals.byKeyResultIds(DEMO_TENANT, [upsell]);
        expect(signals.map((s) => s.kind)).toEqual([
          'BACKDATED_VALUE',
          'BACKDATED_VALUE',
          'MANUAL_OVERRIDE',
          'BACKDATED_VALUE',
          'CORRECTED_AFTER_CLOSE',
        ]);
        const [week5, week9, override, , afterClose] = signals;
        expect(week5?.summary).toMatch(
          /^140 measured at .* was recorded 3 days later .* by data source "Salesforce CRM"$/,
        );
        expect(week9?.summary).toMatch(/^280 measured at /);
        expect(override?.summary).toBe(
          'ben checked in 390 by hand on a key result fed by data source "Salesforce CRM"; the last value it sent was 370',
        );
        expect(afterClose?.restsOn.map((e) => e.eventType)).toEqual([
          'KeyResultCheckedIn',
          'CycleClosed',
          'KeyResultCheckedIn',
        ]);
        expect(afterClose?.detectedAt.getTime()).toBeGreaterThan(first.quarter.endsAt.getTime());
        const entries = await queries.auditTrail.page(
          DEMO_TENANT,
          { aggregateId: upsell, signals: ['MANUAL_OVERRIDE'] },
          { first: 10 },
        );
        expect(entries.items.map((i) => [i.node.actorId, i.node.source])).toEqual([
          [expect.stringMatching(/^data-source:/), 'INTEGRATION'],
          ['ben', 'MANUAL'],
        ]);
        expect(first.counts).toMatchObject({ dataSources: 1, measurements: 27 });
      } finally {
        await readModels.destroy();
      }
    });

    it('aligns the machine-recommendation objective only from week 2', async () => {
      const travel = new TimeTravel(store);
      const objectiveId = demoId(`${first.quarter.name}:objective:machine-recommendations`);
      const before = await travel.alignmentTree(DEMO_TENANT, first.cycleId, weekOf(1));
      const after = await travel.alignmentTree(DEMO_TENANT, first.cycleId, weekOf(2));
      expect(before.find((n) => n.objectiveId === objectiveId)).toMatchObject({ depth: 0 });
      expect(after.find((n) => n.objectiveId === objectiveId)).toMatchObject({
        depth: 1,
        parentId: demoId(`${first.quarter.name}:objective:inside-sales`),
      });
    });

    it('measures a person’s check-ins when the story types them, not when it was loaded', async () => {
      const page = await store.readAll({
        metadata: { tenantId: DEMO_TENANT, cycleId: first.cycleId },
        eventTypes: ['KeyResultCheckedIn'],
        limit: 10_000,
      });
      const typed = page.events.filter((e) => e.data.dataSourceId === null);
      expect(typed.length).toBeGreaterThan(10);
      for (const event of typed) {
        expect(event.data.measuredAt).toBe(event.recordedAt.toISOString());
      }
    });

    it('signs a checkpoint that includes the close, as closeCycle over GraphQL does', async () => {
      const close = (await store.readStream(cycleStream(first.cycleId))).at(-1);
      expect(close?.type).toBe('CycleClosed');
      const checkpoint = first.checkpoint;
      expect(checkpoint).not.toBeNull();
      expect(checkpoint && close && checkpoint.position >= close.position).toBe(true);
      expect(checkpoint?.size).toBe(first.counts.events);
      expect(checkpoint && checkpointProblem(checkpoint, signing.publicKey)).toBeNull();
    });
  });

  describe('when anyone but its owner looks for the personal objective', () => {
    const betterShape = () => demoId(`${first.quarter.name}:objective:better-shape`);
    const finn: Viewer = { personId: 'finn', roles: ['MEMBER'] };
    const others: Viewer[] = [
      { personId: 'ana', roles: ['ADMIN'] },
      { personId: 'ben', roles: ['MEMBER'] },
      { personId: 'eva', roles: ['MEMBER'] },
      { personId: 'zoe', roles: ['MEMBER'] },
    ];
    // Planning (the objective is set the day before the start), every week, after the close.
    const instants = () => [
      new Date(first.quarter.startsAt.getTime() - 60 * 60 * 1000),
      ...Array.from({ length: 14 }, (_, week) => weekOf(week + 1)),
      new Date(first.quarter.endsAt.getTime() + DAY_MS),
    ];

    it('is absent as of every instant for everyone else, and there for finn', async () => {
      const travel = new TimeTravel(store);
      const runs = keyResultId('runs-per-week');
      for (const at of instants()) {
        for (const viewer of others) {
          const queries = travel.queriesAsOf(DEMO_TENANT, at, viewer);
          expect(await queries.objectives.byIds(DEMO_TENANT, [betterShape()])).toEqual([]);
          expect(await queries.keyResults.byIds(DEMO_TENANT, [runs])).toEqual([]);
          const tree = await travel.alignmentTree(DEMO_TENANT, first.cycleId, at, viewer);
          expect(tree.map((n) => n.objectiveId)).not.toContain(betterShape());
          expect(tree.length).toBeGreaterThan(0);
        }
        const mine = travel.queriesAsOf(DEMO_TENANT, at, finn);
        expect(await mine.objectives.byIds(DEMO_TENANT, [betterShape()])).toMatchObject([
          { title: 'Get in better shape', visibility: 'PRIVATE', ownerId: 'finn' },
        ]);
      }
    });

    it('is in no replay frame of anyone else, in every frame of finn’s', async () => {
      const travel = new TimeTravel(store);
      const titles = async (viewer: Viewer) =>
        (await travel.cycleReplay(DEMO_TENANT, first.cycleId, { every: 'WEEK', viewer })).map((f) =>
          f.objectives.map((o) => o.title),
        );
      for (const viewer of others) {
        const frames = await titles(viewer);
        expect(frames.length).toBeGreaterThanOrEqual(14);
        for (const frame of frames) {
          expect(frame).not.toContain('Get in better shape');
          expect(frame).toHaveLength(6);
        }
      }
      for (const frame of await titles(finn)) expect(frame).toContain('Get in better shape');
    });
  });

  describe('when loaded a second time', () => {
    it('says it is already loaded and records nothing', async () => {
      const head = await store.headPosition();
      const second = await loadDemoQuarter(database.url, { now });
      expect(second).toMatchObject({ alreadyLoaded: true, cycleId: first.cycleId });
      expect(await store.headPosition()).toBe(head);
    });
  });
});
