import type { RecordedEvent } from '@okr-ledger/event-store';
import type { ClientBase, Pool } from 'pg';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';
import type { ProjectionStall } from '../read-models.views';
import type { Projection } from './projection.port';
import { tenantOf } from './recorded-event';

export const STALLS_TABLE = `${READ_MODELS_SCHEMA}.projection_stalls`;

/** A stall row with what a retry needs besides what the API shows. */
export interface StoredStall extends ProjectionStall {
  /** A position before the failing event: a retry reads the log after it. */
  readonly resumeAfter: string;
  readonly attempts: number;
  readonly retriedAt: Date | null;
}

/** A row of the stalls table as pg returns it. */
export interface StallRow {
  projection: string;
  tenant_id: string;
  position: string;
  resume_after: string;
  event_id: string;
  stream_name: string;
  event_type: string;
  error: string;
  stalled_at: Date;
  retried_at: Date | null;
  attempts: number;
}

export const toStall = (r: StallRow): StoredStall => ({
  projection: r.projection,
  tenantId: r.tenant_id,
  position: r.position,
  resumeAfter: r.resume_after,
  eventId: r.event_id,
  streamName: r.stream_name,
  eventType: r.event_type,
  error: r.error,
  stalledAt: r.stalled_at,
  retriedAt: r.retried_at,
  attempts: r.attempts,
});

/** Stalls in (projection, tenant) order, optionally of one projection and/or tenant. */
export async function readStalls(
  db: Pool | ClientBase,
  filter: { readonly projection?: string; readonly tenantId?: string } = {},
): Promise<StoredStall[]> {
  const { rows } = await db.query<StallRow>(
    `SELECT * FROM ${STALLS_TABLE}
      WHERE ($1::text IS NULL OR projection = $1) AND ($2::text IS NULL OR tenant_id = $2)
      ORDER BY projection, tenant_id`,
    [filter.projection ?? null, filter.tenantId ?? null],
  );
  return rows.map(toStall);
}

/** The part of a stall that the API shows (no retry bookkeeping). */
export function publicStall(stall: StoredStall): ProjectionStall {
  return {
    projection: stall.projection,
    tenantId: stall.tenantId,
    position: stall.position,
    eventId: stall.eventId,
    streamName: stall.streamName,
    eventType: stall.eventType,
    error: stall.error,
    stalledAt: stall.stalledAt,
  };
}

/** A stall found while applying, before it is written. */
export type NewStall = Omit<StoredStall, 'stalledAt' | 'attempts' | 'retriedAt'>;

// SQLSTATE classes an event's own data can cause: cardinality, data exception, integrity,
// program limit (e.g. an index row too large), PL/pgSQL raise. Others (connection, lock,
// resources, undefined table or column, internal) hit every event alike: the batch is retried.
const POISON_CLASSES = new Set(['21', '22', '23', '54', 'P0']);

/**
 * Whether `error` is this event's fault rather than the connection's or the server's: a
 * PostgreSQL error of a data class, or an exception thrown by the projection's own code (a
 * value it did not expect). Node's network errors carry a code such as ECONNRESET.
 */
export function isPoisonError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    return /^[0-9A-Z]{5}$/.test(code) && POISON_CLASSES.has(code.slice(0, 2));
  }
  if (!(error instanceof Error)) return true;
  return !/connection|terminat|timeout|not queryable/i.test(error.message);
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Savepoint hooks around each attempt: a rebuild's bulk loader keeps in-memory state of what
 * it wrote, which a rolled-back attempt must forget.
 */
export interface AttemptHooks {
  mark(): unknown;
  rollback(mark: unknown): void;
}

const NO_HOOKS: AttemptHooks = { mark: () => null, rollback: () => undefined };

/**
 * Applies `events` (global order) except those of `halted` tenants, inside the caller's
 * transaction. All at once first; if that fails on an event's data, the events are split in
 * halves, each applied in its own savepoint, down to the one event that fails (a few dozen
 * attempts for a 5000-event page, not one per event): its tenant is added to `halted`, and
 * that tenant's later events are skipped. Returns the stalls found. Anything that is not the
 * event's fault (see isPoisonError), or a connection that cannot roll back to the savepoint,
 * is thrown. `before` is a position before the first event (the batch's checkpoint).
 */
export async function applyIsolatingFailures(
  client: ClientBase,
  projection: Projection,
  events: readonly RecordedEvent[],
  halted: Set<string>,
  before: string,
  hooks: AttemptHooks = NO_HOOKS,
): Promise<NewStall[]> {
  const stalls: NewStall[] = [];
  // A retry reads the log after the event before the failing one.
  const previous = new Map<RecordedEvent, string>();
  events.forEach((e, i) => previous.set(e, events[i - 1]?.position ?? before));

  const attempt = async (part: readonly RecordedEvent[]): Promise<void> => {
    const live = halted.size === 0 ? part : part.filter((e) => !halted.has(tenantOf(e)));
    if (live.length === 0) return;
    const mark = hooks.mark();
    await client.query('SAVEPOINT projection_attempt');
    try {
      await projection.apply(live, client);
      await client.query('RELEASE SAVEPOINT projection_attempt');
      return;
    } catch (error) {
      if (!isPoisonError(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT projection_attempt');
      await client.query('RELEASE SAVEPOINT projection_attempt');
      hooks.rollback(mark);
      const [only] = live;
      if (live.length === 1 && only) {
        halted.add(tenantOf(only));
        stalls.push({
          projection: projection.name,
          tenantId: tenantOf(only),
          position: only.position,
          resumeAfter: previous.get(only) ?? before,
          eventId: only.id,
          streamName: only.streamName,
          eventType: only.type,
          error: describeError(error),
        });
        return;
      }
    }
    const half = Math.ceil(live.length / 2);
    await attempt(live.slice(0, half));
    await attempt(live.slice(half));
  };

  await attempt(events);
  return stalls;
}

/** Records new stalls (a tenant already stalled keeps its first one); returns those written. */
export async function insertStalls(
  client: ClientBase,
  stalls: readonly NewStall[],
): Promise<StoredStall[]> {
  if (stalls.length === 0) return [];
  const { rows } = await client.query<StallRow>(
    `INSERT INTO ${STALLS_TABLE}
       (tenant_id, projection, position, resume_after, event_id, stream_name, event_type, error)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                          $6::text[], $7::text[], $8::text[])
     ON CONFLICT (tenant_id, projection) DO NOTHING
     RETURNING *`,
    [
      stalls.map((s) => s.tenantId),
      stalls.map((s) => s.projection),
      stalls.map((s) => s.position),
      stalls.map((s) => s.resumeAfter),
      stalls.map((s) => s.eventId),
      stalls.map((s) => s.streamName),
      stalls.map((s) => s.eventType),
      stalls.map((s) => s.error),
    ],
  );
  return rows.map(toStall);
}
