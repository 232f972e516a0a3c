import type { EventStore, ReadAllResult, RecordedEvent } from '@okr-ledger/event-store';
import { canCountEvents, START_POSITION } from '@okr-ledger/event-store';
import type { ClientBase, Pool } from 'pg';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';
import {
  beginProjectionTransaction,
  CHECKPOINTS_TABLE,
  ensureCheckpoint,
  inProjectionTransaction,
  PROJECTOR_LOCK_SPACE,
} from './checkpoints';
import type { Projection } from './projection.port';
import {
  bulkMark,
  bulkRollback,
  markBulkLoad,
  type BulkLoad,
  type BulkMark,
} from './projection-sql';
import { tenantOf } from './recorded-event';
import {
  applyIsolatingFailures,
  insertStalls,
  isPoisonError,
  STALLS_TABLE,
  type AttemptHooks,
  type NewStall,
} from './stalls';

export interface RebuildProgress {
  /** The projection, or for a one-pass rebuild of several, their names joined by ", ". */
  readonly projection: string;
  /** Events of the log read so far (a one-pass rebuild reads every type once). */
  readonly done: number;
  /** Events of the requested types in the log when the rebuild started; null if unknown. */
  readonly total: number | null;
  readonly elapsedMs: number;
  readonly phase: 'replay' | 'indexes' | 'swap' | 'done';
}

export interface RebuildOptions {
  /** Events read per page and applied per transaction; 5000 by default. */
  readonly batchSize?: number;
  /**
   * Events per transaction when applying (the naive baseline of the benchmark uses 1);
   * the whole read page by default.
   */
  readonly transactionSize?: number;
  /** Stops after this many events without swapping (benchmark baseline only). */
  readonly limit?: number;
  /**
   * The previous way, for the benchmark's side-by-side baseline: the store filters event
   * types on every page and append-only rows go through json_populate_recordset.
   */
  readonly legacy?: boolean;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  readonly projection: string;
  /** Events of this projection's types replayed (including the catch-up at the swap). */
  readonly events: number;
  readonly elapsedMs: number;
  readonly checkpoint: string;
  readonly swapped: boolean;
}

