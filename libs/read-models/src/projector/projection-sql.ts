import { Query, type ClientBase, type QueryResult, type QueryResultRow } from 'pg';
import { StatementNames } from '@okr-ledger/platform';

/** A key for in-memory maps: ids are only unique within a tenant. */
export const tenantKey = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new TypeError(`Not a plain SQL identifier: "${name}"`);
  return name;
}

// Names of the prepared statements by text. A projection sends few distinct texts (one per
// table and column set), so the map and each connection's statements stay small; past the cap
// a text goes unnamed, as before.
const statementNames = new StatementNames('okr_rm_', 500);
// Bumped when PostgreSQL refuses a prepared statement whose table changed its columns under it
// (a migration by another instance): the retried batch prepares under new names.
let statementGeneration = 0;

/**
 * A projection's statement, prepared once per connection: PostgreSQL parses and analyses it
 * (for these statements as much CPU as executing them, measured) only on its first use there,
 * and plans it as its plan cache decides (custom plans while they are cheaper). The search
 * path is part of a cached plan, so a rebuild's shadow schema gets its own.
 */
export async function preparedQuery<Row extends QueryResultRow = QueryResultRow>(
  client: ClientBase,
  text: string,
  values: readonly unknown[],
): Promise<QueryResult<Row>> {
  const name = statementNames.of(text);
  if (name === undefined) return client.query<Row>(text, values as unknown[]);
  try {
    return await client.query<Row>({
      name: `${name}_${statementGeneration}`,
      text,
      values: values as unknown[],
    });
  } catch (error) {
    // "cached plan must not change result type"
    if ((error as { code?: unknown }).code === '0A000') statementGeneration++;
    throw error;
  }
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
  if (rows.length === 0) return;
  await preparedQuery(client, upsertText({ table, rows, conflict: conflictColumns }, '$1'), [
    JSON.stringify(rows),
  ]);
}

/**
 * Rows for one table: upserted on `conflict` (upsertRows), or without it inserted ignoring
 * the rows already there (insertRowsIgnoringDuplicates).
 */
export interface RowWrite {
  readonly table: string;
  readonly rows: readonly object[];
  readonly conflict?: readonly string[];
}

function upsertText(write: RowWrite, param: string): string {
  const t = identifier(write.table);
  const conflict = write.conflict ?? [];
  const updates = Object.keys(write.rows[0] ?? {})
    .filter((c) => !conflict.includes(c))
    .map((c) => `${identifier(c)} = EXCLUDED.${c}`)
    .join(', ');
  return `INSERT INTO ${t} SELECT * FROM json_populate_recordset(NULL::${t}, ${param}::json)
     ON CONFLICT (${conflict.map(identifier).join(', ')}) DO UPDATE SET ${updates}`;
}

const insertIgnoringText = (table: string, param: string): string => {
  const t = identifier(table);
  return `INSERT INTO ${t} SELECT * FROM json_populate_recordset(NULL::${t}, ${param}::json)
     ON CONFLICT DO NOTHING`;
};

/**
 * A batch's writes to several tables in one statement (one round trip, one plan): each table's
 * INSERT a data-modifying WITH query of the last one. They run on one snapshot, which is
 * enough while each table appears once (else, and on a rebuild's bulk loader, one by one).
 */
export async function writeRows(client: ClientBase, writes: readonly RowWrite[]): Promise<void> {
  const pending = writes.filter((w) => w.rows.length > 0);
  const tables = new Set(pending.map((w) => w.table));
  if (pending.length < 2 || tables.size < pending.length || bulkLoads.has(client)) {
    for (const w of pending) {
      if (w.conflict) await upsertRows(client, w.table, w.conflict, w.rows);
      else await insertRowsIgnoringDuplicates(client, w.table, w.rows);
    }
    return;
  }
  const statements = pending.map((w, i) =>
    w.conflict ? upsertText(w, `$${i + 1}`) : insertIgnoringText(w.table, `$${i + 1}`),
  );
  const last = statements.pop() as string;
  await preparedQuery(
    client,
    `WITH ${statements.map((text, i) => `w${i} AS (${text})`).join(',\n')}\n${last}`,
    pending.map((w) => JSON.stringify(w.rows)),
  );
}

/**
 * A rebuild's connection writing empty shadow tables that only it writes: append-only rows
 * go through COPY (about twice as fast as json_populate_recordset, measured), with the
 * duplicates ON CONFLICT DO NOTHING would have ignored dropped here, by primary key.
 */
export interface BulkLoad {
  /** Primary-key columns of each shadow table. */
  readonly keys: ReadonlyMap<string, readonly string[]>;
  /**
   * Keys written so far, per table whose key has no `position` (kept by the rebuild across
   * its transactions).
   */
  readonly seen: Map<string, Set<string>>;
  /**
   * For a table whose key includes `position`: the highest position written so far. A row
   * above it (rows come in log order) cannot meet an earlier one and goes through COPY with
   * no lookup; any other row goes through INSERT … ON CONFLICT DO NOTHING. (A set of every
   * key written cost ~0.5 s of CPU per 400,000 rows, mostly garbage collection.)
   */
  readonly floors: Map<string, string>;
  /**
   * While set, the keys added to `seen`, in order, so that a rolled-back savepoint can take
   * them out again (bulkMark / bulkRollback).
   */
  journal?: { readonly sets: Set<string>[]; readonly keys: string[] };
}

export interface BulkMark {
  readonly floors: ReadonlyMap<string, string>;
  readonly journalLength: number;
}

