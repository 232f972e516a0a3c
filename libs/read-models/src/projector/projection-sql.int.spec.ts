import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { Client } from 'pg';
import { selectByTenantPairs, upsertRows, writeRows } from './projection-sql';

// The projections' statements are prepared once per connection and reused: what they read must
// not depend on that (the pairs asked, the schema of the moment, a table that changed).
describe('projection SQL', () => {
  let database: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase('projection-sql');
    client = new Client({ connectionString: database.url });
    await client.connect();
    for (const schema of ['live', 'shadow']) {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(
        `CREATE TABLE ${schema}.things (tenant_id text, id text, label text, PRIMARY KEY (tenant_id, id))`,
      );
    }
    await client.query('SET search_path = live');
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  const ids = (rows: { tenant_id: string; id: string }[]) =>
    rows.map((r) => `${r.tenant_id}/${r.id}`).sort();

  it('reads exactly the pairs asked, over tenants whose ids cross', async () => {
    const many = Array.from({ length: 100 }, (_, i) => `n${i}`);
    const rows = ['a', 'b'].flatMap((tenant_id) =>
      ['x', 'z', ...many].map((id) => ({ tenant_id, id, label: `${tenant_id}-${id}` })),
    );
    await upsertRows(client, 'things', ['tenant_id', 'id'], rows);

    const few = await selectByTenantPairs<{ tenant_id: string; id: string }>(
      client,
      'things',
      'id',
      [
        ['a', 'x'],
        ['b', 'z'],
        ['b', 'missing'],
      ],
    );
    expect(ids(few)).toEqual(['a/x', 'b/z']);

    const asked = many.map((id, i) => [i % 2 === 0 ? 'a' : 'b', id] as const);
    const lots = await selectByTenantPairs<{ tenant_id: string; id: string }>(
      client,
      'things',
      'id',
      asked,
    );
    expect(ids(lots)).toEqual(asked.map(([t, id]) => `${t}/${id}`).sort());
  });

  it('writes several tables in one statement: upserts replace, inserts skip what is there', async () => {
    await client.query(
      'CREATE TABLE live.notes (tenant_id text, id text, body text, PRIMARY KEY (tenant_id, id))',
    );
    await writeRows(client, [
      {
        table: 'things',
        conflict: ['tenant_id', 'id'],
        rows: [{ tenant_id: 'w', id: '1', label: 'first' }],
      },
      { table: 'notes', rows: [{ tenant_id: 'w', id: '1', body: 'first' }] },
    ]);
    await writeRows(client, [
      {
        table: 'things',
        conflict: ['tenant_id', 'id'],
        rows: [{ tenant_id: 'w', id: '1', label: 'second' }],
      },
      {
        table: 'notes',
        rows: [
          { tenant_id: 'w', id: '1', body: 'second' },
          { tenant_id: 'w', id: '2', body: 'new' },
        ],
      },
      { table: 'things', conflict: ['tenant_id', 'id'], rows: [] },
    ]);
    const things = await client.query(`SELECT label FROM live.things WHERE tenant_id = 'w'`);
    const notes = await client.query(`SELECT id, body FROM live.notes ORDER BY id`);
    expect(things.rows).toEqual([{ label: 'second' }]);
    expect(notes.rows).toEqual([
      { id: '1', body: 'first' },
      { id: '2', body: 'new' },
    ]);
  });

  it('follows the search path (a rebuild writes its shadow schema on the same statements)', async () => {
    const key = [['t', 'one']] as const;
    await upsertRows(
      client,
      'things',
      ['tenant_id', 'id'],
      [{ tenant_id: 't', id: 'one', label: 'live' }],
    );
    await client.query('SET search_path = shadow');
    await upsertRows(
      client,
      'things',
      ['tenant_id', 'id'],
      [{ tenant_id: 't', id: 'one', label: 'shadow' }],
    );
    const fromShadow = await selectByTenantPairs<{ label: string }>(client, 'things', 'id', key);
    await client.query('SET search_path = live');
    const fromLive = await selectByTenantPairs<{ label: string }>(client, 'things', 'id', key);
    expect(fromShadow.map((r) => r.label)).toEqual(['shadow']);
    expect(fromLive.map((r) => r.label)).toEqual(['live']);
  });

  it('prepares again after a table gained a column under a prepared read (the retried batch reads it)', async () => {
    const key = [['a', 'x']] as const;
    await selectByTenantPairs(client, 'things', 'id', key);
    await client.query(`ALTER TABLE live.things ADD COLUMN extra text DEFAULT 'new'`);
    // PostgreSQL refuses the prepared statement once ("cached plan must not change result
    // type"): the projector retries such a batch (not a poison event), under new names.
    const first = await selectByTenantPairs(client, 'things', 'id', key).then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    const again = await selectByTenantPairs<{ extra: string }>(client, 'things', 'id', key);
    expect(first).toBe('0A000');
    expect(again.map((r) => r.extra)).toEqual(['new']);
  });
});
