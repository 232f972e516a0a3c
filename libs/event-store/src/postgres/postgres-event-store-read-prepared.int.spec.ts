import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import type { ReadAllOptions, RecordedEvent } from '../event-store.port';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store';

/**
 * readAll (the subscriptions' read) is a prepared statement per filter shape: one name per
 * exact text, values only as parameters. After five executions PostgreSQL may keep a generic
 * plan, so each shape's generic plan must still read the log through an index.
 */
describe('PostgresEventStore, the prepared readAll', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let all: RecordedEvent[];
  const TENANTS = ['tenant-a', 'tenant-b', 'tenant-c'];
  const CYCLES = ['2026-Q1', '2026-Q2'];
  const TYPES = ['Created', 'CheckedIn', 'Renamed'];

  const shapes: { name: string; options: ReadAllOptions; keep: (e: RecordedEvent) => boolean }[] = [
    { name: 'unfiltered', options: {}, keep: () => true },
    {
      name: 'event types',
      options: { eventTypes: ['Renamed'] },
      keep: (e) => e.type === 'Renamed',
    },
    {
      name: 'stream prefix',
      options: { streamPrefix: 'kr-' },
      keep: (e) => e.streamName.startsWith('kr-'),
    },
    {
      name: 'tenant',
      options: { metadata: { tenantId: 'tenant-b' } },
      keep: (e) => e.metadata.tenantId === 'tenant-b',
    },
    {
      name: "tenant and cycle (the expression index's shape)",
      options: { metadata: { tenantId: 'tenant-c', cycleId: '2026-Q2' } },
      keep: (e) => e.metadata.tenantId === 'tenant-c' && e.metadata.cycleId === '2026-Q2',
    },
    {
      name: 'types, prefix and recorded time',
      options: {
        eventTypes: ['Created', 'CheckedIn'],
        streamPrefix: 'obj-',
        recordedUpTo: new Date(Date.now() + 60_000),
      },
      keep: (e) => e.type !== 'Renamed' && e.streamName.startsWith('obj-'),
    },
  ];

  beforeAll(async () => {
    database = await createTestDatabase('event_store_read_prepared');
    // One connection, so its prepared statements are the store's.
    store = await createPostgresEventStore(database.url, { maxConnections: 1 });
    // Enough events that a sequential scan and sort would cost more than an index.
    for (let i = 0; i < 240; i++) {
      const tenantId = TENANTS[i % TENANTS.length] ?? 'tenant-a';
      const cycleId = CYCLES[Math.floor(i / TENANTS.length) % CYCLES.length] ?? '2026-Q1';
      const events = Array.from({ length: 50 }, (_, n) =>
        event(TYPES[n % TYPES.length] ?? 'Created', { n }, { tenantId, cycleId }),
      );
      await store.append(`${i % 2 === 0 ? 'obj' : 'kr'}-${i}`, events, {
        expectedState: 'no_stream',
      });
    }
    await store.pool.query('ANALYZE event_store.events');
    all = (await store.readAll({ limit: 100_000 })).events;
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('reads every shape right past the fifth execution, one prepared statement per shape', async () => {
    expect(all).toHaveLength(240 * 50);
    const middle = all[6_000]?.position;
    for (let round = 0; round < 7; round++) {
      // Interleaved, so shapes alternate on the one connection.
      for (const shape of shapes) {
        const page = await store.readAll({ ...shape.options, after: middle, limit: 40 });
        const expected = all.slice(6_001).filter(shape.keep).slice(0, 40);
        expect({ shape: shape.name, ids: page.events.map((e) => e.id) }).toEqual({
          shape: shape.name,
          ids: expected.map((e) => e.id),
        });
        expect(page.isEnd).toBe(false);
      }
    }
    const { rows } = await store.pool.query<{ name: string }>(
      `SELECT name FROM pg_prepared_statements
        WHERE name LIKE 'event_store.read\\_%'`,
    );
    expect(rows).toHaveLength(shapes.length);
  });

  it("keeps an index in every shape's generic plan", async () => {
    const texts: string[] = [];
    const pool = store.pool as unknown as { query: (...args: unknown[]) => Promise<unknown> };
    const query = pool.query.bind(pool);
    pool.query = (...args: unknown[]) => {
      const [sent] = args as [{ name?: string; text?: string } | string];
      if (typeof sent === 'object' && sent.name?.startsWith('event_store.read_') && sent.text)
        texts.push(sent.text);
      return query(...args);
    };
    try {
      for (const shape of shapes) await store.readAll({ ...shape.options, limit: 10 });
    } finally {
      pool.query = query;
    }
    expect(texts).toHaveLength(shapes.length);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      for (const [i, text] of texts.entries()) {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (GENERIC_PLAN) ${text}`,
        );
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        // The page is read in log order through an index (the cycle's, when it is filtered on).
        const page = /Index Scan using (\w+) on events e\s/.exec(plan)?.[1];
        expect({ shape: shapes[i]?.name, seqScan: /Seq Scan/.test(plan), page }).toEqual({
          shape: shapes[i]?.name,
          seqScan: false,
          page: i === 4 ? 'events_tenant_cycle_idx' : 'events_pkey',
        });
      }
    } finally {
      await client.end();
    }
  });
});
