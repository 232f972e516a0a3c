import type { RecordedEvent } from '@okr-ledger/event-store';
import { TEAM_EVENT_TYPES } from '@okr-ledger/okr';
import type { ClientBase } from 'pg';
import type { Projection } from '../projector/projection.port';
import { asOkrEvent, tenantOf } from '../projector/recorded-event';
import { pick, selectByTenantPairs, tenantKey, upsertRows } from '../projector/projection-sql';
import type { TeamRow } from './teams.rows';

export const teamsProjection: Projection = {
  name: 'teams',
  version: 1,
  eventTypes: TEAM_EVENT_TYPES,
  tables: ['teams'],
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
        default:
          continue;
      }
      dirty.add(key);
    }
    await upsertRows(client, 'teams', ['tenant_id', 'id'], pick(rows, dirty));
  },
};
