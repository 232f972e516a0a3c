import type { Actor } from '@okr-ledger/commands';
import type { RecordedEvent } from '@okr-ledger/event-store';
import { Client, type ClientBase } from 'pg';
import {
  checkInsProjection,
  okrTreeProjection,
  READ_MODEL_PROJECTIONS,
  type Projection,
} from '../index';
import { createHarness, seedCycle, type Harness } from '../testing/read-models-harness';
import {
  applyBatch,
  CHECKPOINT_CHANNEL,
  ensureCheckpoint,
  ProjectionLockLost,
  ProjectionVersionChanged,
} from './checkpoints';
import { Projector, type ProjectorLogger } from './projector';
import { rebuildProjection } from './rebuild';
import { readStalls } from './stalls';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const eve: Actor = { tenantId: 'globex', actorId: 'eve' };
const V = okrTreeProjection.version;

/** Keeps what the projector logs, to wait for a step it reached. */
class RecordingLogger implements ProjectorLogger {
  readonly lines: string[] = [];
  log(m: string): void {
    this.lines.push(m);
  }
  warn(m: string): void {
    this.lines.push(`WARN ${m}`);
  }
  error(m: string): void {
    this.lines.push(`ERROR ${m}`);
  }
  has(pattern: RegExp): boolean {
    return this.lines.some((l) => pattern.test(l));
  }
}

