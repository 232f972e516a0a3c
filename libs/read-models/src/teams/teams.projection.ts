import type { RecordedEvent } from '@okr-ledger/event-store';
import { TEAM_EVENT_TYPES } from '@okr-ledger/okr';
import type { ClientBase } from 'pg';
import type { Projection } from '../projector/projection.port';
import { asOkrEvent, tenantOf } from '../projector/recorded-event';
import { pick, selectByTenantPairs, tenantKey, upsertRows } from '../projector/projection-sql';
import type { TeamMemberRow, TeamRow } from './teams.rows';

/** The key of a member row in memory: tenant, team and person. */
const memberKey = (tenantId: string, teamId: string, personId: string): string =>
  tenantKey(tenantKey(tenantId, teamId), personId);

/** Teams and their members: a member event is a team stream's, so it moves the team's version. */
export const teamsProjection: Projection = {
  name: 'teams',
  // 2: members (TeamMemberAdded, TeamMemberRemoved) in team_members.
  version: 2,
  eventTypes: TEAM_EVENT_TYPES,
  tables: ['teams', 'team_members'],
  async apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void> {
    const ids = new Map<string, [string, string]>();
    for (const e of events) {
      const id = String(e.data.teamId);
      ids.set(tenantKey(tenantOf(e), id), [tenantOf(e), id]);
    }
    const rows = new Map<string, TeamRow>();
    for (const row of await selectByTenantPairs<TeamRow>(client, 'teams', 'id', ids.values())) {
      rows.set(tenantKey(row.tenant_id, row.id), row);
    }
    const members = new Map<string, TeamMemberRow>();
    if (events.some((e) => e.type === 'TeamMemberAdded' || e.type === 'TeamMemberRemoved')) {
      for (const m of await selectByTenantPairs<TeamMemberRow>(
        client,
        'team_members',
        'team_id',
        ids.values(),
      )) {
        members.set(memberKey(m.tenant_id, m.team_id, m.person_id), m);
      }
    }
    const dirtyMembers = new Set<string>();
    const removedMembers = new Map<string, TeamMemberRow>();
    const dirty = new Set<string>();
    for (const raw of events) {
      const event = asOkrEvent(raw);
      const key = tenantKey(tenantOf(raw), String(raw.data.teamId));
      const row = rows.get(key);
      // Per-row idempotence on top of the checkpoint: never apply an event twice to a row.
      if (row && row.last_position >= raw.position) continue;
      const touched = { version: raw.revision + 1, last_position: raw.position };
      switch (event.type) {
        case 'TeamCreated':
          rows.set(key, {
            tenant_id: tenantOf(raw),
            id: event.data.teamId,
            name: event.data.name,
            parent_id: event.data.parentTeamId,
            ...touched,
          });
          break;
        case 'TeamRenamed':
          if (!row) continue;
          Object.assign(row, { name: event.data.name }, touched);
          break;
        case 'TeamMoved':
          if (!row) continue;
          Object.assign(row, { parent_id: event.data.toParentTeamId }, touched);
          break;
        case 'TeamMemberAdded':
        case 'TeamMemberRemoved': {
          if (!row) continue;
          Object.assign(row, touched);
          const { teamId, personId } = event.data;
          const person = memberKey(row.tenant_id, teamId, personId);
          const member = { tenant_id: row.tenant_id, team_id: teamId, person_id: personId };
          if (event.type === 'TeamMemberAdded') {
            members.set(person, { ...member, lead: event.data.lead });
            removedMembers.delete(person);
          } else {
            members.delete(person);
            removedMembers.set(person, { ...member, lead: false });
          }
          dirtyMembers.add(person);
          break;
        }
        default:
          continue;
      }
      dirty.add(key);
    }
    await upsertRows(client, 'teams', ['tenant_id', 'id'], pick(rows, dirty));
    const removed = [...removedMembers.values()];
    if (removed.length > 0) {
      const tenants = removed.map((m) => m.tenant_id);
      const teams = removed.map((m) => m.team_id);
      const people = removed.map((m) => m.person_id);
      await client.query(
        `DELETE FROM team_members m USING unnest($1::text[], $2::text[], $3::text[]) AS r(t, team, p)
          WHERE m.tenant_id = r.t AND m.team_id = r.team AND m.person_id = r.p`,
        [tenants, teams, people],
      );
    }
    await upsertRows(
      client,
      'team_members',
      ['tenant_id', 'team_id', 'person_id'],
      pick(members, dirtyMembers),
    );
  },
};
