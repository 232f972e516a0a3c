import { randomUUID } from 'node:crypto';
import { notifyListeners, StatementNames } from '@okr-ledger/platform';
import { Pool } from 'pg';
import type { PoolClient, QueryConfig, QueryResultRow } from 'pg';
import type {
  AppendOptions,
  AppendResult,
  CountingEventStore,
  EventCount,
  EventCountOptions,
  EventMetadata,
  ExpectedState,
  IntegrityReport,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  VerifiableEventStore,
} from '../event-store.port';
import {
  AppendOutcomeUnknown,
  EventStoreIntegrityError,
  EventStoreUnavailable,
  WrongExpectedVersion,
} from '../event-store.errors';
import { PollingSubscription, WakeUps, type PollingPage } from '../polling-subscription';
import { formatPosition, maxPosition, parsePosition, START_POSITION } from '../positions';
import { UpcasterRegistry } from '../upcasters';
import { APPEND_CHANNEL, migrateEventStore } from './postgres-migrations';

/**
 * When to NOTIFY listeners of new events.
 * - `after-commit` (default): one coalesced `pg_notify` per process after appends commit. A
 *   lost one only delays subscribers to their next poll.
 * - `in-transaction`: inside the append transaction; PostgreSQL then takes a database-wide
 *   lock at commit, which serialises concurrent commits (see docs/adr/0003-event-store.md).
 * - `off`: subscribers in other processes rely on polling.
 */
export type NotifyMode = 'after-commit' | 'in-transaction' | 'off';

export interface PostgresEventStoreOptions {
  /**
   * Opt-in, for a trusted loader (the demo's simulated quarter) and tests only: the recorded
   * time to ask for instead of the database's clock. Still never backwards within a stream
   * (the append takes the later of it and the stream's last time). Without it the time is
   * read in the append's transaction, under the stream's lock (docs/adr/0005-time-travel.md).
   */
  simulatedClock?: () => Date;
  upcasters?: UpcasterRegistry;
  notify?: NotifyMode;
  /** Subscription polling fallback when no wake-up arrives. */
  pollIntervalMs?: number;
  /** Pool size when the store creates its pool from a URL. */
  maxConnections?: number;
}

interface EventRow {
  tx: string;
  pos: string;
  id: string;
  stream_name: string;
  revision: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
}

const EVENT_COLUMNS = `e.transaction_id::text AS tx, e.global_position::text AS pos, e.event_id::text AS id,
  e.stream_name, e.revision::text AS revision, e.type, e.data, e.metadata, e.recorded_at`;
const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Read shapes (filter combinations) prepared per connection; beyond that, sent unnamed. */
const MAX_PREPARED_READ_SHAPES = 64;
// The read's text varies only with the filters' shape; their values are parameters.
const readStatementNames = new StatementNames('event_store.read_', MAX_PREPARED_READ_SHAPES);
const WRONG_EXPECTED_VERSION = 'EV001';
const UNIQUE_VIOLATION = '23505';
const RETRY = '40001';
/** Cross-process wake-ups are throttled to one NOTIFY per this interval. */
const NOTIFY_INTERVAL_MS = 10;

export class PostgresEventStore implements VerifiableEventStore, CountingEventStore {
  readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly simulatedClock: (() => Date) | null;
  private readonly upcasters: UpcasterRegistry;
  private readonly notifyMode: NotifyMode;
  private readonly pollIntervalMs: number;
  private readonly wakeUps = new WakeUps();
  private readonly subscriptions = new Set<PollingSubscription>();
  private listener: PoolClient | null = null;
  private listening: Promise<void> | null = null;
  private notifyInFlight: Promise<void> | null = null;
  private notifyPending = false;
  private notifyTimer: NodeJS.Timeout | null = null;
  private lastNotifyAt = 0;
  private closed = false;