/** okr-tree at `version`, whose writes into a rebuild's shadow schema wait for `gate`. */
function gatedOkrTree(version: number, gate: Promise<void>, reached: () => void): Projection {
  return {
    ...okrTreeProjection,
    version,
    async apply(events: readonly RecordedEvent[], client: ClientBase) {
      const { rows } = await client.query<{ path: string }>(
        `SELECT current_setting('search_path') AS path`,
      );
      if (rows[0]?.path.startsWith('read_models_rebuild_')) {
        reached();
        await gate;
      }
      await okrTreeProjection.apply(events, client);
    },
  };
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('Projector', () => {
  let h: Harness;
  const projectors: Projector[] = [];

  const newProjector = (
    projections: readonly Projection[],
    name: string,
    logger: ProjectorLogger = new RecordingLogger(),
    lockRetryMs = 200,
  ): Projector => {
    const projector = new Projector({
      store: h.store,
      databaseUrl: h.database.url,
      projections,
      instanceName: name,
      lockRetryMs,
      logger,
    });
    projectors.push(projector);
    return projector;
  };

  const storedCheckpoint = async (): Promise<{ position: string; version: number }> => {
    const rows: { position: string; version: number }[] = await h.dataSource.query(
      `SELECT position, version FROM read_models.projection_checkpoints WHERE name = 'okr-tree'`,
    );
    const [row] = rows;
    if (!row) throw new Error('no okr-tree checkpoint');
    return row;
  };

  beforeEach(async () => {
    h = await createHarness('edges');
  });
  afterEach(async () => {
    for (const p of projectors.splice(0)) await p.stop();
    await h.close();
  });

  describe('when the version changed at start-up', () => {
    it('keeps applying live events to the serving tables while it rebuilds, then swaps', async () => {
      const { keyResult, last } = await seedCycle(h.commands, ana);
      const first = newProjector([okrTreeProjection], 'v1');
      await first.start();
      expect(await first.waitForPosition(last, 10_000)).toBe(true);
      await first.stop();

      let open = (): void => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      let reached = false;
      const next = newProjector([gatedOkrTree(V + 1, gate, () => (reached = true))], 'v2');
      await next.start();
      expect(await until(() => reached)).toBe(true);

      // The replay is held at the gate: a write still reaches the serving tables.
      const checkIn = await h.commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 3,
      });
      expect(await next.waitForPosition(checkIn.position ?? '', 10_000)).toBe(true);
      const [during] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(during?.currentValue).toBe(3);
      expect((await storedCheckpoint()).version).toBe(V);

      open();
      await next.rebuilt();
      expect(await storedCheckpoint()).toEqual({
        position: expect.any(String),
        version: V + 1,
      });
      const [swapped] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(swapped?.currentValue).toBe(3);
      const after = await h.commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 6,
      });
      expect(await next.waitForPosition(after.position ?? '', 10_000)).toBe(true);
      const [latest] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(latest?.currentValue).toBe(6);
    });
  });

  describe('when the lock is lost while a projection is starting', () => {
    it('does not start it', async () => {
      await seedCycle(h.commands, ana);
      // Holds activate() at its first query, with the advisory lock already taken.
      const blocker = await h.store.pool.connect();
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE read_models.projection_checkpoints IN ACCESS EXCLUSIVE MODE');
      const logger = new RecordingLogger();
      // No second pass at the locks during the test.
      const projector = newProjector([okrTreeProjection], 'starting', logger, 60_000);
      const started = projector.start();
      try {
        expect(
          await until(async () => {
            const [row] = await h.dataSource.query(
              `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                WHERE l.locktype = 'advisory' AND a.application_name = 'okr-ledger-projector-lock:starting'`,
            );
            return row.n === 1;
          }),
        ).toBe(true);
        await h.dataSource.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'okr-ledger-projector-lock:starting'`,
        );
        expect(await until(() => logger.has(/lock connection lost/))).toBe(true);
      } finally {
        await blocker.query('COMMIT');
        blocker.release();
      }
      await started;
      expect(projector.isActive('okr-tree')).toBe(false);
      expect(logger.has(/okr-tree: lost its lock while starting; not started/)).toBe(true);
      expect(logger.has(/okr-tree: active from/)).toBe(false);
    });

    it('refuses a batch whose lock session no longer holds the lock', async () => {
      const { last } = await seedCycle(h.commands, ana);
      const projector = newProjector([okrTreeProjection], 'pool-only');
      await ensureCheckpoint(projector.pool, okrTreeProjection);
      const before = await storedCheckpoint().catch(() => null);
      const { events } = await h.store.readAll({ limit: 100 });
      const [{ pid }] = await h.dataSource.query(`SELECT pg_backend_pid() AS pid`);
      await expect(
        applyBatch(projector.pool, okrTreeProjection, events, last, { lockPid: pid }),
      ).rejects.toBeInstanceOf(ProjectionLockLost);
      expect(await storedCheckpoint().catch(() => null)).toEqual(before);
      expect(await h.dataSource.query(`SELECT * FROM read_models.cycles`)).toEqual([]);
    });
  });

  describe('when a batch is applied', () => {
    it('sees a stall cleared by whoever held the checkpoint while it waited for it', async () => {
      const { keyResult, last } = await seedCycle(h.commands, ana);
      await ensureCheckpoint(h.store.pool, okrTreeProjection);
      const { events } = await h.store.readAll({ limit: 100 });
      await h.dataSource.query(
        `INSERT INTO read_models.projection_stalls
           (tenant_id, projection, position, resume_after, event_id, stream_name, event_type, error)
         VALUES ('acme', 'okr-tree', '0', '0', 'e', 's', 'CycleScheduled', 'failed')`,
      );
      // A retry (retryStalls) holds the checkpoint row and clears the stall.
      const retry = await h.store.pool.connect();
      await retry.query('BEGIN');
      await retry.query(
        `SELECT 1 FROM read_models.projection_checkpoints WHERE name = 'okr-tree' FOR UPDATE`,
      );
      await retry.query(`DELETE FROM read_models.projection_stalls WHERE tenant_id = 'acme'`);
      const batch = applyBatch(h.store.pool, okrTreeProjection, events, last);
      try {
        expect(
          await until(async () => {
            const [row] = await h.dataSource.query(
              `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'`,
            );
            return row.n === 1;
          }),
        ).toBe(true);
      } finally {
        await retry.query('COMMIT');
        retry.release();
      }
      // Read before the wait, the stall would have skipped the tenant's events for good.
      expect(await batch).toMatchObject({ applied: events.length, stalls: [] });
      const [kr] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(kr).toMatchObject({ id: keyResult.id });
    });

    it('rolls back what a failed attempt wrote before isolating the event that fails', async () => {
      const a = await seedCycle(h.commands, ana);
      const e = await seedCycle(h.commands, eve);
      for (let i = 1; i <= 3; i++) {
        await h.commands.keyResults.checkIn(eve, { keyResultId: e.keyResult.id, value: i });
        await h.commands.keyResults.checkIn(ana, { keyResultId: a.keyResult.id, value: i });
      }
      const { events, checkpoint } = await h.store.readAll({
        limit: 1000,
        eventTypes: ['KeyResultCheckedIn'],
      });
      const bad = events.find((ev) => ev.metadata.tenantId === 'acme' && ev.data.value === 2);
      // Fails after writing its rows, as a late constraint would.
      const checkIns: Projection = {
        ...checkInsProjection,
        async apply(batch, client) {
          await checkInsProjection.apply(batch, client);
          if (batch.some((ev) => ev.id === bad?.id)) throw new Error('check-in refused');
        },
      };
      await ensureCheckpoint(h.store.pool, checkIns);
      const result = await applyBatch(h.store.pool, checkIns, events, checkpoint);
      expect(result.newStalls.map((st) => [st.tenantId, st.position])).toEqual([
        ['acme', bad?.position],
      ]);
      const rows: { tenant_id: string; value: number }[] = await h.dataSource.query(
        `SELECT tenant_id, value FROM read_models.check_ins ORDER BY tenant_id, value`,
      );
      expect(rows.map((r) => [r.tenant_id, r.value])).toEqual([
        ['acme', 1],
        ['globex', 1],
        ['globex', 2],
        ['globex', 3],
      ]);
      expect((await readStalls(h.store.pool)).map((st) => st.tenantId)).toEqual(['acme']);
    });

    it('notifies other processes when its checkpoint commits, not when nothing moved', async () => {
      const { last } = await seedCycle(h.commands, ana);
      await ensureCheckpoint(h.store.pool, okrTreeProjection);
      const { events } = await h.store.readAll({ limit: 100 });
      const listener = new Client({ connectionString: h.database.url });
      const heard: string[] = [];
      listener.on('notification', (n) => heard.push(n.payload ?? ''));
      await listener.connect();
      try {
        await listener.query(`LISTEN ${CHECKPOINT_CHANNEL}`);
        await applyBatch(h.store.pool, okrTreeProjection, events, last, { notify: 'moved' });
        expect(await until(() => heard.length > 0)).toBe(true);
        expect(heard).toEqual(['moved']);
        // Delivered again: the checkpoint stays, nobody is woken.
        await applyBatch(h.store.pool, okrTreeProjection, events, last, { notify: 'again' });
        await listener.query('SELECT 1');
        expect(heard).toEqual(['moved']);
        expect((await storedCheckpoint()).position).toBe(last);
      } finally {
        await listener.end();
      }
    });
    it('applies two projections’ batches at a time by default, and every batch', async () => {
      let applying = 0;
      let most = 0;
      const counted = READ_MODEL_PROJECTIONS.map((p): Projection => ({
        ...p,
        async apply(events, client) {
          most = Math.max(most, ++applying);
          try {
            // Long enough for every projection's first batch to be waiting at once.
            await new Promise((resolve) => setTimeout(resolve, 50));
            await p.apply(events, client);
          } finally {
            applying--;
          }
        },
      }));
      const { keyResult, last } = await seedCycle(h.commands, ana);
      const projector = newProjector(counted, 'turns');
      await projector.start();
      expect(await projector.waitForPosition(last, 10_000)).toBe(true);
      expect(most).toBe(2);
      const [kr] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(kr).toMatchObject({ id: keyResult.id });
    });
  });

  describe('when the stored tables are of another version', () => {
    it('refuses a batch of older code and writes nothing', async () => {
      const { keyResult, last } = await seedCycle(h.commands, ana);
      const current = newProjector([okrTreeProjection], 'current');
      await current.start();
      expect(await current.waitForPosition(last, 10_000)).toBe(true);
      await current.stop();
      const checkIn = await h.commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 9,
      });
      const [event] = (await h.store.readAll({ after: last, limit: 10 })).events;
      expect(event?.type).toBe('KeyResultCheckedIn');
      const before = await storedCheckpoint();
      const older = { ...okrTreeProjection, version: V - 1 };
      await expect(
        applyBatch(h.store.pool, older, event ? [event] : [], checkIn.position ?? ''),
      ).rejects.toBeInstanceOf(ProjectionVersionChanged);
      expect(await storedCheckpoint()).toEqual(before);
      const [kr] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(kr?.currentValue).toBe(0);
    });

    it('stops a running instance once newer code swapped its tables in, and never rebuilds them back', async () => {
      const { keyResult, last } = await seedCycle(h.commands, ana);
      const logger = new RecordingLogger();
      const old = newProjector([okrTreeProjection], 'old', logger);
      await old.start();
      expect(await old.waitForPosition(last, 10_000)).toBe(true);

      // The CLI of newer code rebuilds and swaps in version V + 1 beside it.
      const newer = { ...okrTreeProjection, version: V + 1 };
      await rebuildProjection(h.store.pool, h.store, newer);
      const checkIn = await h.commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 4,
      });
      expect(await until(() => !old.isActive('okr-tree'))).toBe(true);
      const refused = `tables are version ${V + 1}, this code writes version ${V}; batch refused`;
      expect(logger.has(new RegExp(refused))).toBe(true);
      // Older code starting later neither runs it nor rebuilds it back to its version.
      const lateLogger = new RecordingLogger();
      const late = newProjector([okrTreeProjection], 'old-late', lateLogger);
      await late.start();
      const notRun = `tables are version ${V + 1}, this code writes ${V}: not running it`;
      expect(lateLogger.has(new RegExp(notRun))).toBe(true);
      expect(late.isActive('okr-tree')).toBe(false);
      expect(await storedCheckpoint()).toMatchObject({ version: V + 1 });
      expect((await storedCheckpoint()).position < (checkIn.position ?? '')).toBe(true);

      const taker = newProjector([newer], 'new');
      await taker.start();
      expect(await taker.waitForPosition(checkIn.position ?? '', 10_000)).toBe(true);
      const [kr] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(kr?.currentValue).toBe(4);
      expect(old.isActive('okr-tree')).toBe(false);
    });
  });
});
