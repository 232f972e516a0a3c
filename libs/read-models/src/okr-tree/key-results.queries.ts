import type { KeyResultRow } from './okr-tree.rows';
import type { KeyResultView, ReadModelQueries } from '../read-models.views';
import { toDate, type SqlRunner } from '../read-models.paging';

export const toKeyResultView = (r: KeyResultRow): KeyResultView => ({
  id: r.id,
  objectiveId: r.objective_id,
  cycleId: r.cycle_id,
  title: r.title,
  ownerId: r.owner_id,
  type: r.type,
  kind: r.kind,
  scoring: r.scoring,
  startValue: r.start_value,
  targetValue: r.target_value,
  currentValue: r.current_value,
  measuredAt: r.measured_at === null ? null : toDate(r.measured_at),
  unit: r.unit,
  weight: r.weight,
  progress: r.progress,
  confidence: r.confidence,
  dataSourceUrl: r.data_source_url,
  healthMetric: r.health_metric,
  checkInCount: r.check_in_count,
  initiatives: r.initiatives.map((i) => ({
    id: i.id,
    title: i.title,
    dueDate: i.dueDate,
    completed: i.completed,
  })),
  version: r.version,
});

export function keyResultQueries(sql: SqlRunner): ReadModelQueries['keyResults'] {
  return {
    async byIds(tenantId, ids) {
      if (ids.length === 0) return [];
      const rows = await sql.query<KeyResultRow[]>(
        `SELECT * FROM read_models.key_results WHERE tenant_id = $1 AND id = ANY($2::text[])`,
        [tenantId, ids],
      );
      return rows.map(toKeyResultView);
    },
    async byObjectiveIds(tenantId, objectiveIds) {
      if (objectiveIds.length === 0) return [];
      const rows = await sql.query<KeyResultRow[]>(
        `SELECT * FROM read_models.key_results
          WHERE tenant_id = $1 AND objective_id = ANY($2::text[])
          ORDER BY created_at, id`,
        [tenantId, objectiveIds],
      );
      return rows.map(toKeyResultView);
    },
  };
}
