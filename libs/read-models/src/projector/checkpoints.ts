import type { RecordedEvent } from '@okr-ledger/event-store';
import { START_POSITION } from '@okr-ledger/event-store';
import type { ClientBase, Pool } from 'pg';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';
import type { Projection } from './projection.port';

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
 * Applies a batch and moves the checkpoint in one transaction. The checkpoint row is locked
 * first, so two instances (or a rebuild's swap) serialise, and events at or before it — a
 * redelivery, or another instance got there first — are skipped.
 */
export async function applyBatch(
  pool: Pool,
  projection: Projection,
  events: readonly RecordedEvent[],
  checkpoint: string,
): Promise<{ checkpoint: string; applied: number }> {
  const client = await pool.connect();
  let failed = false;
  try {
    await beginProjectionTransaction(client, READ_MODELS_SCHEMA);
    const { rows } = await client.query<{ position: string }>(
      `SELECT position FROM ${CHECKPOINTS_TABLE} WHERE name = $1 FOR UPDATE`,
      [projection.name],
    );
    const stored = rows[0]?.position;
    if (stored === undefined) throw new Error(`no checkpoint row for ${projection.name}`);
    const fresh = events.filter((e) => e.position > stored);
    if (fresh.length > 0) await projection.apply(fresh, client);
    const next = checkpoint > stored ? checkpoint : stored;
    if (next !== stored) {
      await client.query(
        `UPDATE ${CHECKPOINTS_TABLE} SET position = $2, updated_at = now() WHERE name = $1`,
        [projection.name, next],
      );
    }
    await client.query('COMMIT');
    return { checkpoint: next, applied: fresh.length };
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-transaction may be broken: do not hand it out again.
    client.release(failed);
  }
}
