import type { CycleRow } from './okr-tree.rows';
import type { CycleView, ReadModelQueries } from '../read-models.views';
import { toDate, type SqlRunner } from '../read-models.paging';

export const toCycleView = (r: CycleRow): CycleView => ({
  id: r.id,
  name: r.name,
  startsAt: toDate(r.starts_at),
  endsAt: toDate(r.ends_at),
  status: r.status,
  progress: r.progress,
  version: r.version,
});

export function cycleQueries(sql: SqlRunner): ReadModelQueries['cycles'] {
  return {
    async all(tenantId) {
      const rows = await sql.query<CycleRow[]>(
        `SELECT * FROM read_models.cycles WHERE tenant_id = $1 ORDER BY starts_at, id`,
        [tenantId],
      );
      return rows.map(toCycleView);
    },
    async byIds(tenantId, ids) {
      if (ids.length === 0) return [];
      // As key results' byIds: one primary-key probe per id, whatever the statistics.
      const rows = await sql.query<CycleRow[]>(
        `SELECT c.* FROM unnest($2::text[]) AS k(wanted_id)
           CROSS JOIN LATERAL (SELECT * FROM read_models.cycles
                                WHERE tenant_id = $1 AND id = k.wanted_id LIMIT 1) c`,
        [tenantId, [...new Set(ids)]],
      );
      return rows.map(toCycleView);
    },
  };
}
