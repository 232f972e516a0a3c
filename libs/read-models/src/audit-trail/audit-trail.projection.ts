import type { RecordedEvent } from '@okr-ledger/event-store';
import {
  KEY_RESULT_REDEFINABLE_FIELDS,
  OBJECTIVE_REVISABLE_FIELDS,
  OKR_EVENT_TYPES,
  type CycleStatus,
  type ObjectiveParent,
} from '@okr-ledger/okr';
import type { ClientBase } from 'pg';
import type { Projection } from '../projector/projection.port';
import type { FieldChangeView } from '../read-models.views';
import { asOkrEvent, cycleIdOf, tenantOf, type Recorded } from '../projector/recorded-event';
import {
  insertRowsIgnoringDuplicates,
  pick,
  selectByTenantPairs,
  tenantKey,
  upsertRows,
} from '../projector/projection-sql';

const AGGREGATE_TYPES: readonly (readonly [string, string])[] = [
  ['key-result-', 'KeyResult'],
  ['objective-', 'Objective'],
  ['cycle-', 'Cycle'],
  ['team-', 'Team'],
  ['data-source-', 'DataSource'],
];

const encode = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

const change = (field: string, from: unknown, to: unknown): FieldChangeView => ({
  field,
  from: encode(from),
  to: encode(to),
});

function parentChanges(
  from: ObjectiveParent | null,
  to: ObjectiveParent | null,
): FieldChangeView[] {
  const objectiveOf = (p: ObjectiveParent | null): string | null =>
    p?.kind === 'OBJECTIVE' ? p.objectiveId : null;
  const keyResultOf = (p: ObjectiveParent | null): string | null =>
    p?.kind === 'KEY_RESULT' ? p.keyResultId : null;
  const changes: FieldChangeView[] = [];
  if (objectiveOf(from) !== objectiveOf(to)) {
    changes.push(change('parentObjective', objectiveOf(from), objectiveOf(to)));
  }
  if (keyResultOf(from) !== keyResultOf(to)) {
    changes.push(change('parentKeyResult', keyResultOf(from), keyResultOf(to)));
  }
  return changes;
}

interface AuditState {
  readonly cycles: Map<string, { tenant_id: string; cycle_id: string; status: CycleStatus }>;
  readonly confidences: Map<
    string,
    { tenant_id: string; key_result_id: string; confidence: number | null }
  >;
}

/** Field changes (GraphQL field names, JSON-encoded values) that an event made. */
function changesOf(event: Recorded, state: AuditState, tenantId: string): FieldChangeView[] {
  switch (event.type) {
    case 'TeamCreated':
      return [
        change('name', null, event.data.name),
        change('parent', null, event.data.parentTeamId),
      ];
    case 'TeamRenamed':
      return [change('name', event.data.previousName, event.data.name)];
    case 'TeamMoved':
      return [change('parent', event.data.fromParentTeamId, event.data.toParentTeamId)];
    case 'CycleScheduled':
      return [
        change('name', null, event.data.name),
        change('startsAt', null, event.data.startsAt),
        change('endsAt', null, event.data.endsAt),
        change('status', null, 'PLANNING'),
      ];
    case 'CycleStarted':
      return [change('status', 'PLANNING', 'ACTIVE')];
    case 'CycleClosed':
      return [change('status', 'ACTIVE', 'CLOSED')];
    case 'ObjectiveSet':
      return [
        ...OBJECTIVE_REVISABLE_FIELDS.map((f) => change(f, null, event.data[f])),
        ...parentChanges(null, event.data.parent),
      ];
    case 'ObjectiveRevised':
      return event.data.changes.map((c) => change(c.field, c.from, c.to));
    case 'ObjectiveAligned':
      return parentChanges(event.data.from, event.data.to);
    case 'ObjectiveArchived':
      return [change('archived', false, true)];
    case 'KeyResultAdded':
      return [
        ...KEY_RESULT_REDEFINABLE_FIELDS.map((f) => change(f, null, event.data[f])),
        change('currentValue', null, event.data.startValue),
      ];
    case 'KeyResultRedefined':
      return event.data.changes.map((c) => change(c.field, c.from, c.to));
    case 'KeyResultCheckedIn': {
      const changes = [change('currentValue', event.data.previousValue, event.data.value)];
      const before =
        state.confidences.get(tenantKey(tenantId, event.data.keyResultId))?.confidence ?? null;
      // A check-in without a confidence keeps the last one: no change to show.
      if (event.data.confidence !== null && event.data.confidence !== before) {
        changes.push(change('confidence', before, event.data.confidence));
      }
      return changes;
    }
    case 'KeyResultGraduated':
      return [change('healthMetric', false, true)];
    case 'InitiativeAdded':
      return [
        change('initiatives', null, {
          id: event.data.initiativeId,
          title: event.data.title,
          dueDate: event.data.dueDate,
          completed: false,
        }),
      ];
    case 'InitiativeCompleted':
      return [
        change(
          'initiatives',
          { id: event.data.initiativeId, completed: false },
          { id: event.data.initiativeId, completed: true },
        ),
      ];
    case 'DataSourceRegistered':
      // Never the key's hash: the audit trail shows what the source is allowed to do.
      return [
        change('name', null, event.data.name),
        change('kind', null, event.data.kind),
        change('expectedIntervalHours', null, event.data.expectedIntervalHours),
        change('keyResults', null, event.data.keyResultIds),
      ];
    case 'DataSourceKeyRevoked':
      return [change('revoked', false, true)];
    default:
      return [];
  }
}

