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
import {
  insertRowsIgnoringDuplicates,
  pick,
  selectByTenantPairs,
  tenantKey,
  upsertRows,
} from '../projector/projection-sql';

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

/** The key results an event concerns: its own, or those a data source lists. */
function keyResultIdsOf(event: RecordedEvent): readonly string[] {
  if (event.type === 'DataSourceRegistered') {
    const ids = event.data.keyResultIds;
    return Array.isArray(ids) ? ids.map(String) : [];
  }
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
  version: 5,
  eventTypes: [
    'KeyResultAdded',
    'KeyResultRedefined',
    'KeyResultCheckedIn',
    'CycleClosed',
    'DataSourceRegistered',
  ],
  tables: ['audit_signals', 'audit_signal_evidence', 'audit_signal_states', 'audit_signal_cycles'],
  // Not the evidence: its rows share their signal's position, so a rebuild could not take them
  // as in log order; with its primary key in place they are plain ON CONFLICT inserts.
  appendOnlyTables: ['audit_signals'],
  async apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void> {
    const krIds = new Map<string, [string, string]>();
    const cycleIds = new Map<string, [string, string]>();
    for (const e of events) {
      const tenant = tenantOf(e);
      for (const id of keyResultIdsOf(e)) krIds.set(tenantKey(tenant, id), [tenant, id]);
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
      for (const keyResultId of keyResultIdsOf(raw)) {
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

    await insertRowsIgnoringDuplicates(
      client,
      'audit_signals',
      raised.map(({ tenant, signal }) => ({
        tenant_id: tenant,
        key_result_id: signal.keyResultId,
        position: signal.position,
        kind: signal.kind,
        detected_at: signal.detectedAt,
        summary: signal.summary,
        rests_on: signal.restsOn,
      })),
    );
    await insertRowsIgnoringDuplicates(
      client,
      'audit_signal_evidence',
      raised.flatMap(({ tenant, signal }) =>
        signal.restsOn.map((evidence) => ({
          tenant_id: tenant,
          evidence_position: evidence.position,
          kind: signal.kind,
          position: signal.position,
          key_result_id: signal.keyResultId,
        })),
      ),
    );
    await upsertRows(
      client,
      'audit_signal_states',
      ['tenant_id', 'key_result_id'],
      pick(states, dirtyStates),
    );
    await upsertRows(
      client,
      'audit_signal_cycles',
      ['tenant_id', 'cycle_id'],
      pick(cycles, dirtyCycles),
    );
  },
};
