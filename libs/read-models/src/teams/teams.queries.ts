import type { ReadModelQueries, TeamView } from '../read-models.views';
import type { SqlRunner } from '../read-models.paging';
import type { TeamRow } from './teams.rows';

type Row = Pick<TeamRow, 'id' | 'name' | 'parent_id' | 'version'>;

const toView = (r: Row): TeamView => ({
  id: r.id,
  name: r.name,
  parentId: r.parent_id,
  version: r.version,
});

const COLUMNS = 'id, name, parent_id, version';

export function teamQueries(sql: SqlRunner): ReadModelQueries['teams'] {
  return {
    async all(tenantId) {
      const rows = await sql.query<Row[]>(
        `SELECT ${COLUMNS} FROM read_models.teams WHERE tenant_id = $1 ORDER BY name, id`,
        [tenantId],
      );
      return rows.map(toView);
    },
    async byIds(tenantId, ids) {
      if (ids.length === 0) return [];
      const rows = await sql.query<Row[]>(
        `SELECT ${COLUMNS} FROM read_models.teams WHERE tenant_id = $1 AND id = ANY($2::text[])`,
        [tenantId, ids],
      );
      return rows.map(toView);
    },
    async childrenOf(tenantId, parentIds) {
      if (parentIds.length === 0) return [];
      const rows = await sql.query<Row[]>(
        `SELECT ${COLUMNS} FROM read_models.teams
          WHERE tenant_id = $1 AND parent_id = ANY($2::text[]) ORDER BY name, id`,
        [tenantId, parentIds],
      );
      return rows.map(toView);
    },
  };
}