/** What the loader remembers now (its journal must be set). */
export function bulkMark(load: BulkLoad): BulkMark {
  return { floors: new Map(load.floors), journalLength: load.journal?.keys.length ?? 0 };
}

/** Forgets what the loader remembered since `mark`: those rows were rolled back. */
export function bulkRollback(load: BulkLoad, mark: BulkMark): void {
  load.floors.clear();
  for (const [table, floor] of mark.floors) load.floors.set(table, floor);
  const journal = load.journal;
  if (!journal) return;
  while (journal.keys.length > mark.journalLength) {
    const key = journal.keys.pop() as string;
    journal.sets.pop()?.delete(key);
  }
}

const bulkLoads = new WeakMap<ClientBase, BulkLoad>();

/** Marks `client` as a rebuild's bulk loader until the returned function is called. */
export function markBulkLoad(client: ClientBase, load: BulkLoad): () => void {
  bulkLoads.set(client, load);
  return () => {
    bulkLoads.delete(client);
  };
}

/** Multi-row insert that ignores rows already there (redelivered events). */
export async function insertRowsIgnoringDuplicates(
  client: ClientBase,
  table: string,
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return;
  const t = identifier(table);
  const bulk = bulkLoads.get(client);
  const keys = bulk?.keys.get(t);
  if (bulk && keys) {
    await copyNewRows(client, t, keys, bulk, rows);
    return;
  }
  await preparedQuery(client, insertIgnoringText(t, '$1'), [JSON.stringify(rows)]);
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

/**
 * The rows whose `(tenant_id, <column>)` is one of `keys`, by a join on `unnest` of the pairs.
 * Not two `= ANY` lists on the table (tried: planned in a third of the time, but with stale
 * statistics PostgreSQL 18 took key_results' (tenant_id, objective_id, created_at, id) index by
 * a skip scan for ids, reading the tenant's whole index where the join probes the primary key).
 */
export async function selectByTenantPairs<Row>(
  client: ClientBase,
  table: string,
  column: string,
  keys: Iterable<readonly [string, string]>,
  extraWhere = '',
): Promise<Row[]> {
  const [tenants, ids] = tenantPairs(keys);
  if (tenants.length === 0) return [];
  const { rows } = await preparedQuery(
    client,
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

async function copyNewRows(
  client: ClientBase,
  table: string,
  keyColumns: readonly string[],
  bulk: BulkLoad,
  rows: readonly object[],
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first).map(identifier);
  if (keyColumns.some((c) => !columns.includes(c)))
    throw new TypeError(`${table} rows must carry their primary key`);
  const byPosition = keyColumns.includes('position');
  let top = byPosition ? bulk.floors.get(table) : undefined;
  let seen = byPosition ? undefined : bulk.seen.get(table);
  if (!byPosition && !seen) bulk.seen.set(table, (seen = new Set()));
  const late: object[] = [];
  // Plain loops and concatenation: this encodes every row of a rebuild (profiled).
  let text = '';
  let written = 0;
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    if (seen) {
      let key = '';
      for (const k of keyColumns) key += `${copyText(record[k])}\u0000`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (bulk.journal) {
        bulk.journal.sets.push(seen);
        bulk.journal.keys.push(key);
      }
    } else {
      const position = String(record.position);
      if (top !== undefined && position <= top) {
        late.push(row);
        continue;
      }
      top = position;
    }
    let line = copyText(record[columns[0] as string]);
    for (let c = 1; c < columns.length; c++) line += `\t${copyText(record[columns[c] as string])}`;
    text += `${line}\n`;
    written++;
  }
  if (top !== undefined) bulk.floors.set(table, top);
  if (written > 0) {
    const data = Buffer.from(text);
    await new Promise<void>((resolve, reject) => {
      client.query(
        new CopyFromText(`COPY ${table} (${columns.join(', ')}) FROM STDIN`, data, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    });
  }
  if (late.length > 0) {
    // The first of each key, unless the table has it already: ON CONFLICT DO NOTHING without
    // relying on the primary key, which a rebuild adds after the replay (appendOnlyTables).
    const list = columns.join(', ');
    const keys = keyColumns.join(', ');
    await client.query(
      `INSERT INTO ${table} (${list}) SELECT ${list} FROM (
         SELECT DISTINCT ON (${keys}) * FROM json_populate_recordset(NULL::${table}, $1::json)
           WITH ORDINALITY AS r ORDER BY ${keys}, ordinality) r
        WHERE NOT EXISTS (SELECT 1 FROM ${table} t
                           WHERE ${keyColumns.map((k) => `t.${k} = r.${k}`).join(' AND ')})`,
      [JSON.stringify(late)],
    );
  }
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** COPY's text format, with the values json_populate_recordset would have stored. */
function copyText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return NEEDS_ESCAPE.test(value)
        ? value.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c] ?? c)
        : value;
    case 'number':
      // JSON has no NaN or Infinity: JSON.stringify made them null.
      return Number.isFinite(value) ? String(value) : '\\N';
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return '\\N';
    default:
      if (value === null) return '\\N';
      return copyText(value instanceof Date ? value.toISOString() : JSON.stringify(value));
  }
}

/**
 * `COPY … FROM STDIN` through pg's own protocol hooks (pg-copy-streams is not a dependency):
 * pg calls handleCopyInResponse when the server is ready for the data.
 */
class CopyFromText extends Query {
  constructor(
    text: string,
    private readonly data: Buffer,
    callback: (error: Error | undefined) => void,
  ) {
    super(text, undefined, callback);
  }

  // Not in pg's typings: the hook pg's client calls on CopyInResponse.
  handleCopyInResponse(connection: CopyConnection): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }
}

interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}
