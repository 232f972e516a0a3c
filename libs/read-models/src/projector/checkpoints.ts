import type { RecordedEvent } from '@okr-ledger/event-store';
import { START_POSITION } from '@okr-ledger/event-store';
import type { ClientBase, Pool, PoolClient } from 'pg';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';
import type { Projection } from './projection.port';
import { tenantOf } from './recorded-event';
import {
  applyIsolatingFailures,
  insertStalls,
  readStalls,
  type NewStall,
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

/** Sets the transaction up to write `schema`; durability is not needed (see below). */
export async function beginProjectionTransaction(
  client: ClientBase,
  schema: string,
): Promise<void> {
  await client.query('BEGIN');
  // The checkpoint commits with the rows: a crash loses both together and the events are
  // replayed, so waiting for the WAL flush buys nothing but latency.
  await client.query(
    `SELECT set_config('synchronous_commit', 'off', true), set_config('search_path', $1, true)`,
    [`${schema}, public`],
  );
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
  const row = rows[0];
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
}

export interface BatchResult {
  readonly checkpoint: string;
  readonly applied: number;
  /** Every stall of this projection once the batch committed (new ones included). */
  readonly stalls: readonly StoredStall[];
  readonly newStalls: readonly NewStall[];
}

/** Whether the session `pid` holds the projector's advisory lock of `name`. */
export async function holdsProjectionLock(
  client: ClientBase | Pool,
  pid: number,
  name: string,
): Promise<boolean> {
  const { rows } = await client.query<{ held: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_locks
                     WHERE locktype = 'advisory' AND granted AND pid = $1
                       AND classid = $2::int4::oid AND objid = hashtext($3)::oid
                       AND objsubid = 2) AS held`,
    [pid, PROJECTOR_LOCK_SPACE, name],
  );
  return rows[0]?.held === true;
}

/**
 * Applies a batch and moves the checkpoint in one transaction. The checkpoint row is locked
 * first, so two instances (or a rebuild's swap, or a retry) serialise, and events at or before
 * it — a redelivery, or another instance got there first — are skipped. The batch is refused
 * when the stored version is not one this code writes, or when `lockPid` lost the lock.
 * Events of tenants with a stall row are skipped; an event that fails on its own data stalls
 * its tenant (ADR 0006) in the same transaction, and the others are applied.
 */
export async function applyBatch(
  pool: Pool,
  projection: Projection,
  events: readonly RecordedEvent[],
  checkpoint: string,
  options: BatchOptions = {},
): Promise<BatchResult> {
  return inProjectionTransaction(pool, READ_MODELS_SCHEMA, async (client) => {
    const row = await lockCheckpoint(client, projection, options.versions);
    if (
      options.lockPid !== undefined &&
      !(await holdsProjectionLock(client, options.lockPid, projection.name))
    ) {
      throw new ProjectionLockLost(projection.name);
    }
    const stored = row.position;
    const stalls = await readStalls(client, { projection: projection.name });
    const halted = new Set(stalls.map((s) => s.tenantId));
    const fresh = events.filter((e) => e.position > stored && !halted.has(tenantOf(e)));
    let newStalls: NewStall[] = [];
    let written: StoredStall[] = [];
    if (fresh.length > 0) {
      // Also into the old tables during a start-up rebuild: the swap replaces their stalls.
      newStalls = await applyIsolatingFailures(client, projection, fresh, halted, stored);
      written = await insertStalls(client, newStalls);
    }
    const next = checkpoint > stored ? checkpoint : stored;
    if (next !== stored) {
      await client.query(
        `UPDATE ${CHECKPOINTS_TABLE} SET position = $2, updated_at = now() WHERE name = $1`,
        [projection.name, next],
      );
    }
    return { checkpoint: next, applied: fresh.length, newStalls, stalls: [...stalls, ...written] };
  });
}
