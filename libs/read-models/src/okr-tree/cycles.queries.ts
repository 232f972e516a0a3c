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
      const rows = await sql.query<CycleRow[]>(
        `SELECT * FROM read_models.cycles WHERE tenant_id = $1 AND id = ANY($2::text[])`,
        [tenantId, ids],
      );
      return rows.map(toCycleView);
    },
  };
}
