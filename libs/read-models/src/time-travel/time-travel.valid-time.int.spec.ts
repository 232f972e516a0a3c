import { randomUUID } from 'node:crypto';
import { metadataFor, OkrCommands, type Actor } from '@okr-ledger/commands';
import {
  createPostgresEventStore,
  handleCommand,
  type PostgresEventStore,
} from '@okr-ledger/event-store';
import { keyResultDecider, keyResultStream } from '@okr-ledger/okr';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { TimeTravel, type TimePoint } from './index';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const t = (iso: string): Date => new Date(`2026-${iso}Z`);

// ADR 0014: asOf selects what was recorded by an instant; validAt what was true then, as known.
describe('TimeTravel at a valid time', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let travel: TimeTravel;
  let now = t('06-01T00:00:00');
  const at = (iso: string): void => {
    now = t(iso);
  };
  let ids: { cycle: string; objective: string; keyResult: string };

  const keyResultAt = async (point: TimePoint) =>
    (
      await travel.queriesAsOf(ana.tenantId, point).keyResults.byIds(ana.tenantId, [ids.keyResult])
    )[0];

  beforeAll(async () => {
    database = await createTestDatabase('valid_time');
    store = await createPostgresEventStore(database.url, { simulatedClock: () => now });
    // The commands' clock is the simulated one too: a check-in is measured when recorded.
    const commands = new OkrCommands(store, undefined, () => now);
    travel = new TimeTravel(store, { clock: () => t('12-01T00:00:00') });

    at('06-20T09:00:00');
    const cycle = await commands.cycles.schedule(ana, {
      name: 'Q3',
      startsAt: '2026-07-01T00:00:00Z',
      endsAt: '2026-09-30T00:00:00Z',
    });
    at('06-21T09:00:00');
    const objective = await commands.objectives.set(ana, { cycleId: cycle.id, title: 'Delight' });
    at('06-22T09:00:00');
    const keyResult = await commands.keyResults.add(ana, {
      objectiveId: objective.id,
      title: 'Interviews',
      type: 'INCREASE',
      kind: 'INPUT',
      startValue: 0,
      targetValue: 10,
    });
    at('07-01T00:00:00');
    await commands.cycles.start(ana, { cycleId: cycle.id });
    at('07-10T09:00:00');
    await commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 4 });
    at('07-20T09:00:00');
    await commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 8 });
    at('07-25T09:00:00');
    await commands.keyResults.redefine(ana, {
      keyResultId: keyResult.id,
      targetValue: 20,
      reason: 'More demand',
    });
    // Late: measured on 15 July, recorded on 5 August.
    at('08-05T09:00:00');
    await commands.keyResults.checkIn(ana, {
      keyResultId: keyResult.id,
      value: 6,
      measuredAt: '2026-07-15T09:00:00Z',
    });
    at('09-28T09:00:00');
    await commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 12 });
    at('09-30T12:00:00');
    await commands.cycles.close(ana, { cycleId: cycle.id });
    // After the close, a data source's value measured before it: a late value that fills
    // history; the frozen score stays.
    at('10-02T09:00:00');
    await handleCommand(
      store,
      keyResultStream(keyResult.id),
      keyResultDecider,
      {
        type: 'RecordMeasurements',
        data: {
          keyResultId: keyResult.id,
          dataSourceId: 'a0000000-0000-4000-8000-00000000d5d5',
          measurements: [
            {
              checkInId: randomUUID(),
              value: 16,
              measuredAt: '2026-09-29T00:00:00Z',
              externalId: null,
              note: null,
            },
          ],
          now: now.toISOString(),
        },
      },
      { cycleStatus: 'CLOSED', cycleClosedAt: '2026-09-30T12:00:00.000Z' },
      { metadata: metadataFor(ana, { cycleId: cycle.id }) },
    );
    ids = { cycle: cycle.id, objective: objective.id, keyResult: keyResult.id };
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  describe('when asked what was true at an instant', () => {
    it('counts a value measured by then that was recorded later, asOf does not', async () => {
      expect(await keyResultAt({ asOf: null, validAt: t('07-16T00:00:00') })).toMatchObject({
        currentValue: 6,
        measuredAt: t('07-15T09:00:00'),
        targetValue: 10,
        progress: 0.6,
        checkInCount: 2,
      });
      expect(await keyResultAt({ asOf: t('07-16T00:00:00'), validAt: null })).toMatchObject({
        currentValue: 4,
        progress: 0.4,
        checkInCount: 1,
      });
    });
    it('takes definitions as recorded by then', async () => {
      expect(await keyResultAt({ asOf: null, validAt: t('07-24T00:00:00') })).toMatchObject({
        currentValue: 8,
        targetValue: 10,
        progress: 0.8,
      });
      expect(await keyResultAt({ asOf: null, validAt: t('07-26T00:00:00') })).toMatchObject({
        currentValue: 8,
        targetValue: 20,
        progress: 0.4,
      });
    });
    it('answers nothing for a key result not yet added then', async () => {
      expect(await keyResultAt({ asOf: null, validAt: t('06-21T12:00:00') })).toBeUndefined();
    });
  });

  describe('when asked both asOf and validAt', () => {
    it('answers what was known at asOf about validAt', async () => {
      const validAt = t('07-16T00:00:00');
      expect(await keyResultAt({ asOf: t('08-01T00:00:00'), validAt })).toMatchObject({
        currentValue: 4,
        progress: 0.4,
      });
      expect(await keyResultAt({ asOf: t('08-06T00:00:00'), validAt })).toMatchObject({
        currentValue: 6,
        progress: 0.6,
      });
    });
  });

  describe('when a late value arrived after the cycle closed', () => {
    it('keeps the frozen score now, and counts the value at a valid time before the close', async () => {
      expect(await keyResultAt({ asOf: t('11-01T00:00:00'), validAt: null })).toMatchObject({
        currentValue: 16,
        measuredAt: t('09-29T00:00:00'),
        progress: 0.6,
      });
      expect(await keyResultAt({ asOf: null, validAt: t('09-29T12:00:00') })).toMatchObject({
        currentValue: 16,
        progress: 0.8,
      });
    });
  });

  describe('when the alignment tree is asked at a valid time', () => {
    it('scores the objectives with the values true then', async () => {
      const validAt = await travel.alignmentTree(ana.tenantId, ids.cycle, {
        asOf: null,
        validAt: t('07-16T00:00:00'),
      });
      const asOf = await travel.alignmentTree(ana.tenantId, ids.cycle, t('07-16T00:00:00'));
      expect(validAt.map((n) => [n.objectiveId, n.progress])).toEqual([[ids.objective, 0.6]]);
      expect(asOf.map((n) => [n.objectiveId, n.progress])).toEqual([[ids.objective, 0.4]]);
    });
  });

  describe('when the check-ins are asked at a valid time', () => {
    it('lists those measured by then, newest recorded first', async () => {
      const checkIns = await travel.checkInsAsOf(ana.tenantId, ids.keyResult, {
        asOf: null,
        validAt: t('07-16T00:00:00'),
      });
      expect(checkIns.map((c) => [c.value, c.measuredAt.toISOString()])).toEqual([
        [6, '2026-07-15T09:00:00.000Z'],
        [4, '2026-07-10T09:00:00.000Z'],
      ]);
    });
  });

  describe('when the quarter is replayed about one valid time', () => {
    it('shows each week what was known then about that instant', async () => {
      const replay = (validAt: Date | null) =>
        travel.cycleReplay(ana.tenantId, ids.cycle, {
          from: t('07-14T00:00:00'),
          to: t('08-10T00:00:00'),
          every: 'WEEK',
          validAt,
        });
      const progress = (frames: Awaited<ReturnType<typeof replay>>) =>
        frames.map((f) => [f.at.toISOString().slice(5, 10), f.progress]);
      expect(progress(await replay(t('07-16T00:00:00')))).toEqual([
        ['07-14', 0.4],
        ['07-21', 0.4],
        ['07-28', 0.4],
        ['08-04', 0.4],
        ['08-10', 0.6],
      ]);
      expect(progress(await replay(null))).toEqual([
        ['07-14', 0.4],
        ['07-21', 0.8],
        ['07-28', 0.4],
        ['08-04', 0.4],
        ['08-10', 0.4],
      ]);
    });
  });
});
