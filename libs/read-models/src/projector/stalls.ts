import type { ClientBase, Pool } from 'pg';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';
import type { ProjectionStall } from '../read-models.views';

export const STALLS_TABLE = `${READ_MODELS_SCHEMA}.projection_stalls`;

/** A stall row with what a retry needs besides what the API shows. */
export interface StoredStall extends ProjectionStall {
  /** A position before the failing event: a retry reads the log after it. */
  readonly resumeAfter: string;
  readonly attempts: number;
  readonly retriedAt: Date | null;
}

interface StallRow {
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

const toStall = (r: StallRow): StoredStall => ({
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