export const shadowSchemaOf = (projection: Projection): string =>
  `read_models_rebuild_${projection.name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;

/** Counts the events a rebuild will replay, for the progress bar (a store that counts only). */
export async function countEvents(
  store: EventStore,
  eventTypes: readonly string[],
): Promise<number | null> {
  if (!canCountEvents(store)) return null;
  return (await store.countEvents({ eventTypes })).count;
}

// Connections building the shadow tables' secondary indexes at once.
const INDEX_BUILDERS = 2;
// Pages read ahead of the slowest projection's writes.
const PAGES_AHEAD = 4;
// Below this share of the log, the store's type filter reads less than filtering here.
const SERVER_FILTER_SHARE = 0.1;

/**
 * Whether to ask the store for the types, and how many events of them there are. Measured on
 * 200,000 events: readAll with a type filter sorts every remaining matching event for each
 * page (bitmap scan, external sort), 11.5 s for the log in 5000-event pages; without one it
 * walks the primary key, 1.8 s. So a rebuild reads everything and filters in memory, unless
 * its types are a small share of the log (teams: 40 events of 200,000).
 */
async function planRead(
  store: EventStore,
  eventTypes: readonly string[],
): Promise<{ filterInStore: boolean; total: number | null }> {
  if (!canCountEvents(store)) return { filterInStore: true, total: null };
  const [mine, all] = await Promise.all([
    store.countEvents({ eventTypes }).then((c) => c.count),
    store.countEvents().then((c) => c.count),
  ]);
  return { filterInStore: mine < all * SERVER_FILTER_SHARE, total: mine };
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
  const [result] = await rebuildProjections(pool, store, [projection], options);
  if (!result) throw new Error(`rebuild of ${projection.name} gave no result`);
  return result;
}

interface Target {
  readonly projection: Projection;
  readonly shadow: string;
  readonly types: ReadonlySet<string>;
  readonly bulk: BulkLoad;
  events: number;
  /** Tenants halted by a poison event during the replay (ADR 0006), and their stalls. */
  readonly halted: Set<string>;
  readonly stalls: NewStall[];
  /** Position of the last event of its types replayed so far. */
  last: string;
}

/**
 * Rebuilds several projections in one pass over the log: each page is read once and applied
 * to every projection's shadow tables, each in its own transaction on its own connection, at
 * the same time, while the next page is read. The pool needs a connection for the locks plus
 * one per projection applied at once (fewer only queue). Each projection is then swapped on
 * its own, as `rebuildProjection` does.
 */
export async function rebuildProjections(
  pool: Pool,
  store: EventStore,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult[]> {
  const batchSize = options.batchSize ?? 5000;
  const started = Date.now();
  const names = projections.map((p) => p.name);
  // Locks in name order, so two overlapping rebuilds cannot deadlock.
  const lockNames = [...names].sort().map((n) => `rebuild:${n}`);
  const eventTypes = [...new Set(projections.flatMap((p) => p.eventTypes))];
  const plan = options.legacy
    ? {
        filterInStore: true,
        total: options.onProgress ? await countEvents(store, eventTypes) : null,
      }
    : await planRead(store, eventTypes);
  const report = (done: number, phase: RebuildProgress['phase']): void =>
    options.onProgress?.({
      projection: names.join(', '),
      done,
      total: plan.total,
      elapsedMs: Date.now() - started,
      phase,
    });

  // A dedicated connection holds the rebuild locks: two rebuilds of one projection would
  // share (and drop) one shadow schema.
  const lock = await pool.connect();
  let failed = false;
  try {
    for (const name of lockNames) {
      await lock.query('SELECT pg_advisory_lock($1, hashtext($2))', [PROJECTOR_LOCK_SPACE, name]);
    }
    const targets: Target[] = [];
    for (const projection of projections) {
      const shadow = shadowSchemaOf(projection);
      const keys = await createShadowTables(lock, projection, shadow, !options.legacy);
      targets.push({
        projection,
        shadow,
        types: new Set(projection.eventTypes),
        bulk: { keys: options.legacy ? new Map() : keys, seen: new Map(), floors: new Map() },
        events: 0,
        halted: new Set(),
        stalls: [],
        last: START_POSITION,
      });
    }

    let position = START_POSITION;
    let done = 0;
    const read = (after: string): Promise<ReadAllResult> =>
      store.readAll({
        after,
        limit: batchSize,
        ...(plan.filterInStore ? { eventTypes } : {}),
      });
    // Each projection works through the pages in order on its own connection, at its own
    // pace: a slow one (audit-trail) does not hold the others at every page. Reading stays
    // at most PAGES_AHEAD pages ahead of the slowest.
    const tails = targets.map((): Promise<void> => Promise.resolve());
    const inFlight: Promise<unknown>[] = [];
    const replay = async (): Promise<boolean> => {
      let next = read(position);
      for (;;) {
        const page = await next;
        if (!page.isEnd) next = read(page.checkpoint);
        const events =
          options.limit !== undefined ? page.events.slice(0, options.limit - done) : page.events;
        const applied = Promise.all(
          targets.map((target, t) => {
            const mine = events.filter((e) => target.types.has(e.type));
            target.events += mine.length;
            const tail = (tails[t] ?? Promise.resolve()).then(() =>
              applyInTransactions(pool, target, mine, options.transactionSize),
            );
            tails[t] = tail;
            return tail;
          }),
        );
        applied.catch(() => undefined); // awaited below; this only marks it handled
        inFlight.push(applied);
        if (inFlight.length > PAGES_AHEAD) await inFlight.shift();
        done += events.length;
        position = page.checkpoint;
        report(done, 'replay');
        if (page.isEnd) return true;
        if (options.limit !== undefined && done >= options.limit) {
          await next.catch(() => undefined);
          return false;
        }
      }
    };
    let complete: boolean;
    try {
      complete = await replay();
      await Promise.all(inFlight);
    } catch (error) {
      // Let the other connections finish before the caller sees the failure.
      await Promise.allSettled(inFlight);
      throw error;
    }
    if (!complete) {
      for (const target of targets) {
        await lock.query(`DROP SCHEMA IF EXISTS ${target.shadow} CASCADE`);
      }
      return targets.map((target) => ({
        projection: target.projection.name,
        events: target.events,
        elapsedMs: Date.now() - started,
        checkpoint: position,
        swapped: false,
      }));
    }

    report(done, 'indexes');
    await createSecondaryIndexes(pool, lock, targets);

    report(done, 'swap');
    const results: RebuildResult[] = [];
    for (const target of targets) {
      const swapped = await swap(pool, store, target, position);
      results.push({ ...swapped, elapsedMs: Date.now() - started });
    }
    for (const target of targets) {
      await lock.query(`DROP SCHEMA IF EXISTS ${target.shadow} CASCADE`);
    }
    report(done, 'done');
    return results;
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (!failed) {
      for (const name of lockNames) {
        await lock
          .query('SELECT pg_advisory_unlock($1, hashtext($2))', [PROJECTOR_LOCK_SPACE, name])
          .catch(() => undefined);
      }
    }
    // On failure the connection is discarded, which also frees the locks.
    lock.release(failed);
  }
}

/**
 * One transaction: locks the checkpoint row (serialising with the live instance's batches,
 * which lock the same row), applies the events after the replay, replaces the live tables
 * with the shadow ones and sets the checkpoint and version.
 */
async function swap(
  pool: Pool,
  store: EventStore,
  target: Target,
  replayedTo: string,
): Promise<Omit<RebuildResult, 'elapsedMs'>> {
  const { projection, shadow } = target;
  await ensureCheckpoint(pool, projection);
  let position = replayedTo;
  await inProjectionTransaction(pool, shadow, async (client) => {
    await client.query(`SELECT 1 FROM ${CHECKPOINTS_TABLE} WHERE name = $1 FOR UPDATE`, [
      projection.name,
    ]);
    // The tail since the replay is short: the store's type filter is cheap there.
    for (;;) {
      const page = await store.readAll({
        after: position,
        limit: 5000,
        eventTypes: [...projection.eventTypes],
      });
      if (page.events.length > 0) {
        const before = target.last;
        target.last = page.events[page.events.length - 1]?.position ?? before;
        target.stalls.push(
          ...(await applyIsolatingFailures(client, projection, page.events, target.halted, before)),
        );
      }
      target.events += page.events.length;
      position = page.checkpoint;
      if (page.isEnd) break;
    }
    // The new tables come with the stalls found replaying them; the old ones go with theirs.
    await client.query(`DELETE FROM ${STALLS_TABLE} WHERE projection = $1`, [projection.name]);
    await insertStalls(client, target.stalls);
    for (const table of projection.tables) {
      await client.query(`DROP TABLE ${READ_MODELS_SCHEMA}.${table}`);
      await client.query(`ALTER TABLE ${shadow}.${table} SET SCHEMA ${READ_MODELS_SCHEMA}`);
    }
    await client.query(
      `UPDATE ${CHECKPOINTS_TABLE} SET position = $2, version = $3, updated_at = now()
        WHERE name = $1`,
      [projection.name, position, projection.version],
    );
  });
  return {
    projection: projection.name,
    events: target.events,
    checkpoint: position,
    swapped: true,
  };
}

/** A page's events of the target's types, in transactions of `size` events (all by default). */
async function applyInTransactions(
  pool: Pool,
  target: Target,
  events: readonly RecordedEvent[],
  size: number | undefined,
): Promise<void> {
  const step = size ?? Math.max(events.length, 1);
  const hooks: AttemptHooks = {
    mark: () => bulkMark(target.bulk),
    rollback: (mark) => bulkRollback(target.bulk, mark as BulkMark),
  };
  for (let i = 0; i < events.length; i += step) {
    const slice = events.slice(i, i + step);
    const before = target.last;
    const live =
      target.halted.size === 0 ? slice : slice.filter((e) => !target.halted.has(tenantOf(e)));
    try {
      // No savepoint on the way that almost always succeeds: it would cost two round trips
      // per transaction (per event in the benchmark's baseline).
      await inTransaction(pool, target, async (client) => {
        if (live.length > 0) await target.projection.apply(live, client);
        return () => undefined;
      });
    } catch (error) {
      if (!isPoisonError(error)) throw error;
      // Once more, finding the events that fail (ADR 0006).
      await inTransaction(pool, target, async (client) => {
        const halted = new Set(target.halted);
        const stalls = await applyIsolatingFailures(
          client,
          target.projection,
          live,
          halted,
          before,
          hooks,
        );
        return () => {
          // Committed: only now do the stalls count.
          for (const stall of stalls) target.halted.add(stall.tenantId);
          target.stalls.push(...stalls);
        };
      });
    }
    target.last = slice[slice.length - 1]?.position ?? before;
  }
}

/** One replay transaction on the target's shadow schema, on a bulk-loading connection. */
async function inTransaction(
  pool: Pool,
  target: Target,
  work: (client: ClientBase) => Promise<() => void>,
): Promise<void> {
  const client = await pool.connect();
  const unmark = markBulkLoad(client, target.bulk);
  target.bulk.journal = { sets: [], keys: [] };
  const start = bulkMark(target.bulk);
  let failed = false;
  try {
    await beginProjectionTransaction(client, target.shadow);
    const committed = await work(client);
    await client.query('COMMIT');
    committed();
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    // Its rows are gone: the loader must not count them as written.
    bulkRollback(target.bulk, start);
    throw error;
  } finally {
    target.bulk.journal = undefined;
    unmark();
    client.release(failed);
  }
}

/**
 * Empty copies with only their primary keys (upserts need them); other indexes come last, and
 * so do the primary keys of append-only tables when `deferKeys` (the bulk loader drops the
 * duplicates itself). Returns each table's primary-key columns, for the bulk loader.
 */
async function createShadowTables(
  client: ClientBase,
  projection: Projection,
  shadow: string,
  deferKeys: boolean,
): Promise<Map<string, readonly string[]>> {
  await client.query(`DROP SCHEMA IF EXISTS ${shadow} CASCADE`);
  await client.query(`CREATE SCHEMA ${shadow}`);
  const keys = new Map<string, readonly string[]>();
  for (const table of projection.tables) {
    await client.query(
      `CREATE TABLE ${shadow}.${table} (LIKE ${READ_MODELS_SCHEMA}.${table} INCLUDING DEFAULTS)`,
    );
    const { rows } = await client.query<{ name: string; definition: string; columns: string[] }>(
      `SELECT c.conname AS name, pg_get_constraintdef(c.oid) AS definition,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                     ORDER BY k.n) AS columns
         FROM pg_constraint c
        WHERE c.conrelid = $1::regclass AND c.contype = 'p'`,
      [`${READ_MODELS_SCHEMA}.${table}`],
    );
    for (const pk of rows) {
      keys.set(table, pk.columns);
      if (deferKeys && projection.appendOnlyTables?.includes(table)) continue;
      // Same name as the live one (names are per schema), so the swap keeps every name.
      await client.query(
        `ALTER TABLE ${shadow}.${table} ADD CONSTRAINT ${pk.name} ${pk.definition}`,
      );
    }
  }
  return keys;
}

// A table above this size with at most one secondary index is analysed by autovacuum after
// the swap rather than before it (see createSecondaryIndexes).
const ANALYZE_AFTER_SWAP_BYTES = 8 * 1024 * 1024;

/**
 * Builds the live tables' secondary indexes on the shadow tables, and analyses them. The
 * statements are shared out over INDEX_BUILDERS connections, largest tables first (so the
 * audit trail's five indexes do not finish alone on one connection): each build is one
 * PostgreSQL process, so one connection leaves a core idle.
 *
 * ANALYZE covers the columns of the table's indexes (what queries filter and sort on): a
 * column list leaves the table's change counter as it is, so autovacuum's analyze adds the
 * other columns soon after. A large table with at most one secondary index (check_ins,
 * key_result_history) is not analysed here at all: each of its queries has one index to
 * take, so statistics choose nothing in its plans, and its ANALYZE cost 0.1–0.4 s of the
 * rebuild; autovacuum analyses it after the swap, the rows it counted as inserted carry over.
 */
async function createSecondaryIndexes(
  pool: Pool,
  lock: ClientBase,
  targets: readonly Target[],
): Promise<void> {
  const tables: { bytes: number; statements: string[] }[] = [];
  for (const { projection, shadow } of targets) {
    for (const table of projection.tables) {
      const { rows } = await lock.query<{
        definition: string | null;
        columns: string[];
        predicate: string | null;
      }>(
        `SELECT CASE WHEN NOT i.indisprimary THEN pg_get_indexdef(i.indexrelid)
                     WHEN NOT EXISTS (SELECT 1 FROM pg_constraint s
                                       WHERE s.conrelid = $2::regclass AND s.contype = 'p')
                     THEN format('ALTER TABLE ONLY %s ADD CONSTRAINT %I %s', $2, c.conname,
                                 pg_get_constraintdef(c.oid))
                 END AS definition,
                array(SELECT a.attname::text FROM pg_attribute a
                       WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) AS columns,
                pg_get_expr(i.indpred, i.indrelid) AS predicate
           FROM pg_index i
           LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'p'
          WHERE i.indrelid = $1::regclass`,
        [`${READ_MODELS_SCHEMA}.${table}`, `${shadow}.${table}`],
      );
      const { rows: info } = await lock.query<{ columns: string[]; bytes: string }>(
        `SELECT array(SELECT attname::text FROM pg_attribute
                       WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped) AS columns,
                pg_relation_size($2::regclass)::text AS bytes`,
        [`${READ_MODELS_SCHEMA}.${table}`, `${shadow}.${table}`],
      );
      const known = new Set(info[0]?.columns ?? []);
      const bytes = Number(info[0]?.bytes ?? 0);
      const statements: string[] = [];
      const indexed = new Set<string>();
      for (const { definition, columns, predicate } of rows) {
        const words = predicate?.match(/[a-z_][a-z0-9_]*/g) ?? [];
        for (const c of [...columns, ...words]) if (known.has(c)) indexed.add(c);
        if (!definition) continue;
        statements.push(
          definition.replace(` ON ${READ_MODELS_SCHEMA}.${table} `, ` ON ${shadow}.${table} `),
        );
      }
      const secondary = rows.filter((r) => r.definition?.startsWith('CREATE')).length;
      if (secondary > 1 || bytes <= ANALYZE_AFTER_SWAP_BYTES) {
        statements.push(`ANALYZE ${shadow}.${table} (${[...indexed].join(', ')})`);
      }
      tables.push({ bytes, statements });
    }
  }
  const statements = tables.sort((a, b) => b.bytes - a.bytes).flatMap((t) => t.statements);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(INDEX_BUILDERS, statements.length) }, async () => {
      const client = await pool.connect();
      let failed = false;
      try {
        // Sorts for the builds in memory rather than in temporary files.
        await client.query(`SET maintenance_work_mem = '128MB'`);
        for (let i = next++; i < statements.length; i = next++) {
          await client.query(statements[i] as string);
        }
        await client.query('RESET maintenance_work_mem');
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        client.release(failed);
      }
    }),
  );
}
