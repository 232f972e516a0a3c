import type { RecordedEvent } from '@okr-ledger/event-store';
import {
  detectSignals,
  initialSignalState,
  type AuditSignal,
  type SignalContext,
  type SignalEvent,
  type SignalState,
} from '@okr-ledger/okr';
import type { ClientBase } from 'pg';
import type { Projection } from '../projector/projection.port';
import { asOkrEvent, cycleIdOf, tenantOf } from '../projector/recorded-event';
import { pick, selectByTenantPairs, tenantKey, writeRows } from '../projector/projection-sql';

interface StateRow {
  tenant_id: string;
  key_result_id: string;
  position: string;
  state: SignalState;
}

interface CycleRow {
  tenant_id: string;
  cycle_id: string;
  closed_position: string;
  closed_event_id: string;
  closed_at: string;
}

interface FeedRow {
  tenant_id: string;
  data_source_id: string;
  key_result_id: string;
}

const listedBy = (event: RecordedEvent): string[] => {
  const ids = event.data.keyResultIds;
  return Array.isArray(ids) ? ids.map(String) : [];
};

/**
 * The key results an event concerns: its own, those a data source's registration lists, or
 * for its revocation (which lists none) those its registration listed.
 */
function keyResultIdsOf(
  event: RecordedEvent,
  listed: ReadonlyMap<string, ReadonlySet<string>>,
): readonly string[] {
  if (event.type === 'DataSourceRegistered') return listedBy(event);
  if (event.type === 'DataSourceKeyRevoked')
    return [...(listed.get(tenantKey(tenantOf(event), String(event.data.dataSourceId))) ?? [])];
  return event.type === 'CycleClosed' ? [] : [String(event.data.keyResultId)];
}

/**
 * The signals for auditors of libs/okr (detectSignals), kept per key result as the log grows:
 * the detector's state of each key result is stored as JSON beside the signals it raised, and
 * each cycle's close is remembered for the values recorded after it. Never waits on another
 * projection.
 */
