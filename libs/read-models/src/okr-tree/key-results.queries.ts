import type { KeyResultRow } from './okr-tree.rows';
import type { KeyResultView, ReadModelQueries } from '../read-models.views';
import { toDate, type SqlRunner } from '../read-models.paging';

/**
 * The columns a view is made of: not `SELECT *`, whose tenant, own progress, creation time
 * (one more timestamp to parse per row) and position no view reads — a page reads hundreds.
 */
const VIEW_COLUMNS = `id, objective_id, cycle_id, title, owner_id, type, kind, scoring, start_value,
  target_value, current_value, measured_at, unit, weight, progress, confidence, data_source_url,
  health_metric, check_in_count, initiatives, version`;
type ViewRow = Omit<KeyResultRow, 'tenant_id' | 'own_progress' | 'created_at' | 'last_position'>;

export const toKeyResultView = (r: ViewRow): KeyResultView => ({
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
      // One primary-key probe per id, whatever the statistics: on a table not yet analysed
      // PostgreSQL 18 plans `id = ANY($2)` as a scan of key_results_objective_idx and a plain
      // join on unnest as a bitmap scan of the tenant; LIMIT 1 keeps the subquery a probe.
      const rows = await sql.query<ViewRow[]>(
        `SELECT ${VIEW_COLUMNS} FROM unnest($2::text[]) AS k(wanted_id)
           CROSS JOIN LATERAL (SELECT ${VIEW_COLUMNS} FROM read_models.key_results
                                WHERE tenant_id = $1 AND id = k.wanted_id LIMIT 1) r`,
        [tenantId, [...new Set(ids)]],
      );
      return rows.map(toKeyResultView);
    },
    async byObjectiveIds(tenantId, objectiveIds) {
      if (objectiveIds.length === 0) return [];
      const rows = await sql.query<ViewRow[]>(
        `SELECT ${VIEW_COLUMNS} FROM read_models.key_results
          WHERE tenant_id = $1 AND objective_id = ANY($2::text[])
          ORDER BY created_at, id`,
        [tenantId, objectiveIds],
      );
      return rows.map(toKeyResultView);
    },
  };
}
