import type { AlignmentNodeView, ReadModelQueries } from '../read-models.views';
import type { SqlRunner } from '../read-models.paging';

/**
 * The whole tree of a cycle in one recursive query. Roots are the live objectives without a
 * live parent in the cycle (so children of an archived objective still show); `path` orders
 * pre-order, siblings oldest first.
 */
const TREE_SQL = `
WITH RECURSIVE live AS (
  SELECT child_objective_id, parent_objective_id, progress,
         to_char(created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') || child_objective_id AS sort_key
    FROM read_models.alignment_edges
   WHERE tenant_id = $1 AND cycle_id = $2 AND NOT archived
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
    async tree(tenantId, cycleId) {
      const rows = await sql.query<
        { id: string; parent_id: string | null; depth: number; progress: number }[]
      >(TREE_SQL, [tenantId, cycleId]);
      return rows.map((r): AlignmentNodeView => ({
        objectiveId: r.id,
        parentId: r.parent_id,
        depth: r.depth,
        progress: r.progress,
      }));
    },
  };
}
