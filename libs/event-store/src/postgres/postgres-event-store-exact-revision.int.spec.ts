import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { WrongExpectedVersion } from '../event-store.errors';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store';

/**
 * One event at the exact revision of an existing stream (the check-in shape) is one plain
 * statement, not the append function: the same guarantees, checked where that statement
 * differs from the function (the contract suite runs the rest).
 */
describe('PostgresEventStore, one event at an exact revision', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const clients: Client[] = [];
  const stream = (): string => `exact-${randomUUID()}`;

  const connect = async (): Promise<Client> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    return client;
  };
  const rejection = (attempt: Promise<unknown>): Promise<unknown> =>
    attempt.then(
      () => null,
      (e: unknown) => e,
    );

  beforeAll(async () => {
    database = await createTestDatabase('event_store_exact_revision');
    store = await createPostgresEventStore(database.url, { maxConnections: 20 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await store?.close();
    await database?.drop();
  });

  it('appends without calling the append function', async () => {
    // One connection, so its prepared statements are the store's.
    const single = await createPostgresEventStore(database.url, { maxConnections: 1 });
    try {
      const s = stream();
      await single.append(s, [event('Created')], { expectedState: 'no_stream' });
      const result = await single.append(s, [event('CheckedIn')], { expectedState: 0 });
      expect(result.nextRevision).toBe(1);
      const { rows } = await single.pool.query<{ name: string }>(
        `SELECT name FROM pg_prepared_statements WHERE name LIKE 'event_store.%' ORDER BY name`,
      );
      expect(rows.map((r) => r.name)).toEqual([
        'event_store.append_at_revision',
        'event_store.append_first_event',
      ]);
      const [, checkedIn] = await single.readStream(s);
      expect(checkedIn?.position).toBe(result.position);
      expect(await single.verifyIntegrity({ tenantId: 'tenant-a' })).toMatchObject({
        problems: [],
      });
    } finally {
      await single.close();
    }
  });

  it('lets one of 16 concurrent appends at the same revision win; the others get the actual revision', async () => {
    const s = stream();
    await store.append(s, [event('Created')], { expectedState: 'no_stream' });
    const attempts = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        store.append(s, [event('CheckedIn', { i })], { expectedState: 0 }).then(
          (result) => ({ result, error: null }),
          (error: unknown) => ({ result: null, error }),
        ),
      ),
    );
    const won = attempts.filter((a) => a.result !== null);
    expect(won).toHaveLength(1);
    expect(won[0]?.result?.nextRevision).toBe(1);
    for (const { error } of attempts.filter((a) => a.error !== null)) {
      expect(error).toBeInstanceOf(WrongExpectedVersion);
      expect(error).toMatchObject({ expected: 0, actual: 1 });
    }
    expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0, 1]);
  });

  it('keeps streams gap-free, chained and in time order under writers that retry conflicts', async () => {
    const streams = Array.from({ length: 4 }, stream);
    for (const s of streams)
      await store.append(s, [event('Created')], { expectedState: 'no_stream' });
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 10; i++) {
          const s = streams[(w + i) % streams.length]!;
          // Re-read and retry on a conflict, as handleCommand does for a check-in.
          for (;;) {
            const revision = (await store.readStream(s)).length - 1;
            const outcome = await rejection(
              store.append(s, [event('CheckedIn', { w, i })], { expectedState: revision }),
            );
            if (outcome === null) break;
            expect(outcome).toBeInstanceOf(WrongExpectedVersion);
          }
        }
      }),
    );
    let total = 0;
    for (const s of streams) {
      const events = await store.readStream(s);
      total += events.length - 1;
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
      const times = events.map((e) => e.recordedAt.getTime());
      expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    }
    expect(total).toBe(160);
    expect(await store.verifyIntegrity({ tenantId: 'tenant-a' })).toMatchObject({ problems: [] });
  });

  it('answers a re-sent append with its first result', async () => {
    const s = stream();
    await store.append(s, [event('Created')], { expectedState: 'no_stream' });
    const checkIn = event('CheckedIn');
    const original = await store.append(s, [checkIn], { expectedState: 0 });
    const again = await store.append(s, [checkIn], { expectedState: 0 });
    expect(again).toEqual(original);
    expect(await store.readStream(s)).toHaveLength(2);
  });

  it('refuses an id stored in another stream and leaves the stream where it was', async () => {
    const taken = event('Elsewhere');
    await store.append(stream(), [taken]);
    const s = stream();
    await store.append(s, [event('Created')], { expectedState: 'no_stream' });
    const refused = await rejection(store.append(s, [taken], { expectedState: 0 }));
    expect(refused).toBeInstanceOf(WrongExpectedVersion);
    expect(await store.readStream(s)).toHaveLength(1);
    // The head did not move with the refused event: revision 0 is still the one to append at.
    const next = await store.append(s, [event('CheckedIn')], { expectedState: 0 });
    expect(next.nextRevision).toBe(1);
    expect(await store.verifyIntegrity({ tenantId: 'tenant-a' })).toMatchObject({ problems: [] });
  });

  it('waits for an uncommitted append that moves the head, then refuses with the new revision', async () => {
    const s = stream();
    await store.append(s, [event('Created')], { expectedState: 'no_stream' });
    const holder = await connect();
    await holder.query('BEGIN');
    const held = event('Held');
    await holder.query(
      `SELECT * FROM event_store.append_events($1, 'exact', 0, $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], NULL, false)`,
      [s, [held.id], [held.type], [JSON.stringify(held.data)], [JSON.stringify(held.metadata)]],
    );
    const waiting = rejection(store.append(s, [event('Late')], { expectedState: 0 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await holder.query('COMMIT');
    const error = await waiting;
    expect(error).toBeInstanceOf(WrongExpectedVersion);
    expect(error).toMatchObject({ expected: 0, actual: 1 });
    expect((await store.readStream(s)).map((e) => e.type)).toEqual(['Created', 'Held']);
  });

  describe('with a simulated clock that goes back', () => {
    let now = new Date('2026-04-01T10:00:00.000Z');
    let simulated: PostgresEventStore;
    beforeAll(async () => {
      simulated = await createPostgresEventStore(database.url, { simulatedClock: () => now });
    });
    afterAll(async () => {
      await simulated.close();
    });

    it('records the stream’s last time instead, and the chain still verifies', async () => {
      const s = stream();
      await simulated.append(s, [event('At10')], { expectedState: 'no_stream' });
      now = new Date('2026-04-01T09:00:00.000Z');
      await simulated.append(s, [event('At9')], { expectedState: 0 });
      now = new Date('2026-04-01T11:00:00.000Z');
      await simulated.append(s, [event('At11')], { expectedState: 1 });
      expect((await simulated.readStream(s)).map((e) => e.recordedAt.toISOString())).toEqual([
        '2026-04-01T10:00:00.000Z',
        '2026-04-01T10:00:00.000Z',
        '2026-04-01T11:00:00.000Z',
      ]);
      expect(await store.verifyIntegrity({ tenantId: 'tenant-a' })).toMatchObject({
        problems: [],
      });
    });

    it('keeps to the last event when the head has no time (written before migration 5)', async () => {
      const s = stream();
      now = new Date('2026-04-02T10:00:00.000Z');
      await simulated.append(s, [event('At10')], { expectedState: 'no_stream' });
      const admin = await connect();
      await admin.query(
        `UPDATE event_store.streams SET last_recorded_at = NULL WHERE stream_name = $1`,
        [s],
      );
      now = new Date('2026-04-02T08:00:00.000Z');
      await simulated.append(s, [event('At8')], { expectedState: 0 });
      expect((await simulated.readStream(s)).map((e) => e.recordedAt.toISOString())).toEqual([
        '2026-04-02T10:00:00.000Z',
        '2026-04-02T10:00:00.000Z',
      ]);
    });
  });
});
