import type { TeamMembership } from '@okr-ledger/okr';
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
    async membersOf(tenantId, teamIds) {
      if (teamIds.length === 0) return [];
      const rows = await sql.query<{ team_id: string; person_id: string; lead: boolean }[]>(
        `SELECT team_id, person_id, lead FROM read_models.team_members
          WHERE tenant_id = $1 AND team_id = ANY($2::text[]) ORDER BY team_id, person_id`,
        [tenantId, teamIds],
      );
      return rows.map((r) => ({ teamId: r.team_id, personId: r.person_id, lead: r.lead }));
    },
    async memberships(tenantId, personId) {
      const rows = await sql.query<
        {
          id: string;
          parent_id: string | null;
          members: { personId: string; lead: boolean }[];
        }[]
      >(
        `SELECT t.id, t.parent_id,
                coalesce(json_agg(json_build_object('personId', m.person_id, 'lead', m.lead)
                                  ORDER BY m.person_id) FILTER (WHERE m.person_id IS NOT NULL),
                         '[]'::json) AS members
           FROM read_models.teams t
           LEFT JOIN read_models.team_members m
             ON m.tenant_id = t.tenant_id AND m.team_id = t.id
            AND ($2::text IS NULL OR m.person_id = $2)
          WHERE t.tenant_id = $1
          GROUP BY t.id, t.parent_id`,
        [tenantId, personId],
      );
      return rows.map((r): TeamMembership => ({
        teamId: r.id,
        parentTeamId: r.parent_id,
        members: r.members,
      }));
    },
  };
}
