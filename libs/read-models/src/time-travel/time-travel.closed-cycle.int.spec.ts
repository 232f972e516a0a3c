import type { Actor } from '@okr-ledger/commands';
// Before the harness: loading it first runs into an import cycle through the API's inputs.
import { TimeTravel } from './index';
import { OkrCommands } from '@okr-ledger/commands';
import { createPostgresEventStore, type PostgresEventStore } from '@okr-ledger/event-store';
import { okrTreeProjection } from '../okr-tree/okr-tree.projection';
import type { Projector } from '../projector/projector';
import { rebuildProjection } from '../projector/rebuild';
import { createHarness, type Harness } from '../testing/read-models-harness';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const t = (iso: string): Date => new Date(`2026-${iso}Z`);
const round = (n: number | undefined): number | undefined =>
  n === undefined ? undefined : Math.round(n * 1e12) / 1e12;

/**
 * DESIGN §2: closing a cycle freezes every score of the cycle — also a key result of it that
 * rolls up objectives aligned from another, still open cycle (ADR 0002). Live, as of an
 * instant and in a replay alike, with the store's clock controlled so instants are exact.
 */
describe('A cycle closed under a cross-cycle roll-up', () => {
  let h: Harness;
  let store: PostgresEventStore;
  let commands: OkrCommands;
  let projector: Projector;
  let now = t('06-01T00:00:00');
  const at = (iso: string): void => {
    now = t(iso);
  };
  let last = '';
  const step = <R extends { position?: string | null }>(result: R): R => {
    last = result.position ?? last;
    return result;
  };
  const ids = { q3: '', q4: '', grow: '', rolled: '', own: '', next: '', pipeline: '', late: '' };
  const objectiveIds = (): string[] => [ids.grow, ids.next, ids.late];
  const keyResultIds = (): string[] => [ids.rolled, ids.own, ids.pipeline];
  let beforeClose: { keyResult?: number; objective?: number; cycle?: number };

  const liveScores = async () => {
    expect(await projector.waitForPosition(last, 15_000)).toBe(true);
    const [keyResult] = await h.readModels.keyResults.byIds(ana.tenantId, [ids.rolled]);
    const [objective] = await h.readModels.objectives.byIds(ana.tenantId, [ids.grow]);
    const cycle = (await h.readModels.cycles.all(ana.tenantId)).find((c) => c.id === ids.q3);
    return {
      keyResult: keyResult?.progress,
      objective: objective?.progress,
      cycle: cycle?.progress,
    };
  };
  const asOfScores = async (iso: string | Date) => {
    const queries = new TimeTravel(store).queriesAsOf(
      ana.tenantId,
      typeof iso === 'string' ? t(iso) : iso,
    );
    const [keyResult] = await queries.keyResults.byIds(ana.tenantId, [ids.rolled]);
    const [objective] = await queries.objectives.byIds(ana.tenantId, [ids.grow]);
    const [cycle] = await queries.cycles.byIds(ana.tenantId, [ids.q3]);
    return {
      keyResult: keyResult?.progress,
      objective: objective?.progress,
      cycle: cycle?.progress,
    };
  };

  beforeAll(async () => {
    h = await createHarness('closed_cycle_roll_up');
    // A second store on the same database, on a controlled clock: the harness's has the wall's.
    store = await createPostgresEventStore(h.database.url, { simulatedClock: () => now });
    commands = new OkrCommands(store);
    projector = h.newProjector();
    await projector.start();

    at('06-20T09:00:00');
    ids.q3 = step(
      await commands.cycles.schedule(ana, {
        name: 'Q3',
        startsAt: '2026-07-01T00:00:00Z',
        endsAt: '2026-09-30T00:00:00Z',
      }),
    ).id;
    ids.q4 = step(
      await commands.cycles.schedule(ana, {
        name: 'Q4',
        startsAt: '2026-07-01T00:00:00Z',
        endsAt: '2026-12-31T00:00:00Z',
      }),
    ).id;
    at('06-21T09:00:00');
    ids.grow = step(await commands.objectives.set(ana, { cycleId: ids.q3, title: 'Grow' })).id;
    const increase = { type: 'INCREASE', kind: 'OUTCOME', startValue: 0, targetValue: 10 } as const;
    ids.rolled = step(
      await commands.keyResults.add(ana, {
        ...increase,
        objectiveId: ids.grow,
        title: 'Teams deliver',
        scoring: 'ALIGNED_OBJECTIVES',
      }),
    ).id;
    ids.own = step(
      await commands.keyResults.add(ana, { ...increase, objectiveId: ids.grow, title: 'Own' }),
    ).id;
    // Q4's objective rolls up into Q3's key result: across cycles.
    ids.next = step(
      await commands.objectives.set(ana, {
        cycleId: ids.q4,
        title: 'Next',
        parentKeyResultId: ids.rolled,
      }),
    ).id;
    ids.pipeline = step(
      await commands.keyResults.add(ana, { ...increase, objectiveId: ids.next, title: 'Pipeline' }),
    ).id;
    at('07-01T00:00:00');
    step(await commands.cycles.start(ana, { cycleId: ids.q3 }));
    step(await commands.cycles.start(ana, { cycleId: ids.q4 }));
    at('07-05T09:00:00');
    step(await commands.keyResults.checkIn(ana, { keyResultId: ids.own, value: 5 }));
    at('07-10T09:00:00');
    step(await commands.keyResults.checkIn(ana, { keyResultId: ids.pipeline, value: 4 }));
    at('08-10T09:00:00');
    step(await commands.keyResults.checkIn(ana, { keyResultId: ids.pipeline, value: 6 }));
    at('09-30T12:00:00');
    step(await commands.cycles.close(ana, { cycleId: ids.q3 }));
    beforeClose = await liveScores();

    // Q4 carries on: a check-in, a new objective aligned to Q3's key result, an archive.
    at('10-05T09:00:00');
    step(await commands.keyResults.checkIn(ana, { keyResultId: ids.pipeline, value: 10 }));
    at('10-06T09:00:00');
    ids.late = step(
      await commands.objectives.set(ana, {
        cycleId: ids.q4,
        title: 'Late',
        parentKeyResultId: ids.rolled,
      }),
    ).id;
    at('10-07T09:00:00');
    step(await commands.objectives.archive(ana, { objectiveId: ids.next, reason: 'done' }));
    at('10-10T00:00:00');
  });
  afterAll(async () => {
    await store.close();
    await h.close();
  });

  describe('live', () => {
    it('had rolled Q4 up until the close', () => {
      // Pipeline 6/10 rolled up; Own 0.5; Grow the mean; Q3 has only Grow.
      expect(beforeClose.keyResult).toBeCloseTo(0.6, 12);
      expect(beforeClose.objective).toBeCloseTo(0.55, 12);
      expect(beforeClose.cycle).toBeCloseTo(0.55, 12);
    });

    it('keeps the key result, objective and cycle progress of the close while Q4 moves', async () => {
      expect(await liveScores()).toEqual(beforeClose);
      const [next] = await h.readModels.objectives.byIds(ana.tenantId, [ids.next]);
      expect(next).toMatchObject({ progress: 1, archived: true });
    });

    it('gets the same rows from a rebuild, the close and what follows in one batch', async () => {
      const live = await liveScores();
      // Sorted by id: byIds has no order, and a rebuild rewrites the tables.
      const byId = <T extends { id: string }>(rows: T[]) =>
        rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const rows = async () => ({
        keyResults: byId(await h.readModels.keyResults.byIds(ana.tenantId, keyResultIds())),
        objectives: byId(await h.readModels.objectives.byIds(ana.tenantId, objectiveIds())),
        cycles: byId(await h.readModels.cycles.all(ana.tenantId)),
      });
      const before = await rows();
      const result = await rebuildProjection(projector.pool, h.store, okrTreeProjection, {
        batchSize: 1000,
      });
      expect(result.swapped).toBe(true);
      expect(await rows()).toEqual(before);
      expect(await liveScores()).toEqual(live);
    });
  });

  describe('as of an instant', () => {
    it('shows the moving values before the close', async () => {
      const july = await asOfScores('07-15T00:00:00');
      expect(july.keyResult).toBeCloseTo(0.4, 12);
      expect(july.objective).toBeCloseTo(0.45, 12);
      const august = await asOfScores('08-15T00:00:00');
      expect(august.keyResult).toBeCloseTo(0.6, 12);
      expect(august.cycle).toBeCloseTo(0.55, 12);
    });

    it('shows the frozen ones at and after the close', async () => {
      for (const instant of [
        '09-30T12:00:00',
        '10-05T09:00:00',
        '10-06T12:00:00',
        '10-09T00:00:00',
      ]) {
        const scores = await asOfScores(instant);
        expect([
          instant,
          round(scores.keyResult),
          round(scores.objective),
          round(scores.cycle),
        ]).toEqual([
          instant,
          round(beforeClose.keyResult),
          round(beforeClose.objective),
          round(beforeClose.cycle),
        ]);
      }
    });

    it('equals the live read models now, for every key result, objective, cycle and tree', async () => {
      expect(await projector.waitForPosition(last, 15_000)).toBe(true);
      const queries = new TimeTravel(store).queriesAsOf(ana.tenantId, now);
      const comparable = <T extends { id: string; progress: number }>(views: readonly T[]) =>
        [...views]
          .map((v) => ({ ...v, progress: round(v.progress) }))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      expect(comparable(await queries.keyResults.byIds(ana.tenantId, keyResultIds()))).toEqual(
        comparable(await h.readModels.keyResults.byIds(ana.tenantId, keyResultIds())),
      );
      expect(comparable(await queries.objectives.byIds(ana.tenantId, objectiveIds()))).toEqual(
        comparable(await h.readModels.objectives.byIds(ana.tenantId, objectiveIds())),
      );
      expect(comparable(await queries.cycles.byIds(ana.tenantId, [ids.q3, ids.q4]))).toEqual(
        comparable(await h.readModels.cycles.all(ana.tenantId)),
      );
      const travel = new TimeTravel(store);
      for (const cycleId of [ids.q3, ids.q4]) {
        const tree = (await h.readModels.alignment.tree(ana.tenantId, cycleId)).map((n) => ({
          ...n,
          progress: round(n.progress),
        }));
        const asOf = (await travel.alignmentTree(ana.tenantId, cycleId, now)).map((n) => ({
          ...n,
          progress: round(n.progress),
        }));
        expect(asOf).toEqual(tree);
      }
    });
  });

  describe('cycleReplay', () => {
    it('moves until the close and is flat after it', async () => {
      const frames = await new TimeTravel(store).cycleReplay(ana.tenantId, ids.q3, {
        from: t('07-01T00:00:00'),
        to: t('10-09T00:00:00'),
        every: 'DAY',
      });
      const progress = (iso: string) =>
        frames.find((f) => f.at.getTime() === t(iso).getTime())?.progress;
      expect(progress('07-06T00:00:00')).toBeCloseTo(0.25, 12);
      expect(progress('07-11T00:00:00')).toBeCloseTo(0.45, 12);
      const closed = frames.filter((f) => f.at >= t('09-30T12:00:00'));
      expect(closed.length).toBeGreaterThan(5);
      const first = closed[0];
      expect(first?.progress).toBeCloseTo(beforeClose.cycle ?? NaN, 12);
      for (const frame of closed) {
        expect({ ...frame, at: null }).toEqual({ ...first, at: null });
      }
    });
  });
});
