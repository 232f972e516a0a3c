import type { KeyResultHistoryPoint, ReadModelQueries } from '../read-models.views';
import { toDate, type SqlRunner } from '../read-models.paging';

interface Row {
  at: Date;
  position: string;
  event_type: string;
  current_value: number;
  target_value: number;
  start_value: number;
  progress: number;
  confidence: number | null;
}

export function keyResultHistoryQueries(sql: SqlRunner): ReadModelQueries['keyResultHistory'] {
  return {
    async series(tenantId, keyResultId) {
      const rows = await sql.query<Row[]>(
        `SELECT at, position, event_type, current_value, target_value, start_value, progress,
                confidence
           FROM read_models.key_result_history
          WHERE tenant_id = $1 AND key_result_id = $2 ORDER BY position`,
        [tenantId, keyResultId],
      );
      return rows.map((r): KeyResultHistoryPoint => ({
        at: toDate(r.at),
        position: r.position,
        eventType: r.event_type,
        currentValue: r.current_value,
        targetValue: r.target_value,
        startValue: r.start_value,
        progress: r.progress,
        confidence: r.confidence,
      }));
    },
  };
}
