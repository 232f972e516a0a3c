import { START_POSITION } from '@okr-ledger/event-store';
import type { Actor } from '@okr-ledger/commands';
import type { RecordedEvent } from '@okr-ledger/event-store';
import { okrTreeProjection, READ_MODEL_PROJECTIONS, type Projection } from '../index';
import { insertRowsIgnoringDuplicates } from './projection-sql';
import { createHarness, seedCycle, type Harness } from '../testing/read-models-harness';
import { applyBatch } from './checkpoints';
import { Projector } from './projector';
import { rebuildProjection, rebuildProjections } from './rebuild';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const eve: Actor = { tenantId: 'globex', actorId: 'eve' };

/** Every read-model row, per table, in a stable order. */
async function snapshot(h: Harness): Promise<Record<string, unknown[]>> {
  const tables = READ_MODEL_PROJECTIONS.flatMap((p) => p.tables);
  const result: Record<string, unknown[]> = {};
  for (const table of tables) {
    result[table] = await h.dataSource.query(`SELECT * FROM read_models.${table} ORDER BY 1, 2, 3`);
  }
  return result;
}

describe('Projector', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await createHarness('projector');
  });
  afterEach(async () => {
    await h.close();
  });

  describe('when a batch is delivered again', () => {
    it('changes nothing', async () => {
      const projector = h.newProjector();
      await projector.start();
      const { keyResult } = await seedCycle(h.commands, ana);
      const checkIn = await h.commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 4,
      });
      expect(await projector.waitForPosition(checkIn.position ?? '', 10_000)).toBe(true);
      const before = await snapshot(h);
      const { events } = await h.store.readAll({ after: START_POSITION, limit: 1000 });
      for (const projection of READ_MODEL_PROJECTIONS) {
        const mine = events.filter((e) => projection.eventTypes.includes(e.type));
        const last = events[events.length - 1]?.position ?? START_POSITION;
        // Straight through apply (bypassing the checkpoint) must be idempotent per row too.
        const client = await projector.pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(`SET LOCAL search_path = read_models, public`);
          await projection.apply(mine, client);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        const result = await applyBatch(projector.pool, projection, mine, last);
        expect(result.applied).toBe(0);
      }
      expect(await snapshot(h)).toEqual(before);
      const [kr] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(kr).toMatchObject({ currentValue: 4, checkInCount: 1, progress: 0.4 });
    });
  });

  describe('when two instances run', () => {
    it('only one is active per projection and the other takes over when it dies', async () => {
      const first = h.newProjector('first');
      const second = h.newProjector('second');
      await first.start();
      await second.start();
      for (const p of READ_MODEL_PROJECTIONS) {
        expect(first.isActive(p.name)).toBe(true);
        expect(second.isActive(p.name)).toBe(false);
      }
      const { keyResult, last } = await seedCycle(h.commands, ana);
      expect(await second.waitForPosition(last, 10_000)).toBe(true);

      // Kill the first instance's lock connection as a crash or network cut would.
      await h.dataSource.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'okr-ledger-projector-lock:first'`,
      );
      await first.stop();
      const checkIn = await h.commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 10,
      });
      expect(await second.waitForPosition(checkIn.position ?? '', 15_000)).toBe(true);
      for (const p of READ_MODEL_PROJECTIONS) expect(second.isActive(p.name)).toBe(true);
      const [kr] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(kr?.progress).toBe(1);
    });
  });

  describe('when waiting for a position', () => {
    it('resolves true once every projection passed it, false on timeout', async () => {
      const projector = h.newProjector();
      const { last } = await seedCycle(h.commands, ana);
      // Not started: nothing moves.
      expect(await projector.waitForPosition(last, 300)).toBe(false);
      await projector.start();
      expect(await projector.waitForPosition(last, 10_000)).toBe(true);
      const lag = await projector.lag();
      expect(lag.map((l) => l.projection).sort()).toEqual(
        READ_MODEL_PROJECTIONS.map((p) => p.name).sort(),
      );
      for (const l of lag) {
        expect(l.checkpoint >= last).toBe(true);
        expect(l.eventsBehind).toBe(0);
      }
    });

    it('a reader that never started sees another instance commit', async () => {
      const runner = h.newProjector('runner');
      const reader = h.newProjector('reader');
      await runner.start();
      const { last } = await seedCycle(h.commands, ana);
      expect(await reader.waitForPosition(last, 10_000)).toBe(true);
    });
  });

  describe('when two tenants use the same ids', () => {
    it('never shows one tenant’s events in the other’s rows', async () => {
      const projector = h.newProjector();
      await projector.start();
      const a = await seedCycle(h.commands, ana);
      const b = await seedCycle(h.commands, eve);
      const checkIn = await h.commands.keyResults.checkIn(eve, {
        keyResultId: b.keyResult.id,
        value: 9,
      });
      expect(await projector.waitForPosition(checkIn.position ?? '', 10_000)).toBe(true);
      expect(await h.readModels.keyResults.byIds(ana.tenantId, [b.keyResult.id])).toEqual([]);
      expect(await h.readModels.cycles.byIds(eve.tenantId, [a.cycle.id])).toEqual([]);
      const anaAudit = await h.readModels.auditTrail.page(ana.tenantId, {}, { first: 100 });
      expect(anaAudit.items.every((i) => i.node.actorId === 'ana')).toBe(true);
      expect(anaAudit.totalCount).toBe(4);
      const eveCheckIns = await h.readModels.checkIns.page(eve.tenantId, b.keyResult.id, {
        first: 10,
      });
      expect(eveCheckIns.items.map((i) => i.node.value)).toEqual([9]);
      expect(
        (await h.readModels.checkIns.page(ana.tenantId, b.keyResult.id, { first: 10 })).items,
      ).toEqual([]);
    });
  });

  describe('when a projection is rebuilt', () => {
    it('gives exactly the rows the live projection gave, and swaps them in', async () => {
      const projector = h.newProjector();
      await projector.start();
      const a = await seedCycle(h.commands, ana);
      await seedCycle(h.commands, eve);
      const child = await h.commands.objectives.set(ana, {
        cycleId: a.cycle.id,
        title: 'Child',
        parentKeyResultId: a.keyResult.id,
      });
      await h.commands.keyResults.redefine(ana, {
        keyResultId: a.keyResult.id,
        scoring: 'ALIGNED_OBJECTIVES',
        reason: 'roll up',
      });
      const childKr = await h.commands.keyResults.add(ana, {
        objectiveId: child.id,
        title: 'Demos',
        type: 'INCREASE',
        kind: 'OUTPUT',
        startValue: 0,
        targetValue: 4,
      });
      const checkIn = await h.commands.keyResults.checkIn(ana, {
        keyResultId: childKr.id,
        value: 2,
        confidence: 0.6,
      });
      expect(await projector.waitForPosition(checkIn.position ?? '', 10_000)).toBe(true);
      const live = await snapshot(h);
      for (const projection of READ_MODEL_PROJECTIONS) {
        const result = await rebuildProjection(projector.pool, h.store, projection, {
          batchSize: 3,
        });
        expect(result.swapped).toBe(true);
      }
      expect(await snapshot(h)).toEqual(live);
      const [parentKr] = await h.readModels.keyResults.byIds(ana.tenantId, [a.keyResult.id]);
      expect(parentKr?.progress).toBe(0.5);

      // The live projector carries on against the swapped-in tables.
      const more = await h.commands.keyResults.checkIn(ana, { keyResultId: childKr.id, value: 4 });
      expect(await projector.waitForPosition(more.position ?? '', 10_000)).toBe(true);
      const [after] = await h.readModels.keyResults.byIds(ana.tenantId, [a.keyResult.id]);
      expect(after?.progress).toBe(1);
    });

    it('in one pass for every projection gives exactly the rows the live ones gave', async () => {
      const projector = h.newProjector();
      await projector.start();
      const a = await seedCycle(h.commands, ana);
      await seedCycle(h.commands, eve);
      await h.commands.keyResults.redefine(ana, {
        keyResultId: a.keyResult.id,
        targetValue: 20,
        reason: 'tab\there, a new\nline and a back\\slash survive COPY',
      });
      let last = '';
      for (const value of [3, 7, 12]) {
        const checkIn = await h.commands.keyResults.checkIn(ana, {
          keyResultId: a.keyResult.id,
          value,
          confidence: value / 20,
          progress: `step\t${value}\n\\N`,
        });
        last = checkIn.position ?? last;
      }
      expect(await projector.waitForPosition(last, 10_000)).toBe(true);
      const live = await snapshot(h);
      // Pages of 4 events: several transactions per projection, run side by side.
      const results = await rebuildProjections(projector.pool, h.store, READ_MODEL_PROJECTIONS, {
        batchSize: 4,
      });
      expect(results.map((r) => [r.projection, r.swapped])).toEqual(
        READ_MODEL_PROJECTIONS.map((p) => [p.name, true]),
      );
      expect(await snapshot(h)).toEqual(live);
      const [checkIn] = (
        await h.readModels.checkIns.page(ana.tenantId, a.keyResult.id, { first: 1 })
      ).items;
      expect(checkIn?.node.progress).toMatch(/^step\t\d+\n\\N$/);
    });

    it('drops repeated keys as ON CONFLICT DO NOTHING would, with the key added after the replay', async () => {
      const { last } = await seedCycle(h.commands, ana);
      const events = (await h.store.readAll({ after: START_POSITION, limit: 1000 })).events;
      const first = events[0] as RecordedEvent;
      const row = (e: RecordedEvent, reason: string, tenant = 'acme') => ({
        tenant_id: tenant,
        position: e.position,
        event_id: e.id,
        occurred_at: e.recordedAt.toISOString(),
        actor_id: 'ana',
        aggregate_type: 'Test',
        aggregate_id: e.streamName,
        cycle_id: null,
        event_type: e.type,
        changes: [],
        reason,
        source: null,
        during_active_cycle: false,
      });
      // Each page: its events in order, then its first event again, the log's first event
      // again and an older position under another tenant (both below what was written).
      const repeating: Projection = {
        name: 'repeating',
        version: 1,
        eventTypes: events.map((e) => e.type),
        tables: ['audit_entries'],
        appendOnlyTables: ['audit_entries'],
        async apply(page: readonly RecordedEvent[], client) {
          await insertRowsIgnoringDuplicates(client, 'audit_entries', [
            ...page.map((e) => row(e, 'first')),
            row(page[0] as RecordedEvent, 'again'),
            row(first, 'again'),
            row(first, 'late', 'other'),
          ]);
        },
      };
      const projector = h.newProjector();
      const [result] = await rebuildProjections(projector.pool, h.store, [repeating], {
        batchSize: 2,
      });
      await projector.stop();
      expect(result?.swapped).toBe(true);
      const rows: { tenant_id: string; position: string; reason: string }[] =
        await h.dataSource.query(
          `SELECT tenant_id, position, reason FROM read_models.audit_entries ORDER BY 1, 2`,
        );
      expect(rows).toEqual([
        ...events
          .filter((e) => e.position <= last)
          .map((e) => ({ tenant_id: 'acme', position: e.position, reason: 'first' })),
        { tenant_id: 'other', position: first.position, reason: 'late' },
      ]);
      const [key] = await h.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_constraint
          WHERE conname = 'audit_entries_pkey' AND conrelid = 'read_models.audit_entries'::regclass`,
      );
      expect(key.n).toBe(1);
    });

    it('rebuilds at start-up when the version changed', async () => {
      const { keyResult, last } = await seedCycle(h.commands, ana);
      const projector = h.newProjector();
      await projector.start();
      expect(await projector.waitForPosition(last, 10_000)).toBe(true);
      await projector.stop();
      await h.dataSource.query(`DELETE FROM read_models.key_results`);
      await h.dataSource.query(
        `UPDATE read_models.projection_checkpoints SET version = 0 WHERE name = 'okr-tree'`,
      );
      const again = h.newProjector('again');
      await again.start();
      // The rebuild runs beside the live batches (see rebuild-beside-live.int.spec.ts).
      await again.rebuilt();
      const [row] = await h.dataSource.query(
        `SELECT version FROM read_models.projection_checkpoints WHERE name = 'okr-tree'`,
      );
      expect(row.version).toBe(okrTreeProjection.version);
      expect(await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id])).toHaveLength(1);
      expect(again).toBeInstanceOf(Projector);
    });
  });
});
