import type { RecordedEvent } from '@okr-ledger/event-store';
import {
  confidenceAfterCheckIn,
  keyResultProgress,
  replacesCurrent,
  valueAfterRedefinition,
} from '@okr-ledger/okr';
import type { ClientBase } from 'pg';
import type { Projection } from '../projector/projection.port';
import { asOkrEvent, tenantOf } from '../projector/recorded-event';
import {
  insertRowsIgnoringDuplicates,
  preparedQuery,
  tenantKey,
  tenantPairs,
} from '../projector/projection-sql';
import type { PointRow } from './key-result-history.rows';

/**
 * A time series per key result. Each point is the previous one plus the event, so the
 * projection needs no other state: the latest stored point of each key result is its memory.
 * `progress` is the key result's own-value progress (a roll-up depends on other aggregates).
 * A check-in point also keeps its own value and measuredAt: a late value is a point of the
 * history at its valid time without becoming the current value (ADR 0014).
 */
// Rows read back hold dates; the domain compares ISO strings.
const isoOf = (at: string | Date): string => (at instanceof Date ? at.toISOString() : at);

export const keyResultHistoryProjection: Projection = {
  name: 'key-result-history',
  // 2: current value by valid time, each check-in's own value and measuredAt (ADR 0014).
  version: 2,
  eventTypes: ['KeyResultAdded', 'KeyResultRedefined', 'KeyResultCheckedIn'],
  tables: ['key_result_history'],
  async apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void> {
    const ids = new Map<string, [string, string]>();
    for (const e of events) {
      const id = String(e.data.keyResultId);
      ids.set(tenantKey(tenantOf(e), id), [tenantOf(e), id]);
    }
    const [tenants, krIds] = tenantPairs(ids.values());
    // The latest point of each key result: one backward step on the primary key each
    // (DISTINCT ON over a join read every earlier point of each key result, on every batch).
    const { rows: latest } = await preparedQuery<PointRow>(
      client,
      `SELECT h.*
         FROM unnest($1::text[], $2::text[]) AS k(tenant_id, id)
         CROSS JOIN LATERAL (
           SELECT * FROM key_result_history p
            WHERE p.tenant_id = k.tenant_id AND p.key_result_id = k.id
            ORDER BY p.position DESC LIMIT 1) h`,
      [tenants, krIds],
    );
    const last = new Map(latest.map((p) => [tenantKey(p.tenant_id, p.key_result_id), p]));
    const points: PointRow[] = [];
    for (const raw of events) {
      const event = asOkrEvent(raw);
      const key = tenantKey(tenantOf(raw), String(raw.data.keyResultId));
      const previous = last.get(key);
      if (previous && previous.position >= raw.position) continue;
      const base = {
        tenant_id: tenantOf(raw),
        key_result_id: String(raw.data.keyResultId),
        position: raw.position,
        at: raw.recordedAt.toISOString(),
        event_type: raw.type,
      };
      let next: PointRow;
      switch (event.type) {
        case 'KeyResultAdded': {
          const d = event.data;
          next = {
            ...base,
            type: d.type,
            start_value: d.startValue,
            target_value: d.targetValue,
            current_value: d.startValue,
            current_measured_at: null,
            value: null,
            measured_at: null,
            progress: 0,
            confidence: null,
            check_in_count: 0,
          };
          break;
        }
        case 'KeyResultRedefined': {
          if (!previous) continue;
          next = { ...previous, ...base, value: null, measured_at: null };
          for (const change of event.data.changes) {
            if (change.field === 'type') next.type = change.to;
            if (change.field === 'startValue') next.start_value = change.to;
            if (change.field === 'targetValue') next.target_value = change.to;
          }
          next.current_value = valueAfterRedefinition(
            { currentValue: next.current_value, checkInCount: next.check_in_count },
            next.start_value,
          );
          break;
        }
        case 'KeyResultCheckedIn': {
          if (!previous) continue;
          const { value, measuredAt } = event.data;
          const current =
            previous.current_measured_at === null
              ? null
              : { measuredAt: isoOf(previous.current_measured_at) };
          const replaces = replacesCurrent({ measuredAt }, current);
          // Spelled out rather than spread: one per check-in of a rebuild (profiled).
          next = {
            tenant_id: base.tenant_id,
            key_result_id: base.key_result_id,
            position: base.position,
            at: base.at,
            event_type: base.event_type,
            type: previous.type,
            start_value: previous.start_value,
            target_value: previous.target_value,
            current_value: replaces ? value : previous.current_value,
            current_measured_at: replaces ? measuredAt : previous.current_measured_at,
            value,
            measured_at: measuredAt,
            progress: 0,
            confidence: confidenceAfterCheckIn(event.data.confidence, previous.confidence),
            check_in_count: previous.check_in_count + 1,
          };
          break;
        }
        default:
          continue;
      }
      next.progress = keyResultProgress({
        type: next.type,
        startValue: next.start_value,
        targetValue: next.target_value,
        currentValue: next.current_value,
      });
      last.set(key, next);
      points.push(next);
    }
    await insertRowsIgnoringDuplicates(client, 'key_result_history', points);
  },
};
