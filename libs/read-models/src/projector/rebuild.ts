import type { EventStore, ReadAllResult } from '@okr-ledger/event-store';
import { PostgresEventStore, START_POSITION } from '@okr-ledger/event-store';
import type { ClientBase, Pool } from 'pg';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';
import {
  beginProjectionTransaction,
  CHECKPOINTS_TABLE,
  ensureCheckpoint,
  PROJECTOR_LOCK_SPACE,
} from './checkpoints';
import type { Projection } from './projection.port';

export interface RebuildProgress {
  readonly projection: string;
  readonly done: number;
  /** Events of the projection's types in the log when the rebuild started; null if unknown. */
  readonly total: number | null;
  readonly elapsedMs: number;
  readonly phase: 'replay' | 'indexes' | 'swap' | 'done';
}

export interface RebuildOptions {
  /** Events read and applied per transaction; 5000 by default. */
  readonly batchSize?: number;
  /**
   * Events per transaction when applying (the naive baseline of the benchmark uses 1);
   * the whole read page by default.
   */
  readonly transactionSize?: number;
  /** Stops after this many events without swapping (benchmark baseline only). */
  readonly limit?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  readonly projection: string;
  readonly events: number;
  readonly elapsedMs: number;
  readonly checkpoint: string;
  readonly swapped: boolean;
}

export const shadowSchemaOf = (projection: Projection): string =>
  `read_models_rebuild_${projection.name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;

/** Counts the events a rebuild will replay, for the progress bar (PostgreSQL store only). */
export async function countEvents(
  store: EventStore,
  eventTypes: readonly string[],
): Promise<number | null> {
  if (!(store instanceof PostgresEventStore)) return null;
  const { rows } = await store.pool.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM event_store.events WHERE type = ANY($1::text[])`,
    [eventTypes],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Replays the whole log into fresh copies of the projection's tables in a shadow schema
 * while the live tables keep serving, then swaps them in with renames in one transaction
 * that also catches up the last events and sets the checkpoint. Secondary indexes are built
 * once at the end rather than maintained row by row during the replay.
 */
