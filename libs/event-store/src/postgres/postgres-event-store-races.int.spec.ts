import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createTestDatabase } from '@okr-ledger/testing/test-database';
import type { TestDatabase } from '@okr-ledger/testing/test-database';
import type { RecordedEvent } from '../event-store.port';
import { EventStoreIntegrityError } from '../event-store.errors';
import { comparePositions, START_POSITION } from '../positions';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore } from './postgres-event-store';
import type { PostgresEventStore } from './postgres-event-store';

/** The adapter's own append SQL, inside a transaction the test controls. */
async function appendInTransaction(client: Client, stream: string): Promise<string> {
  const e = event('InTx');
  await client.query(
    `SELECT * FROM event_store.append_events($1, 'any', NULL, $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], now(), false)`,
    [stream, [e.id], [e.type], [JSON.stringify(e.data)], [JSON.stringify(e.metadata)]],
  );
  return e.id!;
}

async function readEverything(
  store: PostgresEventStore,
  after = START_POSITION,
): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let checkpoint = after;
  for (;;) {
    const page = await store.readAll({ after: checkpoint, limit: 100 });
    all.push(...page.events);
    checkpoint = page.checkpoint;
    if (page.isEnd) return all;
  }
}

async function waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for the condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PostgresEventStore', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const clients: Client[] = [];

  async function connect(): Promise<Client> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    database = await createTestDatabase('event_store_races');
    store = await createPostgresEventStore(database.url, {
      pollIntervalMs: 100,
      maxConnections: 24,
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await store?.close();
    await database?.drop();
  });

  describe('when an earlier transaction commits after a later one', () => {
    it('holds back the later event until the earlier commits, then delivers both in order', async () => {
      const start = await store.headPosition();
      const slow = await connect();
      await slow.query('BEGIN');
      const slowId = await appendInTransaction(slow, `race-${randomUUID()}`);
      const fast = event('Fast');
      const fastResult = await store.append(`race-${randomUUID()}`, [fast]);

      const whileOpen = await store.readAll({ after: start });
      expect(whileOpen.events.map((e) => e.id)).not.toContain(fast.id);
      expect(comparePositions(whileOpen.checkpoint, fastResult.position)).toBeLessThan(0);

      await slow.query('COMMIT');
      const afterCommit = await store.readAll({ after: whileOpen.checkpoint });
      expect(afterCommit.events.map((e) => e.id)).toEqual([slowId, fast.id]);
    });
  });

  describe('when a transaction rolls back', () => {
    it('leaves a gap in the sequence that readers pass over', async () => {
      const start = await store.headPosition();
      const client = await connect();
      await client.query('BEGIN');
      const rolledBack = await appendInTransaction(client, `gap-${randomUUID()}`);
      await client.query('ROLLBACK');
      const before = event('BeforeGap');
      const after = event('AfterGap');
      await store.append(`gap-${randomUUID()}`, [before]);
      await store.append(`gap-${randomUUID()}`, [after]);
      const { rows } = await client.query<{ gaps: string }>(
        `SELECT count(*) FILTER (WHERE global_position - prev > 1) AS gaps FROM (
           SELECT global_position, lag(global_position) OVER (ORDER BY global_position) AS prev
             FROM event_store.events) s`,
      );
      expect(Number(rows[0]!.gaps)).toBeGreaterThan(0);
      const events = await readEverything(store, start);
      expect(events.map((e) => e.id)).toEqual([before.id, after.id]);
      expect(events.map((e) => e.id)).not.toContain(rolledBack);
    });
  });

  describe('when 16 writers append while subscribers catch up', () => {
    it('gives every subscriber every committed event exactly once, in one and the same order', async () => {
      const start = await store.headPosition();
      const seen: RecordedEvent[][] = [[], [], []];
      const subscriptions = seen.map((list, i) =>
        store.subscribe({
          from: start,
          batchSize: 7 + i * 13,
          handler: async (batch) => {
            list.push(...batch);
          },
        }),
      );
      const committed = new Set<string>();
      const rolledBack = new Set<string>();
      const writers = Array.from({ length: 16 }, async (_, w) => {
        const client = await connect();
        for (let i = 0; i < 25; i++) {
          const stream = `load-${w}-${i % 5}`;
          if (i % 4 === 0) {
            // A slow explicit transaction that commits late, or rolls back.
            await client.query('BEGIN');
            const id = await appendInTransaction(client, `${stream}-tx-${i}`);
            await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 30)));
            if (i % 8 === 0) {
              await client.query('ROLLBACK');
              rolledBack.add(id);
            } else {
              await client.query('COMMIT');
              committed.add(id);
            }
          } else {
            const e = event('Load', { w, i });
            await store.append(stream, [e]);
            committed.add(e.id!);
          }
        }
      });
      await Promise.all(writers);
      await waitFor(() => seen.every((list) => list.length >= committed.size));
      await Promise.all(subscriptions.map((s) => s.stop()));

      const reference = seen[0]!.map((e) => e.id);
      expect(new Set(reference).size).toBe(reference.length);
      expect(new Set(reference)).toEqual(committed);
      expect(reference.some((id) => rolledBack.has(id))).toBe(false);
      for (const list of seen) expect(list.map((e) => e.id)).toEqual(reference);
      const positions = seen[0]!.map((e) => e.position);
      expect([...positions].sort(comparePositions)).toEqual(positions);
      expect((await readEverything(store, start)).map((e) => e.id)).toEqual(reference);
    });
  });

  describe('when another process appends', () => {
    it('wakes a subscriber through LISTEN/NOTIFY long before its poll interval', async () => {
      const listener = await createPostgresEventStore(database.url, { pollIntervalMs: 60_000 });
      try {
        const start = await store.headPosition();
        const received: RecordedEvent[] = [];
        const subscription = listener.subscribe({
          from: start,
          handler: async (batch) => {
            received.push(...batch);
          },
        });
        // Let it catch up and start waiting on the 60 s poll.
        await new Promise((r) => setTimeout(r, 300));
        const e = event('Notified');
        await store.append(`notify-${randomUUID()}`, [e]);
        await waitFor(() => received.some((r) => r.id === e.id), 5_000);
        await subscription.stop();
      } finally {
        await listener.close();
      }
    });
  });

  describe('when a store on a shared pool closes while it listens', () => {
    it('destroys its LISTEN connection instead of returning it to the pool, and survives its later error', async () => {
      const pool = new Pool({
        connectionString: database.url,
        max: 4,
        application_name: 'shared-pool',
      });
      pool.on('error', () => undefined);
      const shared = await createPostgresEventStore(pool, { pollIntervalMs: 60_000 });
      const subscription = shared.subscribe({ handler: async () => undefined });
      const admin = await connect();
      const listening = async () =>
        (
          await admin.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE application_name = 'shared-pool' AND query LIKE 'LISTEN %'`,
          )
        ).rows[0]?.n ?? 0;
      const deadline = Date.now() + 5_000;
      while ((await listening()) === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await listening()).toBe(1);

      await subscription.stop();
      await shared.close();
      // Terminating the pool's backends makes pg emit errors on whatever the store kept.
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'shared-pool'`,
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(await listening()).toBe(0);
      // The pool the caller owns still works.
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
      await pool.end();
    });
  });

  describe('when migrating', () => {
    it('is idempotent under concurrent runs', async () => {
      const results = await Promise.all([store.migrate(), store.migrate()]);
      expect(results).toEqual([[], []]);
    });
  });

  describe('when stored transaction ids are ahead of the server', () => {
    it('refuses to start with a clear error', async () => {
      const restored = await createTestDatabase('event_store_restored');
      const first = await createPostgresEventStore(restored.url);
      try {
        const client = new Client({ connectionString: restored.url });
        await client.connect();
        const e = event('FromAnotherCluster');
        // What a dump restored into a younger cluster looks like.
        await client.query(
          `INSERT INTO event_store.events (transaction_id, global_position, event_id, stream_name, revision,
             type, data, metadata, tenant_id, recorded_at, hash)
           VALUES ((pg_snapshot_xmax(pg_current_snapshot())::text::bigint + 1000000)::text::xid8, 1, $1,
             'restored-1', 0, $2, '{}', $3, 'tenant-a', now(), '\\x00')`,
          [e.id, e.type, JSON.stringify(e.metadata)],
        );
        await client.end();
        await expect(createPostgresEventStore(restored.url)).rejects.toThrow(
          EventStoreIntegrityError,
        );
        await expect(first.checkTransactionIds()).rejects.toThrow(/restored from a dump/);
      } finally {
        await first.close();
        await restored.drop();
      }
    });
  });
});
