import type { RecordedEvent } from '@okr-ledger/event-store';
import { DATA_SOURCE_EVENT_TYPES } from '@okr-ledger/okr';
import type { ClientBase } from 'pg';
import type { Projection } from '../projector/projection.port';
import { asOkrEvent, tenantOf } from '../projector/recorded-event';
import {
  insertRowsIgnoringDuplicates,
  pick,
  preparedQuery,
  selectByTenantPairs,
  tenantKey,
  upsertRows,
} from '../projector/projection-sql';
import type { DataSourceKeyResultRow, DataSourceRow } from './data-sources.rows';

/**
 * Data sources and, per key result they feed, the latest `measuredAt` they sent (what the
 * staleness rule needs). Check-ins of people are skipped; a source's values only move the time
 * forward, so a redelivered or a late value changes nothing twice.
 */
export const dataSourcesProjection: Projection = {
  name: 'data-sources',
  version: 1,
  eventTypes: [...DATA_SOURCE_EVENT_TYPES, 'KeyResultCheckedIn'],
  tables: ['data_sources', 'data_source_key_results'],
  async apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void> {
    const sourceEvents = events.filter((e) => e.type !== 'KeyResultCheckedIn');
    const ids = new Map<string, [string, string]>();
    for (const e of sourceEvents) {
      const id = String(e.data.dataSourceId);
      ids.set(tenantKey(tenantOf(e), id), [tenantOf(e), id]);
    }
    const rows = new Map<string, DataSourceRow>();
    for (const row of await selectByTenantPairs<DataSourceRow>(
      client,
      'data_sources',
      'id',
      ids.values(),
    )) {
      rows.set(tenantKey(row.tenant_id, row.id), row);
    }
    const dirty = new Set<string>();
    const links: DataSourceKeyResultRow[] = [];
    for (const raw of sourceEvents) {
      const event = asOkrEvent(raw);
      const tenant = tenantOf(raw);
      const key = tenantKey(tenant, String(raw.data.dataSourceId));
      const row = rows.get(key);
      // Per-row idempotence on top of the checkpoint: never apply an event twice to a row.
      if (row && row.last_position >= raw.position) continue;
      const touched = { version: raw.revision + 1, last_position: raw.position };
      switch (event.type) {
        case 'DataSourceRegistered':
          rows.set(key, {
            tenant_id: tenant,
            id: event.data.dataSourceId,
            name: event.data.name,
            kind: event.data.kind,
            expected_interval_hours: event.data.expectedIntervalHours,
            revoked: false,
            registered_at: raw.recordedAt.toISOString(),
            ...touched,
          });
          for (const keyResultId of event.data.keyResultIds) {
            links.push({
              tenant_id: tenant,
              data_source_id: event.data.dataSourceId,
              key_result_id: keyResultId,
              last_value_at: null,
            });
          }
          break;
        case 'DataSourceKeyRotated':
          if (!row) continue;
          Object.assign(row, touched);
          break;
        case 'DataSourceKeyRevoked':
          if (!row) continue;
          Object.assign(row, { revoked: true }, touched);
          break;
        default:
          continue;
      }
      dirty.add(key);
    }
    await upsertRows(client, 'data_sources', ['tenant_id', 'id'], pick(rows, dirty));
    await insertRowsIgnoringDuplicates(client, 'data_source_key_results', links);

    // The latest measuredAt per (tenant, source, key result) of this batch, in one statement.
    const latest = new Map<string, [string, string, string, string]>();
    for (const e of events) {
      if (e.type !== 'KeyResultCheckedIn') continue;
      const { dataSourceId, keyResultId, measuredAt } = e.data as {
        dataSourceId?: unknown;
        keyResultId?: unknown;
        measuredAt?: unknown;
      };
      if (typeof dataSourceId !== 'string' || typeof keyResultId !== 'string') continue;
      const at = typeof measuredAt === 'string' ? measuredAt : e.recordedAt.toISOString();
      const k = `${tenantKey(tenantOf(e), dataSourceId)}\u0000${keyResultId}`;
      const seen = latest.get(k);
      if (!seen || Date.parse(seen[3]) < Date.parse(at))
        latest.set(k, [tenantOf(e), dataSourceId, keyResultId, at]);
    }
    if (latest.size === 0) return;
    const columns: [string[], string[], string[], string[]] = [[], [], [], []];
    for (const value of latest.values()) value.forEach((v, i) => columns[i]?.push(v));
    await preparedQuery(
      client,
      `UPDATE data_source_key_results t
          SET last_value_at = GREATEST(t.last_value_at, v.at)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
              AS v(tenant_id, data_source_id, key_result_id, at)
        WHERE t.tenant_id = v.tenant_id AND t.data_source_id = v.data_source_id
          AND t.key_result_id = v.key_result_id`,
      columns,
    );
  },
};
