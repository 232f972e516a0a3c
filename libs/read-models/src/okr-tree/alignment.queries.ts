import type { AlignmentNodeView, ReadModelQueries } from '../read-models.views';
import type { SqlRunner } from '../read-models.paging';
import { visibleObjectiveSql } from './visibility.queries';

/**
 * The whole tree of a cycle in one recursive query. Roots are the live objectives without a
 * live parent in the cycle (so children of an archived objective still show); `path` orders
 * pre-order, siblings oldest first. With a scope, `live` holds only the objectives it may see:
 * a hidden objective and its hidden descendants are left out, and a visible child of a hidden
 * parent is a root (parent_id NULL), so nothing of the parent shows. Progress is the edges'
 * as projected: a parent's still counts its hidden children (ADR 0017).
 *
 * The join names the cycle although an edge's cycle is always its objective's (`edgeOf`): with
 * only the id, PostgreSQL hash-joins a scan of every objective of the tenant (ADR 0009, round 3).
 */
const treeSql = (visible: string): string => `
WITH RECURSIVE live AS (
  SELECT e.child_objective_id, e.parent_objective_id, e.progress,
         to_char(e.created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') || e.child_objective_id AS sort_key
    FROM read_models.alignment_edges e
    JOIN read_models.objectives o ON o.tenant_id = e.tenant_id AND o.cycle_id = e.cycle_id
                                 AND o.id = e.child_objective_id
   WHERE e.tenant_id = $1 AND e.cycle_id = $2 AND NOT e.archived AND ${visible}
), tree AS (
  SELECT l.child_objective_id AS id,
         CASE WHEN l.parent_objective_id IN (SELECT child_objective_id FROM live)
              THEN l.parent_objective_id END AS parent_id,
         0 AS depth, l.progress, ARRAY[l.sort_key] AS path
    FROM live l
   WHERE l.parent_objective_id IS NULL
      OR l.parent_objective_id NOT IN (SELECT child_objective_id FROM live)
  UNION ALL
  SELECT c.child_objective_id, c.parent_objective_id, t.depth + 1, c.progress, t.path || c.sort_key
    FROM tree t JOIN live c ON c.parent_objective_id = t.id
)
SELECT id, parent_id, depth, progress FROM tree ORDER BY path`;

export function alignmentQueries(sql: SqlRunner): ReadModelQueries['alignment'] {
  return {
    async tree(tenantId, cycleId, visibleTo) {
      const values: unknown[] = [tenantId, cycleId];
      const visible = visibleTo ? visibleObjectiveSql(visibleTo, values, 'o') : 'TRUE';
      const rows = await sql.query<
        { id: string; parent_id: string | null; depth: number; progress: number }[]
      >(treeSql(visible), values);
      return rows.map((r): AlignmentNodeView => ({
        objectiveId: r.id,
        parentId: r.parent_id,
        depth: r.depth,
        progress: r.progress,
      }));
    },
  };
}