  constructor(poolOrUrl: Pool | string, options: PostgresEventStoreOptions = {}) {
    this.ownsPool = typeof poolOrUrl === 'string';
    this.pool =
      typeof poolOrUrl === 'string'
        ? new Pool({ connectionString: poolOrUrl, max: options.maxConnections ?? 20 })
        : poolOrUrl;
    // An idle client that dies must not crash the process; the next query reconnects.
    if (this.ownsPool) this.pool.on('error', () => undefined);
    this.simulatedClock = options.simulatedClock ?? null;
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.notifyMode = options.notify ?? 'after-commit';
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  /** Runs the migrations, then checks that the log can be ordered by this server. */
  async init(): Promise<void> {
    await this.migrate();
    await this.checkTransactionIds();
  }

  async migrate(): Promise<number[]> {
    return this.guard(() => migrateEventStore(this.pool));
  }

  /**
   * Positions start with the writing transaction's id. Restored from a dump into another
   * cluster, stored ids may be ahead of the server's: new events would sort before old ones
   * and subscribers would skip them. Refuse to start instead.
   */
  async checkTransactionIds(): Promise<void> {
    const { rows } = await this.guard(() =>
      this.pool.query<{ max_tx: string | null; next_tx: string }>(
        `SELECT (SELECT transaction_id FROM event_store.events
                  ORDER BY transaction_id DESC, global_position DESC LIMIT 1)::text AS max_tx,
                pg_snapshot_xmax(pg_current_snapshot())::text AS next_tx`,
      ),
    );
    const row = rows[0];
    if (row?.max_tx != null && BigInt(row.max_tx) >= BigInt(row.next_tx)) {
      throw new EventStoreIntegrityError(
        `event_store.events holds transaction id ${row.max_tx}, but this server's next ` +
          `transaction id is ${row.next_tx}: the log was probably restored from a dump into ` +
          `another cluster. New events would sort before stored ones. Restore with ` +
          `pg_basebackup/physical backup, or advance the server's transaction ids past ${row.max_tx}.`,
      );
    }
  }

  async append(
    stream: string,
    events: NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const expected = options.expectedState ?? 'any';
    validateAppend(stream, events, expected);
    const [only] = events;
    if (
      only !== undefined &&
      events.length === 1 &&
      expected === 'no_stream' &&
      this.notifyMode !== 'in-transaction'
    ) {
      const created = await this.appendFirstEvent(stream, { ...only, id: only.id ?? randomUUID() });
      if (created) return created;
      // The stream exists (or the id is stored): the general path decides between an
      // idempotent retry and a wrong expected version.
    }
    if (
      only !== undefined &&
      events.length === 1 &&
      typeof expected === 'number' &&
      this.notifyMode !== 'in-transaction'
    ) {
      const appended = await this.appendAtRevision(stream, expected, {
        ...only,
        id: only.id ?? randomUUID(),
      });
      if (appended) return appended;
      // Not at that revision (or the id is stored): the general path decides between an
      // idempotent retry and a wrong expected version.
    }
    const [kind, revision] = typeof expected === 'number' ? ['exact', expected] : [expected, null];
    const values = [
      stream,
      kind,
      revision,
      events.map((e) => e.id ?? randomUUID()),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify(e.metadata)),
      this.simulatedClock?.() ?? null,
      this.notifyMode === 'in-transaction',
    ];
    const query = {
      name: 'event_store.append_events',
      text: `SELECT next_revision::text AS next_revision, transaction_id, global_position
               FROM event_store.append_events($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[], $8, $9)`,
      values,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await this.sendAppend<{
          next_revision: string;
          transaction_id: string;
          global_position: string;
        }>(stream, query);
        const row = rows[0];
        if (!row) throw new Error('append_events returned no row');
        this.afterAppend();
        return {
          nextRevision: Number(row.next_revision),
          position: formatPosition(row.transaction_id, row.global_position),
        };
      } catch (error) {
        const pgError = error as {
          code?: string;
          detail?: string;
          hint?: string;
          constraint?: string;
        };
        if (pgError.code === WRONG_EXPECTED_VERSION) {
          const actual = Number(pgError.detail);
          throw new WrongExpectedVersion(
            stream,
            expected,
            actual < 0 ? 'no_stream' : actual,
            pgError.hint,
          );
        }
        // A stream created concurrently (40001), or ids racing an append of the same ids: once
        // that commits, the next attempt sees the stored state and decides.
        if ((pgError.code === UNIQUE_VIOLATION || pgError.code === RETRY) && attempt < 2) continue;
        if (pgError.code === UNIQUE_VIOLATION && pgError.constraint === 'events_event_id_key') {
          // The ids are stored, but not as this append would have put them.
          throw new WrongExpectedVersion(
            stream,
            expected,
            await this.currentRevision(stream),
            'event ids stored elsewhere',
          );
        }
        throw toStoreError(error);
      }
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const values: unknown[] = [stream];
    let where = 'e.stream_name = $1';
    if (options.fromRevision !== undefined) {
      values.push(options.fromRevision);
      where += ` AND e.revision ${backwards ? '<=' : '>='} $${values.length}`;
    }
    if (options.recordedUpTo) {
      values.push(options.recordedUpTo);
      where += ` AND e.recorded_at <= $${values.length}`;
    }
    let limit = '';
    if (options.limit !== undefined) {
      values.push(options.limit);
      limit = `LIMIT $${values.length}`;
    }
    const { rows } = await this.guard(() =>
      this.pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM event_store.events e WHERE ${where}
          ORDER BY e.revision ${backwards ? 'DESC' : 'ASC'} ${limit}`,
        values,
      ),
    );
    return this.upcasters.upcastAll(rows.map(toRecordedEvent));
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const { heldBack: _heldBack, ...result } = await this.readPage(options);
    return result;
  }

  /** readAll, and whether committed events wait beyond the horizon, in one snapshot. */
  private async readPage(options: ReadAllOptions): Promise<PollingPage & { heldBack: boolean }> {
    const after = options.after ?? START_POSITION;
    const { major, minor } = parsePosition(after);
    const limit = options.limit ?? 1000;
    const values: unknown[] = [major.toString(), minor.toString(), limit + 1];
    const filters: string[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (options.eventTypes) filters.push(`e.type = ANY(${param(options.eventTypes)}::text[])`);
    if (options.streamPrefix)
      filters.push(`starts_with(e.stream_name, ${param(options.streamPrefix)})`);
    for (const [key, value] of Object.entries(options.metadata ?? {})) {
      if (key === 'tenantId') {
        filters.push(`e.tenant_id = ${param(value)}`);
      } else {
        // The key is inlined (not a parameter) so the expression index on cycleId applies.
        if (!METADATA_KEY.test(key)) throw new TypeError(`Unsupported metadata key "${key}"`);
        filters.push(`e.metadata->>'${key}' = ${param(value)}`);
      }
    }
    if (options.recordedUpTo) filters.push(`e.recorded_at <= ${param(options.recordedUpTo)}`);
    const filterSql = filters.map((f) => ` AND ${f}`).join('');

    // One statement, one snapshot: the page and the tail both stop below the oldest
    // transaction still running, so one that commits late is read later, never skipped; a row
    // of kind 2 says that committed events wait beyond it (one index probe, unfiltered).
    const text = `WITH horizon AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
         (SELECT 0 AS kind, ${EVENT_COLUMNS} FROM event_store.events e
           WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
             AND e.transaction_id < (SELECT xmin FROM horizon)${filterSql}
           ORDER BY e.transaction_id, e.global_position LIMIT $3)
         UNION ALL
         (SELECT 1 AS kind, ${EVENT_COLUMNS} FROM event_store.events e
           WHERE e.transaction_id < (SELECT xmin FROM horizon)
           ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1)
         UNION ALL
         (SELECT 2 AS kind, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
                 NULL::jsonb, NULL::jsonb, NULL::timestamptz
            FROM horizon h
           WHERE EXISTS (SELECT 1 FROM event_store.events e WHERE e.transaction_id >= h.xmin))`;
    // Prepared: parsing and planning were most of this statement's time (it is sent at
    // least once per projection batch). The snapshot is still taken at each execution.
    const name = readStatementNames.of(text);
    const { rows } = await this.guard(() =>
      this.pool.query<EventRow & { kind: number }>(
        name ? { name, text, values } : { text, values },
      ),
    );
    const heldBack = rows.some((r) => r.kind === 2);
    const page = rows.filter((r) => r.kind === 0).map(toRecordedEvent);
    const tail = rows.find((r) => r.kind === 1);
    if (page.length > limit) {
      const events = page.slice(0, limit);
      return {
        events: this.upcasters.upcastAll(events),
        checkpoint: events[events.length - 1]?.position ?? after,
        isEnd: false,
        heldBack,
      };
    }
    // Everything visible up to the tail was scanned: the checkpoint may pass filtered rows.
    let checkpoint = after;
    const last = page[page.length - 1];
    if (last) checkpoint = maxPosition(checkpoint, last.position);
    if (tail) checkpoint = maxPosition(checkpoint, formatPosition(tail.tx, tail.pos));
    return { events: this.upcasters.upcastAll(page), checkpoint, isEnd: true, heldBack };
  }

  async verifyIntegrity(options: { tenantId: string; upTo?: string }): Promise<IntegrityReport> {
    const position = options.upTo ?? (await this.headPosition());
    const { major, minor } = parsePosition(position);
    const upTo = [options.tenantId, major.toString(), minor.toString()];
    const { rows: problems } = await this.guard(() =>
      this.pool.query<{ stream_name: string; revision: string; problem: string }>(
        `SELECT stream_name, revision::text, problem FROM event_store.verify_chains($1)
          ORDER BY stream_name, revision`,
        [options.tenantId],
      ),
    );
    const { rows } = await this.guard(() =>
      this.pool.query<{ digest: string; streams: string; events: string }>(
        `WITH visible AS (
           SELECT e.stream_name, e.revision, e.hash FROM event_store.events e
            WHERE e.tenant_id = $1 AND (e.transaction_id, e.global_position) <= ($2::xid8, $3::bigint)),
         heads AS (
           SELECT DISTINCT ON (stream_name) stream_name, hash FROM visible
            ORDER BY stream_name, revision DESC)
         SELECT encode(sha256(convert_to(coalesce(string_agg(
                  h.stream_name || ':' || coalesce(encode(h.hash, 'hex'), ''), E'\n'
                  ORDER BY h.stream_name), ''), 'UTF8')), 'hex') AS digest,
                count(*)::text AS streams,
                (SELECT count(*) FROM visible)::text AS events
           FROM heads h`,
        upTo,
      ),
    );
    const row = rows[0];
    return {
      checkedEvents: Number(row?.events ?? 0),
      streams: Number(row?.streams ?? 0),
      position,
      digest: row?.digest ?? '',
      problems: problems.map((p) => ({
        streamName: p.stream_name,
        revision: Number(p.revision),
        problem: p.problem,
      })),
    };
  }

  async headPosition(): Promise<string> {
    const { rows } = await this.guard(() =>
      this.pool.query<{ tx: string; pos: string }>(
        `SELECT e.transaction_id::text AS tx, e.global_position::text AS pos FROM event_store.events e
          WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`,
      ),
    );
    const row = rows[0];
    return row ? formatPosition(row.tx, row.pos) : START_POSITION;
  }

  async countEvents(options: EventCountOptions = {}): Promise<EventCount> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.after !== undefined) {
      const { major, minor } = parsePosition(options.after);
      params.push(major.toString(), minor.toString());
      where.push(`(e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)`);
    }
    if (options.eventTypes) {
      params.push(options.eventTypes);
      where.push(`e.type = ANY($${params.length}::text[])`);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    // Only a capped count walks the log in order; an uncapped one may scan it as it likes.
    const counted =
      options.cap === undefined
        ? `SELECT e.recorded_at FROM event_store.events e ${filter}`
        : `SELECT e.recorded_at FROM event_store.events e ${filter}
            ORDER BY e.transaction_id, e.global_position LIMIT ${Math.max(0, Math.floor(options.cap))}`;
    const { rows } = await this.guard(() =>
      this.pool.query<{ n: string; oldest: Date | null }>(
        `SELECT count(*)::text AS n, min(recorded_at) AS oldest FROM (${counted}) counted`,
        params,
      ),
    );
    return { count: Number(rows[0]?.n ?? 0), oldestRecordedAt: rows[0]?.oldest ?? null };
  }

  subscribe(options: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('The event store is closed');
    const subscription: PollingSubscription = new PollingSubscription(options, {
      readAll: (o) => this.readPage(o),
      wakeUps: this.wakeUps,
      pollIntervalMs: this.pollIntervalMs,
      beforeRead: () => this.ensureListening(),
      onStopped: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    await this.notifyInFlight?.catch(() => undefined);
    await this.listening?.catch(() => undefined);
    this.dropListener();
    if (this.ownsPool) await this.pool.end();
  }

  /**
   * Creating an aggregate is the most common append: one event into a new stream. One plain
   * statement claims the stream and inserts the event, with scalar parameters, so neither the
   * client nor the server spends time on arrays or a PL/pgSQL frame. Null when the stream
   * already exists or the event id is already stored.
   */
  private async appendFirstEvent(
    stream: string,
    event: NewEvent & { id: string },
  ): Promise<AppendResult | null> {
    return this.appendOneStatement(stream, 0, {
      name: 'event_store.append_first_event',
      // A new stream has no earlier time to stay above: the database's clock (to the
      // millisecond, like every recorded time) unless a simulated time is given.
      text: `WITH recorded AS MATERIALIZED (
             SELECT coalesce($6::timestamptz,
                             date_trunc('milliseconds', clock_timestamp())) AS at),
           claimed AS (
             INSERT INTO event_store.streams (stream_name, revision, last_hash, last_recorded_at)
             SELECT $1, 0, event_store.event_hash(NULL, $2, $1, 0, $3, $4, $5, r.at), r.at
               FROM recorded r
             ON CONFLICT (stream_name) DO NOTHING
             RETURNING stream_name, last_hash, last_recorded_at)
           INSERT INTO event_store.events (transaction_id, global_position, event_id,
             stream_name, revision, type, data, metadata, tenant_id, recorded_at, hash)
           SELECT pg_current_xact_id(), nextval('event_store.global_position_seq'), $2,
                  claimed.stream_name, 0, $3, $4, $5, $5::jsonb->>'tenantId',
                  claimed.last_recorded_at, claimed.last_hash
             FROM claimed
           RETURNING transaction_id::text, global_position::text`,
      values: [
        stream,
        event.id,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        this.simulatedClock?.() ?? null,
      ],
    });
  }

  /**
   * The check-in shape: one event onto an existing stream at the exact revision the caller
   * folded. One plain statement moves the stream's head only if it is still at that revision
   * (the optimistic check: its row lock serialises appends to the stream, and a head moved by a
   * concurrent append fails the re-check after the wait) and inserts the event behind it.
   * The clock is read in the head's update, so after any append it waited for committed, and
   * never below the head's time; the link follows the head's. Null when the stream is not at
   * that revision or the id is stored: the append function tells a retry from a conflict.
   */
  private async appendAtRevision(
    stream: string,
    expected: number,
    event: NewEvent & { id: string },
  ): Promise<AppendResult | null> {
    return this.appendOneStatement(stream, expected + 1, {
      name: 'event_store.append_at_revision',
      // A head without a time (written before migration 5) takes the function's path.
      text: `WITH moved AS (
             UPDATE event_store.streams s
                SET (revision, last_hash, last_recorded_at) = (
                  SELECT $2::bigint + 1,
                         event_store.event_hash(s.last_hash, $3::uuid, s.stream_name,
                           $2::bigint + 1, $4::text, $5::jsonb, $6::jsonb, t.at),
                         t.at
                    FROM (SELECT greatest(coalesce($7::timestamptz,
                            date_trunc('milliseconds', clock_timestamp())),
                            s.last_recorded_at) AS at) t)
              WHERE s.stream_name = $1 AND s.revision = $2::bigint
                AND s.last_recorded_at IS NOT NULL
             RETURNING s.stream_name, s.revision, s.last_hash, s.last_recorded_at)
           INSERT INTO event_store.events (transaction_id, global_position, event_id,
             stream_name, revision, type, data, metadata, tenant_id, recorded_at, hash)
           SELECT pg_current_xact_id(), nextval('event_store.global_position_seq'), $3,
                  m.stream_name, m.revision, $4, $5, $6, $6::jsonb->>'tenantId',
                  m.last_recorded_at, m.last_hash
             FROM moved m
           RETURNING transaction_id::text, global_position::text`,
      values: [
        stream,
        expected,
        event.id,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        this.simulatedClock?.() ?? null,
      ],
    });
  }

  /**
   * Runs one of the one-statement appends above. No row: the statement's condition did not
   * hold; an id stored already fails on the unique event id. Either way null, and the append
   * function decides.
   */
  private async appendOneStatement(
    stream: string,
    nextRevision: number,
    query: QueryConfig,
  ): Promise<AppendResult | null> {
    try {
      const { rows } = await this.sendAppend<{ transaction_id: string; global_position: string }>(
        stream,
        query,
      );
      const row = rows[0];
      if (!row) return null;
      this.afterAppend();
      return { nextRevision, position: formatPosition(row.transaction_id, row.global_position) };
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw toStoreError(error);
    }
  }

  /**
   * Sends one append statement (it commits on its own). A failure to get a connection means
   * nothing was sent: EventStoreUnavailable. A connection lost once the statement was sent
   * (while it ran or committed) leaves the outcome unknown: AppendOutcomeUnknown, never
   * "nothing was recorded". Errors the server answered (the statement rolled back) pass as is.
   */
  private async sendAppend<R extends QueryResultRow>(stream: string, query: QueryConfig) {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    // pg emits 'error' on the client as well as failing the query; unheard, it would crash.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      const result = await client.query<R>(query);
      client.removeListener('error', ignore);
      client.release();
      return result;
    } catch (error) {
      const lost = isConnectionFailure(error);
      client.removeListener('error', ignore);
      // A lost connection must not go back to the pool; destroy it.
      client.release(lost ? true : undefined);
      if (!lost) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new AppendOutcomeUnknown(
        stream,
        `PostgreSQL connection lost after the append to ${stream} was sent; it may or may not be stored: ${message}`,
        { cause: error },
      );
    }
  }

  private afterAppend(): void {
    // Subscribers in this process need no round trip through the database.
    this.wakeUps.wake();
    if (this.notifyMode === 'after-commit') this.notifyAfterCommit();
  }

  /**
   * At most one NOTIFY in flight per store, and at most one per NOTIFY_INTERVAL_MS: appends in
   * between are covered by the next one. Subscribers in other processes see new events at
   * most that much later; a lost NOTIFY costs them one poll interval.
   */
  private notifyAfterCommit(): void {
    if (this.notifyInFlight || this.notifyTimer) {
      this.notifyPending = true;
      return;
    }
    const wait = this.lastNotifyAt + NOTIFY_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.notifyTimer = setTimeout(() => {
        this.notifyTimer = null;
        this.sendNotify();
      }, wait);
      return;
    }
    this.sendNotify();
  }

  private sendNotify(): void {
    this.notifyPending = false;
    this.lastNotifyAt = Date.now();
    this.notifyInFlight = notifyListeners(this.pool, APPEND_CHANNEL).finally(() => {
      this.notifyInFlight = null;
      if (this.notifyPending && !this.closed) this.notifyAfterCommit();
    });
  }

  private async currentRevision(stream: string): Promise<number | 'no_stream'> {
    const { rows } = await this.guard(() =>
      this.pool.query<{ revision: string }>(
        'SELECT revision::text FROM event_store.streams WHERE stream_name = $1',
        [stream],
      ),
    );
    return rows[0] ? Number(rows[0].revision) : 'no_stream';
  }

  private async ensureListening(): Promise<void> {
    if (this.listener || this.closed) return;
    this.listening ??= (async () => {
      try {
        const client = await this.pool.connect();
        client.on('notification', () => this.wakeUps.wake());
        // Fall back to polling until the next read re-establishes the LISTEN.
        client.on('error', () => this.dropListener(client));
        this.listener = client;
        await client.query(`LISTEN ${APPEND_CHANNEL}`);
        // Events may have been appended while nobody listened.
        this.wakeUps.wake();
      } catch {
        // Polling covers it; retried before the next read.
        this.dropListener();
      } finally {
        this.listening = null;
      }
    })();
    await this.listening;
  }

  /**
   * Destroys the LISTEN connection once: a connection error can arrive after close() (e.g. a
   * server shutting down), and releasing a client twice throws inside pg's event handler.
   */
  private dropListener(client: PoolClient | null = this.listener): void {
    if (client === null || client !== this.listener) return;
    this.listener = null;
    client.removeAllListeners('notification');
    client.release(true);
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toStoreError(error);
    }
  }
}

function validateAppend(stream: string, events: NewEvent[], expected: ExpectedState): void {
  if (!stream) throw new TypeError('A stream name is required');
  if (events.length === 0) throw new TypeError('An append needs at least one event');
  if (typeof expected === 'number' && (!Number.isInteger(expected) || expected < 0)) {
    throw new TypeError(`Expected revision must be a non-negative integer, got ${expected}`);
  }
  for (const event of events) {
    if (typeof event.metadata?.tenantId !== 'string' || event.metadata.tenantId === '') {
      throw new TypeError(`Event ${event.type} has no metadata.tenantId`);
    }
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    streamName: row.stream_name,
    revision: Number(row.revision),
    position: formatPosition(row.tx, row.pos),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/** The connection failed or ended (rather than the server refusing the statement). */
function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (
    (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(message)
  );
}

function toStoreError(error: unknown): unknown {
  if (
    error instanceof WrongExpectedVersion ||
    error instanceof EventStoreUnavailable ||
    error instanceof AppendOutcomeUnknown
  )
    return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isConnectionFailure(error)) {
    return new EventStoreUnavailable(`PostgreSQL event store unavailable: ${message}`, {
      cause: error,
    });
  }
  return error;
}

/** Creates the store and runs its migration and start-up checks. */
export async function createPostgresEventStore(
  poolOrUrl: Pool | string,
  options: PostgresEventStoreOptions = {},
): Promise<PostgresEventStore> {
  const store = new PostgresEventStore(poolOrUrl, options);
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
