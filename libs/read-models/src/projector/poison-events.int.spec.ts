import type { Actor } from '@okr-ledger/commands';
import type { RecordedEvent } from '@okr-ledger/event-store';
import type { ClientBase } from 'pg';
import { checkInsProjection, okrTreeProjection, type Projection } from '../index';
import {
  createHarness,
  seedCycle,
  silentLogger,
  type Harness,
} from '../testing/read-models-harness';
import { appendYearZeroCycle } from '../testing/poison-events';
import { Projector } from './projector';
import { rebuildProjection } from './rebuild';
import { retryStalls } from './retry-stalls';
import { readStalls } from './stalls';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const eve: Actor = { tenantId: 'globex', actorId: 'eve' };

/** okr-tree, failing on the events `broken` names until they are taken out (the "fix"). */
function flakyOkrTree(broken: Set<string>): Projection {
  return {
    ...okrTreeProjection,
    async apply(events: readonly RecordedEvent[], client: ClientBase) {
      const bad = events.find((e) => broken.has(e.id));
      if (bad) throw new Error(`cannot apply ${bad.type}`);
      await okrTreeProjection.apply(events, client);
    },
  };
}

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe('Projector', () => {
  let h: Harness;
  const projectors: Projector[] = [];

  const newProjector = (projections: readonly Projection[], name = 'poison'): Projector => {
    const projector = new Projector({
      store: h.store,
      databaseUrl: h.database.url,
      projections,
      instanceName: name,
      lockRetryMs: 200,
      logger: silentLogger,
    });
    projectors.push(projector);
    return projector;
  };

  beforeEach(async () => {
    h = await createHarness('poison');
  });
  afterEach(async () => {
    for (const p of projectors.splice(0)) await p.stop();
    await h.close();
  });

  describe('when an event fails on its own data', () => {
    it('halts that projection for that tenant only and keeps projecting every other', async () => {
      const before = await seedCycle(h.commands, eve);
      const poison = await appendYearZeroCycle(h.store, ana);
      const acme = await seedCycle(h.commands, ana);
      const checkIn = await h.commands.keyResults.checkIn(eve, {
        keyResultId: before.keyResult.id,
        value: 5,
      });
      const projector = h.newProjector();
      await projector.start();

      expect(await projector.waitForPosition(checkIn.position ?? '', 10_000)).toBe(true);
      const [kr] = await h.readModels.keyResults.byIds(eve.tenantId, [before.keyResult.id]);
      expect(kr).toMatchObject({ currentValue: 5, progress: 0.5 });
      expect(await projector.stalls(eve.tenantId)).toEqual([]);

      const stalls = await projector.stalls(ana.tenantId);
      expect(stalls).toEqual([
        {
          projection: 'okr-tree',
          tenantId: 'acme',
          position: poison,
          eventId: expect.any(String),
          streamName: expect.stringMatching(/^cycle-/),
          eventType: 'CycleScheduled',
          error: expect.stringContaining('out of range'),
          stalledAt: expect.any(Date),
        },
      ]);
      expect(await projector.allStalls()).toEqual(stalls);
      // The tenant's later events wait behind the stall in okr-tree, not in the others.
      expect(await h.readModels.keyResults.byIds(ana.tenantId, [acme.keyResult.id])).toEqual([]);
      const [audit] = await h.dataSource.query(
        `SELECT count(*)::int AS n FROM read_models.audit_entries WHERE tenant_id = 'acme'`,
      );
      expect(audit.n).toBeGreaterThanOrEqual(4);
      // Recorded in the database, for other processes and after a restart.
      const [row] = await h.dataSource.query(
        `SELECT tenant_id, projection, position, resume_after < position AS before
           FROM read_models.projection_stalls`,
      );
      expect(row).toEqual({
        tenant_id: 'acme',
        projection: 'okr-tree',
        position: poison,
        before: true,
      });
    });

    it('finds each failing event of one batch, one stall per tenant', async () => {
      const initech: Actor = { tenantId: 'initech', actorId: 'ian' };
      const first = await appendYearZeroCycle(h.store, ana);
      const middle = await seedCycle(h.commands, initech);
      const second = await appendYearZeroCycle(h.store, eve);
      await appendYearZeroCycle(h.store, ana);
      const { keyResult, last } = await seedCycle(h.commands, initech);
      const projector = h.newProjector();
      await projector.start();
      expect(await projector.waitForPosition(last, 10_000)).toBe(true);
      const stalls = await projector.allStalls();
      expect(stalls.map((s) => [s.projection, s.tenantId, s.position])).toEqual([
        ['okr-tree', 'acme', first],
        ['okr-tree', 'globex', second],
      ]);
      const ids = [middle.keyResult.id, keyResult.id];
      expect(await h.readModels.keyResults.byIds(initech.tenantId, ids)).toHaveLength(2);
    });

    it('is seen by an instance that does not run the projection', async () => {
      await appendYearZeroCycle(h.store, ana);
      const { last } = await seedCycle(h.commands, eve);
      const runner = h.newProjector('runner');
      await runner.start();
      const reader = h.newProjector('reader');
      expect(await reader.waitForPosition(last, 10_000)).toBe(true);
      expect((await reader.stalls(ana.tenantId)).map((s) => s.projection)).toEqual(['okr-tree']);
      expect(await reader.stalls(eve.tenantId)).toEqual([]);
    });

    it('is not a stall when the failure is not the event’s (a serialisation failure)', async () => {
      let failures = 1;
      const transient: Projection = {
        ...okrTreeProjection,
        async apply(events, client) {
          if (failures-- > 0) {
            throw Object.assign(new Error('could not serialize access'), { code: '40001' });
          }
          await okrTreeProjection.apply(events, client);
        },
      };
      const { keyResult, last } = await seedCycle(h.commands, ana);
      const projector = newProjector([transient]);
      await projector.start();
      expect(await projector.waitForPosition(last, 10_000)).toBe(true);
      expect(await projector.allStalls()).toEqual([]);
      expect(await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id])).toHaveLength(1);
    });
  });

  describe('when a stalled tenant is retried', () => {
    it('keeps the stall with the new error while it still fails, then re-applies its events in order once fixed', async () => {
      const broken = new Set<string>();
      const flaky = flakyOkrTree(broken);
      const { cycle } = await seedCycle(h.commands, ana, false);
      const started = await h.commands.cycles.start(ana, { cycleId: cycle.id });
      const [startedEvent] = (await h.store.readStream(`cycle-${cycle.id}`)).filter(
        (e) => e.type === 'CycleStarted',
      );
      broken.add(startedEvent?.id ?? '');
      const other = await seedCycle(h.commands, eve);
      const projector = newProjector([flaky]);
      await projector.start();
      expect(await projector.waitForPosition(other.last, 10_000)).toBe(true);
      // Later events of the halted tenant are skipped, not lost.
      const later = await seedCycle(h.commands, ana);
      expect(await projector.waitForPosition(later.last, 10_000)).toBe(true);
      expect((await projector.stalls(ana.tenantId))[0]).toMatchObject({
        position: started.position,
        error: 'cannot apply CycleStarted',
      });
      expect(await h.readModels.cycles.byIds(ana.tenantId, [cycle.id])).toMatchObject([
        { status: 'PLANNING' },
      ]);
      expect(await h.readModels.cycles.byIds(ana.tenantId, [later.cycle.id])).toEqual([]);

      const failing = await retryStalls(projector.pool, h.store, flaky, { tenantId: 'acme' });
      expect(failing).toEqual([
        {
          projection: 'okr-tree',
          tenantId: 'acme',
          applied: 0,
          failure: expect.objectContaining({ position: started.position }),
        },
      ]);
      const [kept] = await readStalls(projector.pool);
      expect(kept).toMatchObject({ tenantId: 'acme', attempts: 2, retriedAt: expect.any(Date) });

      broken.clear();
      const fixed = await retryStalls(projector.pool, h.store, flaky);
      expect(fixed).toEqual([
        { projection: 'okr-tree', tenantId: 'acme', applied: 5, failure: null },
      ]);
      expect(await readStalls(projector.pool)).toEqual([]);
      expect(await h.readModels.cycles.byIds(ana.tenantId, [cycle.id])).toMatchObject([
        { status: 'ACTIVE' },
      ]);
      const [kr] = await h.readModels.keyResults.byIds(ana.tenantId, [later.keyResult.id]);
      expect(kr).toMatchObject({ title: 'Interviews' });
      // The running instance hears of it and projects the tenant again.
      expect(await until(async () => (await projector.stalls(ana.tenantId)).length === 0)).toBe(
        true,
      );
      const checkIn = await h.commands.keyResults.checkIn(ana, {
        keyResultId: later.keyResult.id,
        value: 10,
      });
      expect(await projector.waitForPosition(checkIn.position ?? '', 10_000)).toBe(true);
      const [done] = await h.readModels.keyResults.byIds(ana.tenantId, [later.keyResult.id]);
      expect(done?.progress).toBe(1);
    });

    it('is retried once when an instance with the fix takes the projection', async () => {
      const broken = new Set<string>();
      await appendYearZeroCycle(h.store, eve);
      const { objective } = await seedCycle(h.commands, ana);
      const [set] = (await h.store.readStream(`objective-${objective.id}`)).filter(
        (e) => e.type === 'ObjectiveSet',
      );
      broken.add(set?.id ?? '');
      const first = newProjector([flakyOkrTree(broken)], 'old-code');
      await first.start();
      expect(await until(async () => (await first.stalls(ana.tenantId)).length === 1)).toBe(true);
      await first.stop();

      const second = newProjector([flakyOkrTree(new Set())], 'fixed-code');
      await second.start();
      expect(await until(async () => (await second.stalls(ana.tenantId)).length === 0)).toBe(true);
      expect(await h.readModels.objectives.byIds(ana.tenantId, [objective.id])).toHaveLength(1);
      // The year-0 cycle still fails with the fixed code: its stall stays, with a new attempt.
      expect(await until(async () => (await readStalls(second.pool))[0]?.attempts === 2)).toBe(
        true,
      );
      expect(await readStalls(second.pool)).toMatchObject([{ tenantId: 'globex' }]);
    });
  });

  describe('when the log holding a poison event is rebuilt', () => {
    it('keeps every row the bulk loader wrote in an attempt that was rolled back', async () => {
      const a = await seedCycle(h.commands, ana);
      const e = await seedCycle(h.commands, eve);
      const ids: string[] = [];
      for (let i = 1; i <= 3; i++) {
        for (const [actor, kr] of [
          [eve, e.keyResult.id],
          [ana, a.keyResult.id],
        ] as const) {
          ids.push(
            (await h.commands.keyResults.checkIn(actor, { keyResultId: kr, value: i })).checkInId,
          );
        }
      }
      const { events } = await h.store.readAll({ limit: 1000, eventTypes: ['KeyResultCheckedIn'] });
      const bad = events.find((ev) => ev.metadata.tenantId === 'acme' && ev.data.value === 2);
      // Fails after its rows went through COPY, as a late constraint would.
      const checkIns: Projection = {
        ...checkInsProjection,
        async apply(batch, client) {
          await checkInsProjection.apply(batch, client);
          if (batch.some((ev) => ev.id === bad?.id)) throw new Error('check-in refused');
        },
      };
      const result = await rebuildProjection(h.store.pool, h.store, checkIns);
      expect(result.swapped).toBe(true);
      const rows: { tenant_id: string; value: number }[] = await h.dataSource.query(
        `SELECT tenant_id, value FROM read_models.check_ins ORDER BY tenant_id, value`,
      );
      expect(rows.map((r) => [r.tenant_id, r.value])).toEqual([
        ['acme', 1],
        ['globex', 1],
        ['globex', 2],
        ['globex', 3],
      ]);
      expect(ids).toHaveLength(6);
      expect((await readStalls(h.store.pool)).map((st) => [st.tenantId, st.position])).toEqual([
        ['acme', bad?.position],
      ]);
    });

    it('swaps in the other tenants’ rows and records the stall with the new tables', async () => {
      const { keyResult } = await seedCycle(h.commands, eve);
      const poison = await appendYearZeroCycle(h.store, ana);
      const acme = await seedCycle(h.commands, ana);
      const projector = h.newProjector();
      await projector.start();
      expect(await projector.waitForPosition(acme.last, 10_000)).toBe(true);
      const live = await h.dataSource.query(
        `SELECT * FROM read_models.key_results ORDER BY tenant_id, id`,
      );
      await projector.stop();

      const result = await rebuildProjection(h.store.pool, h.store, okrTreeProjection);
      expect(result.swapped).toBe(true);
      expect(
        await h.dataSource.query(`SELECT * FROM read_models.key_results ORDER BY tenant_id, id`),
      ).toEqual(live);
      expect(await h.readModels.keyResults.byIds(eve.tenantId, [keyResult.id])).toHaveLength(1);
      const stalls = await h.dataSource.query(
        `SELECT tenant_id, projection, position FROM read_models.projection_stalls`,
      );
      expect(stalls).toEqual([{ tenant_id: 'acme', projection: 'okr-tree', position: poison }]);
    });
  });
});
