import type { RecordedEvent } from '@okr-ledger/event-store';
import { START_POSITION } from '@okr-ledger/event-store';
import {
  escapeIdentifier,
  escapeLiteral,
  type ClientBase,
  type Pool,
  type PoolClient,
  type QueryResult,
} from 'pg';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';
import type { Projection } from './projection.port';
import { tenantOf } from './recorded-event';
import {
  applyIsolatingFailures,
  insertStalls,
  isPoisonError,
  STALLS_TABLE,
  toStall,
  type NewStall,
  type StallRow,
  type StoredStall,
} from './stalls';

export const CHECKPOINTS_TABLE = `${READ_MODELS_SCHEMA}.projection_checkpoints`;
/** NOTIFY channel: another process's waitForPosition wakes when a batch commits here. */
export const CHECKPOINT_CHANNEL = 'read_models_checkpoint';
/** First key of every advisory lock the projector takes (the second is hashtext(name)). */
export const PROJECTOR_LOCK_SPACE = 720366528;

export interface StoredCheckpoint {
  readonly position: string;
  readonly version: number;
}

export async function ensureCheckpoint(
  pool: Pool | ClientBase,
  projection: Projection,
): Promise<StoredCheckpoint> {
  await pool.query(
    `INSERT INTO ${CHECKPOINTS_TABLE} (name, position, version) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO NOTHING`,
    [projection.name, START_POSITION, projection.version],
  );
  const { rows } = await pool.query<StoredCheckpoint>(
    `SELECT position, version FROM ${CHECKPOINTS_TABLE} WHERE name = $1`,
    [projection.name],
  );
  const row = rows[0];
  if (!row) throw new Error(`checkpoint of ${projection.name} vanished`);
  return row;
}

export async function readCheckpoints(pool: Pool): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ name: string; position: string }>(
    `SELECT name, position FROM ${CHECKPOINTS_TABLE}`,
  );
  return new Map(rows.map((r) => [r.name, r.position]));
}

/**
 * BEGIN and the settings of a transaction that writes `schema`, as one simple query (no
 * parameters, so several statements go in one round trip).
 */
function beginSql(schema: string): string {
  // The checkpoint commits with the rows: a crash loses both together and the events are
  // replayed, so waiting for the WAL flush buys nothing but latency.
  return `BEGIN; SET LOCAL synchronous_commit = off; SET LOCAL search_path = ${escapeIdentifier(schema)}, public;`;
}

/** Sets the transaction up to write `schema`; durability is not needed (see beginSql). */
export async function beginProjectionTransaction(
  client: ClientBase,
  schema: string,
): Promise<void> {
  await client.query(beginSql(schema));
}

/**
 * Runs `work` in one projection transaction (see beginProjectionTransaction) on a connection
 * of its own: committed when `work` returns, rolled back when it throws.
 */
export async function inProjectionTransaction<T>(
  pool: Pool,
  schema: string,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let failed = false;
  try {
    await beginProjectionTransaction(client, schema);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-transaction may be broken: do not hand it out again.
    client.release(failed);
  }
}

/**
 * Locks the checkpoint row of `projection` until the transaction ends, so whoever else
 * writes the projection (another instance, a rebuild's swap, a retry) waits, and refuses
 * stored tables of a version not in `versions`.
 */
export async function lockCheckpoint(
  client: ClientBase,
  projection: Projection,
  versions: readonly number[] = [projection.version],
): Promise<StoredCheckpoint> {
  const { rows } = await client.query<StoredCheckpoint>(
    `SELECT position, version FROM ${CHECKPOINTS_TABLE} WHERE name = $1 FOR UPDATE`,
    [projection.name],
  );
  return checkedCheckpoint(rows[0], projection, versions);
}

function checkedCheckpoint(
  row: StoredCheckpoint | undefined,
  projection: Projection,
  versions: readonly number[],
): StoredCheckpoint {
  if (row === undefined) throw new Error(`no checkpoint row for ${projection.name}`);
  if (!versions.includes(row.version)) {
    throw new ProjectionVersionChanged(projection.name, row.version, projection.version);
  }
  return row;
}

/** The stored tables are of another version than this code writes: the batch is refused. */
export class ProjectionVersionChanged extends Error {
  override readonly name = 'ProjectionVersionChanged';
  constructor(
    readonly projection: string,
    readonly stored: number,
    readonly running: number,
  ) {
    super(
      `${projection}: the tables are version ${stored}, this code writes version ${running}; batch refused`,
    );
  }
}

/** The lock session no longer holds the projection's advisory lock: the batch is refused. */
export class ProjectionLockLost extends Error {
  override readonly name = 'ProjectionLockLost';
  constructor(readonly projection: string) {
    super(`${projection}: this instance no longer holds the projection's lock; batch refused`);
  }
}

export interface BatchOptions {
  /**
   * Versions the stored tables may have; only the projection's own by default. A start-up
   * rebuild also accepts the previous one, whose tables keep serving until the swap.
   */
  readonly versions?: readonly number[];
  /** Backend pid of the session that must hold the projection's advisory lock. */
  readonly lockPid?: number;
  /**
   * Payload of a NOTIFY on CHECKPOINT_CHANNEL, delivered at commit when the checkpoint moves,
   * so that other processes re-read it; none by default.
   */
  readonly notify?: string;
}

