import type { KeyResultHistoryPoint, ReadModelQueries } from '../read-models.views';
import { toDate, type SqlRunner } from '../read-models.paging';
import type { PointRow } from './key-result-history.rows';

/** The columns the series reads; `at` comes back from PostgreSQL as a date. */
type Row = Pick<
  PointRow,
  | 'position'
  | 'event_type'
  | 'current_value'
  | 'value'
  | 'target_value'
  | 'start_value'
  | 'progress'
  | 'confidence'
> & { at: Date; measured_at: Date | null };

export function keyResultHistoryQueries(sql: SqlRunner): ReadModelQueries['keyResultHistory'] {
  return {
    async series(tenantId, keyResultId) {
      const rows = await sql.query<Row[]>(
        `SELECT at, position, event_type, current_value, value, measured_at, target_value,
                start_value, progress, confidence
           FROM read_models.key_result_history
          WHERE tenant_id = $1 AND key_result_id = $2 ORDER BY position`,
        [tenantId, keyResultId],
      );
      return rows.map((r): KeyResultHistoryPoint => ({
        at: toDate(r.at),
        position: r.position,
        eventType: r.event_type,
        currentValue: r.current_value,
        value: r.value,
        measuredAt: r.measured_at === null ? null : toDate(r.measured_at),
        targetValue: r.target_value,
        startValue: r.start_value,
        progress: r.progress,
        confidence: r.confidence,
      }));
    },
  };
}
