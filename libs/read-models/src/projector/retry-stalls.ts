import type { EventStore } from '@okr-ledger/event-store';
import type { Pool } from 'pg';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';
import { CHECKPOINT_CHANNEL, inProjectionTransaction, lockCheckpoint } from './checkpoints';
import type { Projection } from './projection.port';
import { tenantOf } from './recorded-event';
import { applyIsolatingFailures, readStalls, STALLS_TABLE, type NewStall } from './stalls';

export interface RetryOutcome {
  readonly projection: string;
  readonly tenantId: string;
  /** The tenant's events re-applied (up to the failing one, when it failed again). */
  readonly applied: number;
  /** Null when the stall is cleared; else where it stalls now and why. */
  readonly failure: NewStall | null;
}

// Events read per page while re-applying a tenant's halted events.
const RETRY_PAGE = 1000;

/**
 * Re-applies each stalled tenant's events of `projection` (all of them, or `tenantId`'s) from
 * the stall up to the projection's checkpoint, with this process's code, in one transaction
 * per tenant that holds the checkpoint row (live batches of the projection wait meanwhile).
 * Success deletes the stall row, and the live projector projects the tenant again from its
 * next batch on; a new failure keeps the row, moved to the event that failed now, with its
 * error. Refused when the stored tables are of another version than this code writes.
 */
export async function retryStalls(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  filter: { readonly tenantId?: string } = {},
): Promise<RetryOutcome[]> {
  const stalls = await readStalls(pool, { projection: projection.name, ...filter });
  const outcomes: RetryOutcome[] = [];
  for (const stall of stalls)
    outcomes.push(await retryTenant(pool, store, projection, stall.tenantId));
  return outcomes;
}

async function retryTenant(
  pool: Pool,
  store: EventStore,
  projection: Projection,
  tenantId: string,
): Promise<RetryOutcome> {
  return inProjectionTransaction(pool, READ_MODELS_SCHEMA, async (client) => {
    const checkpoint = await lockCheckpoint(client, projection);
    const [stall] = await readStalls(client, { projection: projection.name, tenantId });
    if (!stall) {
      // Cleared meanwhile by another retry.
      return { projection: projection.name, tenantId, applied: 0, failure: null };
    }
    const halted = new Set<string>();
    let after = stall.resumeAfter;
    let applied = 0;
    let failure: NewStall | null = null;
    for (;;) {
      const page = await store.readAll({
        after,
        limit: RETRY_PAGE,
        eventTypes: [...projection.eventTypes],
      });
      const mine = page.events.filter(
        (e) =>
          tenantOf(e) === tenantId &&
          e.position >= stall.position &&
          e.position <= checkpoint.position,
      );
      if (mine.length > 0) {
        const [found] = await applyIsolatingFailures(client, projection, mine, halted, after);
        if (found) {
          failure = found;
          applied += mine.filter((e) => e.position < found.position).length;
          break;
        }
        applied += mine.length;
      }
      after = page.checkpoint;
      if (page.isEnd || page.events.length === 0 || after >= checkpoint.position) break;
    }
    if (failure) {
      await client.query(
        `UPDATE ${STALLS_TABLE}
            SET position = $3, resume_after = $4, event_id = $5, stream_name = $6,
                event_type = $7, error = $8, attempts = attempts + 1, retried_at = now()
          WHERE projection = $1 AND tenant_id = $2`,
        [
          projection.name,
          tenantId,
          failure.position,
          failure.resumeAfter,
          failure.eventId,
          failure.streamName,
          failure.eventType,
          failure.error,
        ],
      );
    } else {
      await client.query(`DELETE FROM ${STALLS_TABLE} WHERE projection = $1 AND tenant_id = $2`, [
        projection.name,
        tenantId,
      ]);
    }
    // Projectors in other processes re-read their stalls (and checkpoints) on this channel.
    await client.query(`SELECT pg_notify('${CHECKPOINT_CHANNEL}', '')`);
    return { projection: projection.name, tenantId, applied, failure };
  });
}