export interface BatchResult {
  readonly checkpoint: string;
  readonly applied: number;
  /** Every stall of this projection once the batch committed (new ones included). */
  readonly stalls: readonly StoredStall[];
  readonly newStalls: readonly NewStall[];
}

/**
 * Applies a batch and moves the checkpoint in one transaction. The checkpoint row is locked
 * first, so two instances (or a rebuild's swap, or a retry) serialise, and events at or before
 * it — a redelivery, or another instance got there first — are skipped. The batch is refused
 * when the stored version is not one this code writes, or when `lockPid` lost the lock.
 * Events of tenants with a stall row are skipped; an event that fails on its own data stalls
 * its tenant (ADR 0006), and the others are applied.
 *
 * The batch almost always succeeds, so it is applied without a savepoint, in two round trips
 * around the projection's own statements. When an event's data fails it, the transaction is
 * rolled back and the batch applied once more in a fresh one, isolating the failing events.
 */
export async function applyBatch(
  pool: Pool,
  projection: Projection,
  events: readonly RecordedEvent[],
  checkpoint: string,
  options: BatchOptions = {},
): Promise<BatchResult> {
  const client = await pool.connect();
  let failed = false;
  try {
    try {
      return await batchTransaction(client, projection, events, checkpoint, options, false);
    } catch (error) {
      if (!(error instanceof PoisonInBatch)) throw error;
      return await batchTransaction(client, projection, events, checkpoint, options, true);
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A connection that failed mid-transaction may be broken: do not hand it out again.
    client.release(failed);
  }
}

/** An event's own data failed a batch applied without savepoints: it is to be isolated. */
class PoisonInBatch extends Error {
  constructor(override readonly cause: unknown) {
    super('an event of the batch failed on its data');
  }
}

async function batchTransaction(
  client: PoolClient,
  projection: Projection,
  events: readonly RecordedEvent[],
  checkpoint: string,
  { versions = [projection.version], lockPid, notify }: BatchOptions,
  isolate: boolean,
): Promise<BatchResult> {
  const name = escapeLiteral(projection.name);
  try {
    // One round trip, but separate statements, not one: each takes its snapshot once the one
    // before it is done, so the lock check runs with the row locked, and the stalls read sees
    // what whoever held the row before committed (a retry that cleared a stall, say).
    const results = (await client.query(
      `${beginSql(READ_MODELS_SCHEMA)}
       SELECT position, version FROM ${CHECKPOINTS_TABLE} WHERE name = ${name} FOR UPDATE;
       SELECT ${lockPid === undefined ? 'true' : holdsLockSql(lockPid, name)} AS held;
       SELECT * FROM ${STALLS_TABLE} WHERE projection = ${name} ORDER BY tenant_id`,
    )) as unknown as QueryResult[];
    // BEGIN and the two SETs come first.
    const [, , , locked, lock, stallRows] = results as [
      unknown,
      unknown,
      unknown,
      QueryResult<StoredCheckpoint>,
      QueryResult<{ held: boolean }>,
      QueryResult<StallRow>,
    ];
    const stored = checkedCheckpoint(locked.rows[0], projection, versions).position;
    if (lock.rows[0]?.held !== true) throw new ProjectionLockLost(projection.name);
    const stalls = stallRows.rows.map(toStall);
    const halted = new Set(stalls.map((s) => s.tenantId));
    const fresh = events.filter((e) => e.position > stored && !halted.has(tenantOf(e)));
    let newStalls: NewStall[] = [];
    let written: StoredStall[] = [];
    if (fresh.length > 0 && isolate) {
      // Also into the old tables during a start-up rebuild: the swap replaces their stalls.
      newStalls = await applyIsolatingFailures(client, projection, fresh, halted, stored);
      written = await insertStalls(client, newStalls);
    } else if (fresh.length > 0) {
      await projection.apply(fresh, client).catch((error: unknown) => {
        throw isPoisonError(error) ? new PoisonInBatch(error) : error;
      });
    }
    const next = checkpoint > stored ? checkpoint : stored;
    // The checkpoint, the NOTIFY and COMMIT: the second round trip.
    const moved =
      next === stored
        ? ''
        : `UPDATE ${CHECKPOINTS_TABLE} SET position = ${escapeLiteral(next)}, updated_at = now()
            WHERE name = ${name};
           ${notify === undefined ? '' : `SELECT pg_notify('${CHECKPOINT_CHANNEL}', ${escapeLiteral(notify)});`}`;
    await client.query(`${moved} COMMIT`);
    return { checkpoint: next, applied: fresh.length, newStalls, stalls: [...stalls, ...written] };
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    // A connection that cannot roll back is broken: no second attempt on it.
    throw error instanceof PoisonInBatch && !rolledBack ? error.cause : error;
  }
}

/** Whether the session `pid` holds the projector's advisory lock named by the literal `name`. */
function holdsLockSql(pid: number, name: string): string {
  if (!Number.isSafeInteger(pid)) throw new Error(`not a backend pid: ${pid}`);
  return `EXISTS (SELECT 1 FROM pg_locks
                   WHERE locktype = 'advisory' AND granted AND pid = ${pid}
                     AND classid = ${PROJECTOR_LOCK_SPACE}::int4::oid
                     AND objid = hashtext(${name})::oid AND objsubid = 2)`;
}
