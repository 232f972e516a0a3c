import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import type { RecordedEvent, Subscription } from './event-store.port';
import { createPostgresEventStore, type PostgresEventStore } from './postgres/postgres-event-store';
import { event } from './testing/event-store.contract';

// Correctness bound of the mechanism (not a speed goal): an event that becomes visible late
// reaches a subscriber this soon after it does. The 1 s poll alone would take up to 1 s.
const DELIVERY_BOUND_MS = 150;

describe('PollingSubscription', () => {
  let database: TestDatabase;
  let writer: PostgresEventStore;
  let reader: PostgresEventStore;
  let holder: Client;
  let subscription: Subscription | null = null;

  beforeAll(async () => {
    database = await createTestDatabase('wakeups');
    writer = await createPostgresEventStore(database.url, { maxConnections: 2 });
    // Another process's store: it learns of appends only through NOTIFY (or its poll).
    reader = await createPostgresEventStore(database.url, { maxConnections: 2 });
    holder = new Client({ connectionString: database.url });
    await holder.connect();
  });
  afterAll(async () => {
    await subscription?.stop();
    await holder.end();
    await reader.close();
    await writer.close();
    await database.drop();
  });

  describe('when an append commits while another transaction with an id is open', () => {
    it('delivers the event soon after that transaction ends, not at the next poll', async () => {
      const stream = `wake-${randomUUID()}`;
      const received: { event: RecordedEvent; at: number }[] = [];
      subscription = reader.subscribe({
        from: await reader.headPosition(),
        streamPrefix: 'wake-',
        handler: (events) => {
          for (const e of events) received.push({ event: e, at: Date.now() });
          return Promise.resolve();
        },
      });
      // Live and idle: a first append is delivered through NOTIFY.
      await writer.append(stream, [event('Warm')]);
      await until(() => received.length === 1);

      // Holds the xmin horizon: the next append is committed but not yet readable.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      const { position } = await writer.append(stream, [event('Late')]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received).toHaveLength(1);
      await holder.query('COMMIT');
      const committedAt = Date.now();

      await until(() => received.length === 2, 5_000);
      const late = received[1];
      expect(late?.event.position).toBe(position);
      const delay = (late?.at ?? Infinity) - committedAt;
      expect(delay).toBeLessThan(DELIVERY_BOUND_MS);
    });
  });

  describe('when the transaction holding an event back ends between the read and the next', () => {
    it('still reads again soon: the read itself says the event waits, not a later query', async () => {
      // One store that writes and subscribes, without NOTIFY: the append's one wake-up is
      // in-process and is spent on the read that finds nothing, as the last of a burst of
      // wake-ups is when the holder outlives them all. Only the subscription's own re-poll
      // can then pick the held-back event up.
      const store = await createPostgresEventStore(database.url, {
        maxConnections: 4,
        pollIntervalMs: 2_000,
        notify: 'off',
      });
      const observer = new Client({ connectionString: database.url });
      await observer.connect();
      try {
        const stream = `held-${randomUUID()}`;
        const received: { event: RecordedEvent; at: number }[] = [];
        const late = event('Late');
        let armed = false;
        let committedAt = 0;
        // Orders the race the test is about: the first read that runs once the event is
        // committed finds nothing (the holder is open); the holder commits as that read
        // answers, before anything the subscription asks next.
        const pool = store.pool as unknown as {
          query: (...args: unknown[]) => Promise<{ rows: { kind?: number }[] }>;
        };
        const query = pool.query.bind(pool);
        pool.query = async (...args: unknown[]) => {
          // The read is a prepared statement: a query config, not a bare text.
          const [sent] = args as [string | { text?: string } | undefined];
          const text = typeof sent === 'string' ? sent : sent?.text;
          const isRead = text?.includes('WITH horizon') === true;
          const lateCommitted =
            armed &&
            isRead &&
            (
              await observer.query<{ stored: boolean }>(
                'SELECT EXISTS (SELECT 1 FROM event_store.events WHERE event_id = $1) AS stored',
                [late.id],
              )
            ).rows[0]?.stored === true;
          const result = await query(...args);
          if (lateCommitted && armed && !result.rows.some((r) => r.kind === 0)) {
            armed = false;
            await holder.query('COMMIT');
            committedAt = Date.now();
          }
          return result;
        };
        subscription = store.subscribe({
          from: await store.headPosition(),
          streamPrefix: 'held-',
          handler: (events) => {
            for (const e of events) received.push({ event: e, at: Date.now() });
            return Promise.resolve();
          },
        });
        await store.append(stream, [event('Warm')]);
        await until(() => received.length === 1);
        // Idle, waiting on its 2 s poll.
        await new Promise((resolve) => setTimeout(resolve, 300));

        await holder.query('BEGIN');
        await holder.query('SELECT pg_current_xact_id()');
        armed = true;
        const { position } = await store.append(stream, [late]);
        await until(() => received.length === 2, 5_000);
        expect(committedAt).toBeGreaterThan(0);
        expect(received[1]?.event.position).toBe(position);
        const delay = (received[1]?.at ?? Infinity) - committedAt;
        expect(delay).toBeLessThan(DELIVERY_BOUND_MS);
      } finally {
        await subscription?.stop();
        subscription = null;
        await store.close();
        await observer.end();
      }
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