export async function rebuildProjection(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? 5000;
  const shadow = shadowSchemaOf(projection);
  const started = Date.now();
  const eventTypes = [...projection.eventTypes];
  const total = options.onProgress ? await countEvents(store, eventTypes) : null;
  const report = (done: number, phase: RebuildProgress['phase']): void =>
    options.onProgress?.({
      projection: projection.name,
      done,
      total,
      elapsedMs: Date.now() - started,
      phase,
    });

  // A dedicated connection holds the rebuild lock: two rebuilds of one projection would
  // share (and drop) one shadow schema.
  const lock = await pool.connect();
  let failed = false;
  try {
    await lock.query('SELECT pg_advisory_lock($1, hashtext($2))', [
      PROJECTOR_LOCK_SPACE,
      `rebuild:${projection.name}`,
    ]);
    await createShadowTables(lock, projection, shadow);

    let position = START_POSITION;
    let done = 0;
    const read = (after: string): Promise<ReadAllResult> =>
      store.readAll({ after, limit: batchSize, eventTypes });
    let next = read(position);
    for (;;) {
      const page = await next;
      // Read the next page while this one is written.
      if (!page.isEnd) next = read(page.checkpoint);
      const events =
        options.limit !== undefined ? page.events.slice(0, options.limit - done) : page.events;
      const step = options.transactionSize ?? Math.max(events.length, 1);
      for (let i = 0; i < events.length; i += step) {
        await inTransaction(pool, shadow, (client) =>
          projection.apply(events.slice(i, i + step), client),
        );
      }
      done += events.length;
      position = page.checkpoint;
      report(done, 'replay');
      if (page.isEnd) break;
      if (options.limit !== undefined && done >= options.limit) {
        await next.catch(() => undefined);
        await lock.query(`DROP SCHEMA IF EXISTS ${shadow} CASCADE`);
        return {
          projection: projection.name,
          events: done,
          elapsedMs: Date.now() - started,
          checkpoint: position,
          swapped: false,
        };
      }
    }

    report(done, 'indexes');
    await createSecondaryIndexes(lock, projection, shadow);

    report(done, 'swap');
    await ensureCheckpoint(pool, projection);
    const client = await pool.connect();
    let swapFailed = false;
    try {
      await beginProjectionTransaction(client, shadow);
      // Serialises with the live instance's batches, which lock the same row.
      await client.query(`SELECT 1 FROM ${CHECKPOINTS_TABLE} WHERE name = $1 FOR UPDATE`, [
        projection.name,
      ]);
      for (;;) {
        const page = await read(position);
        if (page.events.length > 0) await projection.apply(page.events, client);
        done += page.events.length;
        position = page.checkpoint;
        if (page.isEnd) break;
      }
      for (const table of projection.tables) {
        await client.query(`DROP TABLE ${READ_MODELS_SCHEMA}.${table}`);
        await client.query(`ALTER TABLE ${shadow}.${table} SET SCHEMA ${READ_MODELS_SCHEMA}`);
      }
      await client.query(
        `UPDATE ${CHECKPOINTS_TABLE} SET position = $2, version = $3, updated_at = now()
          WHERE name = $1`,
        [projection.name, position, projection.version],
      );
      await client.query('COMMIT');
    } catch (error) {
      swapFailed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(swapFailed);
    }
    await lock.query(`DROP SCHEMA IF EXISTS ${shadow} CASCADE`);
    report(done, 'done');
    return {
      projection: projection.name,
      events: done,
      elapsedMs: Date.now() - started,
      checkpoint: position,
      swapped: true,
    };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (!failed) {
      await lock
        .query('SELECT pg_advisory_unlock($1, hashtext($2))', [
          PROJECTOR_LOCK_SPACE,
          `rebuild:${projection.name}`,
        ])
        .catch(() => undefined);
    }
    // On failure the connection is discarded, which also frees the lock.
    lock.release(failed);
  }
}

async function inTransaction(
  pool: Pool,
  schema: string,
  work: (client: ClientBase) => Promise<void>,
): Promise<void> {
  const client = await pool.connect();
  let failed = false;
  try {
    await beginProjectionTransaction(client, schema);
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release(failed);
  }
}

/** Empty copies with only their primary keys (upserts need them); other indexes come last. */
async function createShadowTables(
  client: ClientBase,
  projection: Projection,
  shadow: string,
): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${shadow} CASCADE`);
  await client.query(`CREATE SCHEMA ${shadow}`);
  for (const table of projection.tables) {
    await client.query(
      `CREATE TABLE ${shadow}.${table} (LIKE ${READ_MODELS_SCHEMA}.${table} INCLUDING DEFAULTS)`,
    );
    const { rows } = await client.query<{ name: string; definition: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
        WHERE conrelid = $1::regclass AND contype = 'p'`,
      [`${READ_MODELS_SCHEMA}.${table}`],
    );
    for (const pk of rows) {
      // Same name as the live one (names are per schema), so the swap keeps every name.
      await client.query(
        `ALTER TABLE ${shadow}.${table} ADD CONSTRAINT ${pk.name} ${pk.definition}`,
      );
    }
  }
}

async function createSecondaryIndexes(
  client: ClientBase,
  projection: Projection,
  shadow: string,
): Promise<void> {
  for (const table of projection.tables) {
    const { rows } = await client.query<{ definition: string }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
        WHERE i.indrelid = $1::regclass AND NOT i.indisprimary`,
      [`${READ_MODELS_SCHEMA}.${table}`],
    );
    for (const { definition } of rows) {
      await client.query(
        definition.replace(` ON ${READ_MODELS_SCHEMA}.${table} `, ` ON ${shadow}.${table} `),
      );
    }
    await client.query(`ANALYZE ${shadow}.${table}`);
  }
}
