import type { ObjectiveRow } from './okr-tree.rows';
import type { ObjectiveView, ReadModelQueries } from '../read-models.views';
import {
  clampFirst,
  decodeCursor,
  encodeCursor,
  toDate,
  toPage,
  type SqlRunner,
  TenantConditions,
} from '../read-models.paging';
import { visibleObjectiveSql } from './visibility.queries';

export const toObjectiveView = (r: ObjectiveRow): ObjectiveView => ({
  id: r.id,
  cycleId: r.cycle_id,
  title: r.title,
  description: r.description,
  ownerId: r.owner_id,
  teamId: r.team_id,
  parentObjectiveId: r.parent_objective_id,
  parentKeyResultId: r.parent_key_result_id,
  visibility: r.visibility,
  sharedWith: r.shared_with,
  archived: r.archived,
  progress: r.progress,
  checkedIn: r.checked_in,
  version: r.version,
  createdAt: toDate(r.created_at),
});

const CURSOR = 'objectives';

export function objectiveQueries(sql: SqlRunner): ReadModelQueries['objectives'] {
  return {
    async byIds(tenantId, ids) {
      if (ids.length === 0) return [];
      const rows = await sql.query<ObjectiveRow[]>(
        `SELECT * FROM read_models.objectives WHERE tenant_id = $1 AND id = ANY($2::text[])`,
        [tenantId, ids],
      );
      return rows.map(toObjectiveView);
    },
    async page(tenantId, filter, page) {
      const first = clampFirst(page);
      const conditions = new TenantConditions(tenantId);
      const { values, where } = conditions;
      const add = conditions.add.bind(conditions);
      if (filter.cycleId) add('cycle_id = ?', filter.cycleId);
      if (filter.teamId) add('team_id = ?', filter.teamId);
      if (filter.ownerId) add('owner_id = ?', filter.ownerId);
      if (!filter.includeArchived) where.push('NOT archived');
      // Filtered here, not after: the page, its cursors and its count hold only what it may see.
      if (filter.visibleTo) where.push(visibleObjectiveSql(filter.visibleTo, values));
      const filtered = where.join(' AND ');
      const countValues = [...values];
      if (page.after) {
        const [createdAt = '', id = ''] = decodeCursor(CURSOR, page.after, 2);
        values.push(createdAt, id);
        where.push(`(created_at, id) > ($${values.length - 1}::timestamptz, $${values.length})`);
      }
      values.push(first + 1);
      // The count rides along as an uncorrelated subquery (run once): one round trip, not two.
      // Only a page past the end (a cursor, no row) has no row to carry it and asks again.
      const rows = await sql.query<(ObjectiveRow & { total_count: number })[]>(
        `SELECT *, (SELECT count(*)::int FROM read_models.objectives WHERE ${filtered})
                AS total_count
           FROM read_models.objectives WHERE ${where.join(' AND ')}
          ORDER BY created_at, id LIMIT $${values.length}`,
        values,
      );
      let totalCount = rows[0]?.total_count;
      if (totalCount === undefined && page.after) {
        const count = await sql.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM read_models.objectives WHERE ${filtered}`,
          countValues,
        );
        totalCount = count[0]?.n;
      }
      return toPage(rows, first, totalCount ?? 0, Boolean(page.after), toObjectiveView, (r) =>
        encodeCursor(CURSOR, toDate(r.created_at).toISOString(), r.id),
      );
    },
    async childrenOf(tenantId, parentObjectiveIds) {
      if (parentObjectiveIds.length === 0) return [];
      const rows = await sql.query<ObjectiveRow[]>(
        `SELECT * FROM read_models.objectives
          WHERE tenant_id = $1 AND NOT archived
            AND (parent_objective_id = ANY($2::text[])
                 OR parent_key_result_objective_id = ANY($2::text[]))
          ORDER BY created_at, id`,
        [tenantId, parentObjectiveIds],
      );
      return rows.map(toObjectiveView);
    },
  };
}