/**
 * One audit row per event. It keeps its own memory of cycle statuses (for
 * `duringActiveCycle` at that position) and of confidences (a check-in event carries the
 * previous value but not the previous confidence), so it never waits on another projection.
 */
export const auditTrailProjection: Projection = {
  name: 'audit-trail',
  version: 1,
  eventTypes: OKR_EVENT_TYPES,
  tables: ['audit_entries', 'audit_cycle_states', 'audit_key_result_states'],
  appendOnlyTables: ['audit_entries'],
  async apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void> {
    const cycleIds = new Map<string, [string, string]>();
    const krIds = new Map<string, [string, string]>();
    for (const e of events) {
      const tenant = tenantOf(e);
      const cycleId = cycleIdOf(e) ?? (e.type.startsWith('Cycle') ? String(e.data.cycleId) : null);
      if (cycleId) cycleIds.set(tenantKey(tenant, cycleId), [tenant, cycleId]);
      if (e.type === 'KeyResultCheckedIn') {
        const id = String(e.data.keyResultId);
        krIds.set(tenantKey(tenant, id), [tenant, id]);
      }
    }
    const cycleRows = await selectByTenantPairs<{
      tenant_id: string;
      cycle_id: string;
      status: CycleStatus;
    }>(client, 'audit_cycle_states', 'cycle_id', cycleIds.values());
    const krRows = await selectByTenantPairs<{
      tenant_id: string;
      key_result_id: string;
      confidence: number | null;
    }>(client, 'audit_key_result_states', 'key_result_id', krIds.values());
    const state: AuditState = {
      cycles: new Map(cycleRows.map((r) => [tenantKey(r.tenant_id, r.cycle_id), r])),
      confidences: new Map(krRows.map((r) => [tenantKey(r.tenant_id, r.key_result_id), r])),
    };
    const dirtyCycles = new Set<string>();
    const dirtyConfidences = new Set<string>();
    const entries = events.map((raw) => {
      const event = asOkrEvent(raw);
      const tenant = tenantOf(raw);
      const cycleId =
        cycleIdOf(raw) ?? (raw.type.startsWith('Cycle') ? String(raw.data.cycleId) : null);
      const cycleKey = cycleId ? tenantKey(tenant, cycleId) : null;
      const statusBefore = cycleKey ? state.cycles.get(cycleKey)?.status : undefined;
      const changes = changesOf(event, state, tenant);
      const [, aggregateType] = AGGREGATE_TYPES.find(([prefix]) =>
        raw.streamName.startsWith(prefix),
      ) ?? ['', 'Unknown'];
      const prefix = AGGREGATE_TYPES.find(([p]) => raw.streamName.startsWith(p))?.[0] ?? '';

      if (cycleKey && cycleId) {
        const status: CycleStatus | undefined =
          event.type === 'CycleScheduled'
            ? 'PLANNING'
            : event.type === 'CycleStarted'
              ? 'ACTIVE'
              : event.type === 'CycleClosed'
                ? 'CLOSED'
                : undefined;
        if (status) {
          state.cycles.set(cycleKey, { tenant_id: tenant, cycle_id: cycleId, status });
          dirtyCycles.add(cycleKey);
        }
      }
      if (event.type === 'KeyResultCheckedIn' && event.data.confidence !== null) {
        const key = tenantKey(tenant, event.data.keyResultId);
        state.confidences.set(key, {
          tenant_id: tenant,
          key_result_id: event.data.keyResultId,
          confidence: event.data.confidence,
        });
        dirtyConfidences.add(key);
      }
      const reason = (raw.data as { reason?: unknown }).reason;
      return {
        tenant_id: tenant,
        position: raw.position,
        event_id: raw.id,
        occurred_at: raw.recordedAt.toISOString(),
        actor_id: raw.metadata.actorId,
        aggregate_type: aggregateType,
        aggregate_id: raw.streamName.slice(prefix.length),
        cycle_id: cycleId,
        event_type: raw.type,
        changes,
        reason: typeof reason === 'string' ? reason : null,
        source: event.type === 'KeyResultCheckedIn' ? event.data.source : raw.metadata.source,
        during_active_cycle: statusBefore === 'ACTIVE',
      };
    });
    await insertRowsIgnoringDuplicates(client, 'audit_entries', entries);
    await upsertRows(
      client,
      'audit_cycle_states',
      ['tenant_id', 'cycle_id'],
      pick(state.cycles, dirtyCycles),
    );
    await upsertRows(
      client,
      'audit_key_result_states',
      ['tenant_id', 'key_result_id'],
      pick(state.confidences, dirtyConfidences),
    );
  },
};
