import type { ClientBase } from 'pg';

/** A key for in-memory maps: ids are only unique within a tenant. */
export const tenantKey = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new TypeError(`Not a plain SQL identifier: "${name}"`);
  return name;
}

/**
 * Multi-row upsert in one round trip: the rows travel as one JSON array and
 * json_populate_recordset turns them into the table's row type. Rows must carry every column
 * (snake_case keys). The table name resolves through the transaction's search_path.
 */
export async function upsertRows(
  client: ClientBase,
  table: string,
  conflictColumns: readonly string[],
  rows: readonly object[],
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const t = identifier(table);
  const updates = Object.keys(first)
    .filter((c) => !conflictColumns.includes(c))
    .map((c) => `${identifier(c)} = EXCLUDED.${c}`)
    .join(', ');
  await client.query(
    `INSERT INTO ${t} SELECT * FROM json_populate_recordset(NULL::${t}, $1::json)
     ON CONFLICT (${conflictColumns.map(identifier).join(', ')}) DO UPDATE SET ${updates}`,
    [JSON.stringify(rows)],
  );
}

/** Multi-row insert that ignores rows already there (redelivered events). */
export async function insertRowsIgnoringDuplicates(
  client: ClientBase,
  table: string,
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return;
  const t = identifier(table);
  await client.query(
    `INSERT INTO ${t} SELECT * FROM json_populate_recordset(NULL::${t}, $1::json)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/** `(tenant_id, <column>) IN (pairs)` as two parallel arrays, for one-query batch loads. */
export function tenantPairs(keys: Iterable<readonly [string, string]>): [string[], string[]] {
  const tenants: string[] = [];
  const ids: string[] = [];
  for (const [tenant, id] of keys) {
    tenants.push(tenant);
    ids.push(id);
  }
  return [tenants, ids];
}

export async function selectByTenantPairs<Row>(
  client: ClientBase,
  table: string,
  column: string,
  keys: Iterable<readonly [string, string]>,
  extraWhere = '',
): Promise<Row[]> {
  const [tenants, ids] = tenantPairs(keys);
  if (tenants.length === 0) return [];
  const { rows } = await client.query(
    `SELECT t.* FROM ${identifier(table)} t
       JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, id)
         ON t.tenant_id = k.tenant_id AND t.${identifier(column)} = k.id ${extraWhere}`,
    [tenants, ids],
  );
  return rows as Row[];
}

/** The values of `keys` present in `map`, in key order. */
export function pick<V>(map: ReadonlyMap<string, V>, keys: Iterable<string>): V[] {
  const values: V[] = [];
  for (const key of keys) {
    const value = map.get(key);
    if (value !== undefined) values.push(value);
  }
  return values;
}
