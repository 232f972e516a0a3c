import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { comparePositions } from '../positions';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store';

/**
 * What is guaranteed about recorded times (docs/adr/0005-time-travel.md): within a stream they
 * never go back and follow its commit order (read under the stream's lock, after the previous
 * append committed); across streams, appends that did not overlap in time are recorded in
 * the log's order. Appends to different streams that overlap are promised nothing.
 */
describe('PostgresEventStore recorded time', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const clients: Client[] = [];

  const connect = async (): Promise<Client> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    return client;
  };
  const timesOf = async (stream: string) =>
    (await store.readStream(stream)).map((e) => e.recordedAt.getTime());
  const nonDecreasing = (times: number[]): boolean =>
    times.every((t, i) => i === 0 || t >= times[i - 1]!);

  beforeAll(async () => {
    database = await createTestDatabase('event_store_recorded_time');
    store = await createPostgresEventStore(database.url, { maxConnections: 16 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await store?.close();
    await database?.drop();
  });

  describe('when many connections append to one stream at once', () => {
    it('records times that never go back in revision (= commit) order', async () => {
      const stream = 'recorded-one-stream';
      await Promise.all(
        Array.from({ length: 64 }, () => store.append(stream, [event('Concurrent')])),
      );
      const times = await timesOf(stream);
      expect(times).toHaveLength(64);
      expect(nonDecreasing(times)).toBe(true);
      expect(await store.verifyIntegrity({ tenantId: 'acme' })).toMatchObject({ problems: [] });
    });
  });

  describe('when an append waits for the stream lock held by an uncommitted append', () => {
    it('reads the time after that append committed, not when it was sent', async () => {
      const stream = 'recorded-lock-wait';
      await store.append(stream, [event('First')]);
      const holder = await connect();
      await holder.query('BEGIN');
      const e = event('Held');
      await holder.query(
        `SELECT * FROM event_store.append_events($1, 'any', NULL, $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], NULL, false)`,
        [stream, [e.id], [e.type], [JSON.stringify(e.data)], [JSON.stringify(e.metadata)]],
      );
      const { rows: pid } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const waiting = store.append(stream, [event('Waiting')]);
      // Until the second append is blocked behind the holder's row lock.
      const observer = await connect();
      for (;;) {
        const { rows } = await observer.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE $1 = ANY(pg_blocking_pids(pid))`,
          [pid[0]!.pid],
        );
        if (rows[0]!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const { rows: before } = await holder.query<{ at: Date }>('SELECT clock_timestamp() AS at');
      await holder.query('COMMIT');
      await waiting;
      const events = await store.readStream(stream);
      expect(events.map((x) => x.type)).toEqual(['First', 'Held', 'Waiting']);
      const [, held, late] = events;
      // At or after the holder's last statement before COMMIT (to the millisecond): the old
      // client-side clock, read before the wait, would have been earlier.
      const committedFrom = Math.floor(before[0]!.at.getTime());
      expect(late!.recordedAt.getTime()).toBeGreaterThanOrEqual(committedFrom);
      expect(late!.recordedAt.getTime()).toBeGreaterThanOrEqual(held!.recordedAt.getTime());
      expect(await store.verifyIntegrity({ tenantId: 'acme' })).toMatchObject({ problems: [] });
    });
  });

  describe('when appends to different streams follow one another', () => {
    it('records them in the log order', async () => {
      const results = [];
      for (let i = 0; i < 20; i++) {
        results.push(await store.append(`recorded-sequential-${i}`, [event('One')]));
      }
      const events = (
        await Promise.all(results.map((_, i) => store.readStream(`recorded-sequential-${i}`)))
      ).flat();
      const inLog = [...events].sort((a, b) => comparePositions(a.position, b.position));
      expect(inLog.map((e) => e.streamName)).toEqual(events.map((e) => e.streamName));
      expect(nonDecreasing(inLog.map((e) => e.recordedAt.getTime()))).toBe(true);
    });
  });

  describe('when a simulated clock goes back', () => {
    let simulated: PostgresEventStore;
    let now = new Date('2026-03-01T10:00:00.000Z');
    beforeAll(async () => {
      simulated = await createPostgresEventStore(database.url, { simulatedClock: () => now });
    });
    afterAll(async () => {
      await simulated.close();
    });

    it('records its time, but never before the stream’s last event; a new stream takes it as is', async () => {
      await simulated.append('recorded-simulated', [event('At10')]);
      now = new Date('2026-03-01T09:00:00.000Z');
      await simulated.append('recorded-simulated', [event('At9'), event('At9Too')]);
      await simulated.append('recorded-simulated-new', [event('At9')], {
        expectedState: 'no_stream',
      });
      expect(await timesOf('recorded-simulated')).toEqual(
        Array(3).fill(new Date('2026-03-01T10:00:00.000Z').getTime()),
      );
      expect(await timesOf('recorded-simulated-new')).toEqual([now.getTime()]);
      expect(await store.verifyIntegrity({ tenantId: 'acme' })).toMatchObject({ problems: [] });
    });

    it('keeps to the last event when the stream row has no head time (written before migration 5)', async () => {
      now = new Date('2026-03-02T10:00:00.000Z');
      await simulated.append('recorded-legacy', [event('At10')]);
      const admin = await connect();
      await admin.query(
        `UPDATE event_store.streams SET last_recorded_at = NULL WHERE stream_name = 'recorded-legacy'`,
      );
      now = new Date('2026-03-02T08:00:00.000Z');
      await simulated.append('recorded-legacy', [event('At8')]);
      expect(await timesOf('recorded-legacy')).toEqual(
        Array(2).fill(new Date('2026-03-02T10:00:00.000Z').getTime()),
      );
    });
  });
});