export const auditSignalsProjection: Projection = {
  name: 'audit-signals',
  // 2: a redefinition's new scale starts the jump history over; no stale run at the target.
  // 3: jumps need 25 % of the span, and the mean absolute deviation stands in for a MAD of 0.
  // 4: the stored state keeps measured times as epoch milliseconds.
  // 5: summaries name a registered data source by its name.
  // 6: a data source's revocation ends its feed (no MANUAL_OVERRIDE from it any more).
  version: 6,
  eventTypes: [
    'KeyResultAdded',
    'KeyResultRedefined',
    'KeyResultCheckedIn',
    'CycleClosed',
    'DataSourceRegistered',
    'DataSourceKeyRevoked',
  ],
  tables: [
    'audit_signals',
    'audit_signal_evidence',
    'audit_signal_states',
    'audit_signal_cycles',
    'audit_signal_feeds',
  ],
  // Not the evidence: its rows share their signal's position, so a rebuild could not take them
  // as in log order; with its primary key in place they are plain ON CONFLICT inserts.
  appendOnlyTables: ['audit_signals'],
  async apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void> {
    // Which key results each revoked source's registration listed: stored, or in this batch.
    const revokedSources = new Map<string, [string, string]>();
    for (const e of events) {
      if (e.type !== 'DataSourceKeyRevoked') continue;
      const tenant = tenantOf(e);
      const id = String(e.data.dataSourceId);
      revokedSources.set(tenantKey(tenant, id), [tenant, id]);
    }
    const listed = new Map<string, Set<string>>();
    const list = (tenant: string, dataSourceId: string, keyResultId: string) => {
      const key = tenantKey(tenant, dataSourceId);
      listed.set(key, (listed.get(key) ?? new Set()).add(keyResultId));
    };
    for (const row of await selectByTenantPairs<FeedRow>(
      client,
      'audit_signal_feeds',
      'data_source_id',
      revokedSources.values(),
    ))
      list(row.tenant_id, row.data_source_id, row.key_result_id);
    const newFeeds: FeedRow[] = [];
    for (const e of events) {
      if (e.type !== 'DataSourceRegistered') continue;
      const tenant = tenantOf(e);
      const dataSourceId = String(e.data.dataSourceId);
      for (const keyResultId of listedBy(e)) {
        list(tenant, dataSourceId, keyResultId);
        newFeeds.push({
          tenant_id: tenant,
          data_source_id: dataSourceId,
          key_result_id: keyResultId,
        });
      }
    }

    const krIds = new Map<string, [string, string]>();
    const cycleIds = new Map<string, [string, string]>();
    for (const e of events) {
      const tenant = tenantOf(e);
      for (const id of keyResultIdsOf(e, listed)) krIds.set(tenantKey(tenant, id), [tenant, id]);
      const cycleId = e.type === 'CycleClosed' ? String(e.data.cycleId) : cycleIdOf(e);
      if (cycleId) cycleIds.set(tenantKey(tenant, cycleId), [tenant, cycleId]);
    }
    const states = new Map(
      (
        await selectByTenantPairs<StateRow>(
          client,
          'audit_signal_states',
          'key_result_id',
          krIds.values(),
        )
      ).map((r) => [tenantKey(r.tenant_id, r.key_result_id), r]),
    );
    const cycles = new Map(
      (
        await selectByTenantPairs<CycleRow>(
          client,
          'audit_signal_cycles',
          'cycle_id',
          cycleIds.values(),
        )
      ).map((r) => [tenantKey(r.tenant_id, r.cycle_id), r]),
    );
    const dirtyStates = new Set<string>();
    const dirtyCycles = new Set<string>();
    const raised: { tenant: string; signal: AuditSignal }[] = [];

    for (const raw of events) {
      const tenant = tenantOf(raw);
      const event = asOkrEvent(raw);
      if (event.type === 'CycleClosed') {
        const key = tenantKey(tenant, event.data.cycleId);
        if (cycles.has(key)) continue;
        cycles.set(key, {
          tenant_id: tenant,
          cycle_id: event.data.cycleId,
          closed_position: raw.position,
          closed_event_id: raw.id,
          closed_at: raw.recordedAt.toISOString(),
        });
        dirtyCycles.add(key);
        continue;
      }
      const cycleId = cycleIdOf(raw);
      const closed = cycleId ? cycles.get(tenantKey(tenant, cycleId)) : undefined;
      const context: SignalContext = {
        cycleClosed: closed
          ? {
              position: closed.closed_position,
              eventId: closed.closed_event_id,
              eventType: 'CycleClosed',
              recordedAt: new Date(closed.closed_at).toISOString(),
            }
          : null,
      };
      const recording = {
        position: raw.position,
        eventId: raw.id,
        recordedAt: raw.recordedAt.toISOString(),
        actorId: raw.metadata.actorId,
      };
      for (const keyResultId of keyResultIdsOf(raw, listed)) {
        const key = tenantKey(tenant, keyResultId);
        const stored = states.get(key);
        // Folded already (a batch applied again after a failure elsewhere): nothing new.
        if (stored && stored.position >= raw.position) continue;
        const step = detectSignals(
          stored?.state ?? initialSignalState(keyResultId),
          event as SignalEvent,
          recording,
          context,
        );
        states.set(key, {
          tenant_id: tenant,
          key_result_id: keyResultId,
          position: raw.position,
          state: step.state,
        });
        dirtyStates.add(key);
        for (const signal of step.signals) raised.push({ tenant, signal });
      }
    }

    await writeRows(client, [
      {
        table: 'audit_signals',
        rows: raised.map(({ tenant, signal }) => ({
          tenant_id: tenant,
          key_result_id: signal.keyResultId,
          position: signal.position,
          kind: signal.kind,
          detected_at: signal.detectedAt,
          summary: signal.summary,
          rests_on: signal.restsOn,
        })),
      },
      {
        table: 'audit_signal_evidence',
        rows: raised.flatMap(({ tenant, signal }) =>
          signal.restsOn.map((evidence) => ({
            tenant_id: tenant,
            evidence_position: evidence.position,
            kind: signal.kind,
            position: signal.position,
            key_result_id: signal.keyResultId,
          })),
        ),
      },
      { table: 'audit_signal_feeds', rows: newFeeds },
      {
        table: 'audit_signal_states',
        conflict: ['tenant_id', 'key_result_id'],
        rows: pick(states, dirtyStates),
      },
      {
        table: 'audit_signal_cycles',
        conflict: ['tenant_id', 'cycle_id'],
        rows: pick(cycles, dirtyCycles),
      },
    ]);
  },
};
