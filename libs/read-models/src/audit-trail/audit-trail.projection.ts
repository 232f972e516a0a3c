import type { RecordedEvent } from '@okr-ledger/event-store';
import {
  KEY_RESULT_REDEFINABLE_FIELDS,
  OBJECTIVE_REVISABLE_FIELDS,
  OKR_EVENT_TYPES,
  evolveObjective,
  replacesCurrent,
  type CycleStatus,
  type ObjectiveAccess,
  type ObjectiveEvent,
  type ObjectiveParent,
} from '@okr-ledger/okr';
import type { ClientBase } from 'pg';
import type { Projection } from '../projector/projection.port';
import type { FieldChangeView } from '../read-models.views';
import { asOkrEvent, cycleIdOf, tenantOf, type Recorded } from '../projector/recorded-event';
import { pick, selectByTenantPairs, tenantKey, writeRows } from '../projector/projection-sql';

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

interface KeyResultRow {
  tenant_id: string;
  key_result_id: string;
  confidence: number | null;
  objective_id: string | null;
  /** When the current value was true (ISO-8601); null before any check-in. */
  current_measured_at: string | null;
}

interface AccessRow {
  tenant_id: string;
  objective_id: string;
  visibility: ObjectiveAccess['visibility'];
  owner_id: string | null;
  team_id: string | null;
  shared_with: string[];
}

interface AuditState {
  readonly cycles: Map<string, { tenant_id: string; cycle_id: string; status: CycleStatus }>;
  /** By key result: its objective, last stated confidence and current value's instant. */
  readonly keyResults: Map<string, KeyResultRow>;
  /** By check-in: the value a data source sent (what a correction of it replaces). */
  readonly checkInValues: Map<string, number>;
  /** By objective: its access as the events so far leave it. */
  readonly access: Map<string, AccessRow>;
}

/**
 * The objective's access after the event, by the domain's own `evolveObjective` (only the
 * access fields of its answer are kept, so the rest of the state need not be remembered).
 */
function accessAfter(
  row: AccessRow | undefined,
  event: RecordedEvent,
  tenantId: string,
  objectiveId: string,
): AccessRow | undefined {
  const before = row && {
    objectiveId,
    cycleId: '',
    title: '',
    description: null,
    parent: null,
    status: 'ACTIVE' as const,
    ownerId: row.owner_id,
    teamId: row.team_id,
    visibility: row.visibility,
    sharedWith: row.shared_with,
  };
  const after = evolveObjective(before ?? null, event as unknown as ObjectiveEvent);
  if (after === null) return row;
  return {
    tenant_id: tenantId,
    objective_id: objectiveId,
    visibility: after.visibility,
    owner_id: after.ownerId,
    team_id: after.teamId,
    shared_with: [...after.sharedWith],
  };
}

interface CheckInValueRow {
  tenant_id: string;
  check_in_id: string;
  value: number;
}

const isoOf = (at: Date | string | null): string | null =>
  at instanceof Date ? at.toISOString() : at;

/** text[] in PostgreSQL's literal form: COPY (the rebuild) takes it as json_populate does. */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
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
    case 'TeamMemberAdded':
      return [change('members', null, { personId: event.data.personId, lead: event.data.lead })];
    case 'TeamMemberRemoved':
      return [change('members', { personId: event.data.personId }, null)];
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
        change('visibility', null, event.data.visibility),
      ];
    case 'ObjectiveRevised':
      return event.data.changes.map((c) => change(c.field, c.from, c.to));
    case 'ObjectiveAligned':
      return parentChanges(event.data.from, event.data.to);
    case 'ObjectiveArchived':
      return [change('archived', false, true)];
    case 'ObjectiveVisibilityChanged':
      return [change('visibility', event.data.from, event.data.to)];
    case 'ObjectiveShared':
    case 'ObjectiveUnshared': {
      const before =
        state.access.get(tenantKey(tenantId, event.data.objectiveId))?.shared_with ?? [];
      const after =
        event.type === 'ObjectiveShared'
          ? [...new Set([...before, event.data.personId])]
          : before.filter((p) => p !== event.data.personId);
      return [change('sharedWith', before, after)];
    }
    case 'KeyResultAdded':
      return [
        ...KEY_RESULT_REDEFINABLE_FIELDS.map((f) => change(f, null, event.data[f])),
        change('currentValue', null, event.data.startValue),
      ];
    case 'KeyResultRedefined':
      return event.data.changes.map((c) => change(c.field, c.from, c.to));
    case 'KeyResultCheckedIn': {
      const { value, measuredAt, correctsCheckInId } = event.data;
      const row = state.keyResults.get(tenantKey(tenantId, event.data.keyResultId));
      const currentAt = row?.current_measured_at ?? null;
      // A late value (ADR 0014) fills history: its entry says which value for which instant,
      // never that the current value moved; a late correction shows the value it corrects.
      const changes = replacesCurrent(
        { measuredAt },
        currentAt === null ? null : { measuredAt: currentAt },
      )
        ? [change('currentValue', event.data.previousValue, value)]
        : [
            change(
              'value',
              correctsCheckInId === null
                ? null
                : (state.checkInValues.get(tenantKey(tenantId, correctsCheckInId)) ?? null),
              value,
            ),
            change('measuredAt', null, measuredAt),
          ];
      const before = row?.confidence ?? null;
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
 * `duringActiveCycle` at that position), of confidences (a check-in event carries the
 * previous value but not the previous confidence) and of each objective's access and each key
 * result's objective (who may see an entry, then and now: ADR 0017), so it never waits on
 * another projection.
 */
export const auditTrailProjection: Projection = {
  name: 'audit-trail',
  // 2: entries keep their objective and its access then; the access now (ADR 0017).
  // 3: a late value's entry is `value` and `measuredAt`, not `currentValue` (ADR 0014).
  version: 3,
  eventTypes: OKR_EVENT_TYPES,
  tables: [
    'audit_entries',
    'audit_cycle_states',
    'audit_key_result_states',
    'audit_objective_access',
    'audit_check_in_values',
  ],
  appendOnlyTables: ['audit_entries'],
  async apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void> {
    const cycleIds = new Map<string, [string, string]>();
    const krIds = new Map<string, [string, string]>();
    const objectiveIds = new Map<string, [string, string]>();
    const correctedIds = new Map<string, [string, string]>();
    for (const e of events) {
      const tenant = tenantOf(e);
      const corrects = e.type === 'KeyResultCheckedIn' ? e.data.correctsCheckInId : null;
      if (typeof corrects === 'string') {
        correctedIds.set(tenantKey(tenant, corrects), [tenant, corrects]);
      }
      const cycleId = cycleIdOf(e) ?? (e.type.startsWith('Cycle') ? String(e.data.cycleId) : null);
      if (cycleId) cycleIds.set(tenantKey(tenant, cycleId), [tenant, cycleId]);
      if (e.streamName.startsWith('key-result-')) {
        const id = String(e.data.keyResultId);
        krIds.set(tenantKey(tenant, id), [tenant, id]);
      }
      // A key result's objective is in its KeyResultAdded, or already remembered (below).
      const objectiveId = e.streamName.startsWith('objective-')
        ? String(e.data.objectiveId)
        : e.type === 'KeyResultAdded'
          ? String(e.data.objectiveId)
          : null;
      if (objectiveId) objectiveIds.set(tenantKey(tenant, objectiveId), [tenant, objectiveId]);
    }
    const cycleRows = await selectByTenantPairs<{
      tenant_id: string;
      cycle_id: string;
      status: CycleStatus;
    }>(client, 'audit_cycle_states', 'cycle_id', cycleIds.values());
    const krRows = (
      await selectByTenantPairs<
        Omit<KeyResultRow, 'current_measured_at'> & { current_measured_at: Date | string | null }
      >(client, 'audit_key_result_states', 'key_result_id', krIds.values())
    ).map((r) => ({ ...r, current_measured_at: isoOf(r.current_measured_at) }));
    const checkInValueRows = await selectByTenantPairs<CheckInValueRow>(
      client,
      'audit_check_in_values',
      'check_in_id',
      correctedIds.values(),
    );
    for (const row of krRows) {
      if (row.objective_id === null) continue;
      const key = tenantKey(row.tenant_id, row.objective_id);
      objectiveIds.set(key, [row.tenant_id, row.objective_id]);
    }
    const accessRows = await selectByTenantPairs<AccessRow>(
      client,
      'audit_objective_access',
      'objective_id',
      objectiveIds.values(),
    );
    const state: AuditState = {
      cycles: new Map(cycleRows.map((r) => [tenantKey(r.tenant_id, r.cycle_id), r])),
      keyResults: new Map(krRows.map((r) => [tenantKey(r.tenant_id, r.key_result_id), r])),
      access: new Map(accessRows.map((r) => [tenantKey(r.tenant_id, r.objective_id), r])),
      checkInValues: new Map(
        checkInValueRows.map((r) => [tenantKey(r.tenant_id, r.check_in_id), r.value]),
      ),
    };
    const newCheckInValues: CheckInValueRow[] = [];
    const dirtyCycles = new Set<string>();
    const dirtyKeyResults = new Set<string>();
    const dirtyAccess = new Set<string>();
    const entries = events.map((raw) => {
      const event = asOkrEvent(raw);
      const tenant = tenantOf(raw);
      const cycleId =
        cycleIdOf(raw) ?? (raw.type.startsWith('Cycle') ? String(raw.data.cycleId) : null);
      const cycleKey = cycleId ? tenantKey(tenant, cycleId) : null;
      const statusBefore = cycleKey ? state.cycles.get(cycleKey)?.status : undefined;
      const changes = changesOf(event, state, tenant);
      // The objective the entry is about, and its access once this event is applied.
      let objectiveId: string | null = null;
      if (raw.streamName.startsWith('objective-')) {
        objectiveId = String(raw.data.objectiveId);
        const key = tenantKey(tenant, objectiveId);
        const access = accessAfter(state.access.get(key), raw, tenant, objectiveId);
        if (access) {
          state.access.set(key, access);
          dirtyAccess.add(key);
        }
      } else if (raw.streamName.startsWith('key-result-')) {
        const key = tenantKey(tenant, String(raw.data.keyResultId));
        if (event.type === 'KeyResultAdded') {
          state.keyResults.set(key, {
            tenant_id: tenant,
            key_result_id: event.data.keyResultId,
            confidence: state.keyResults.get(key)?.confidence ?? null,
            objective_id: event.data.objectiveId,
            current_measured_at: state.keyResults.get(key)?.current_measured_at ?? null,
          });
          dirtyKeyResults.add(key);
        }
        objectiveId = state.keyResults.get(key)?.objective_id ?? null;
      }
      const access =
        objectiveId === null ? undefined : state.access.get(tenantKey(tenant, objectiveId));
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
      if (event.type === 'KeyResultCheckedIn') {
        const { keyResultId, checkInId, value, confidence, measuredAt, dataSourceId } = event.data;
        const key = tenantKey(tenant, keyResultId);
        const row = state.keyResults.get(key);
        const currentAt = row?.current_measured_at ?? null;
        const replaces = replacesCurrent(
          { measuredAt },
          currentAt === null ? null : { measuredAt: currentAt },
        );
        if (replaces || confidence !== null) {
          state.keyResults.set(key, {
            tenant_id: tenant,
            key_result_id: keyResultId,
            objective_id: row?.objective_id ?? null,
            confidence: confidence ?? row?.confidence ?? null,
            current_measured_at: replaces ? measuredAt : currentAt,
          });
          dirtyKeyResults.add(key);
        }
        // Only a data source's value can be corrected (same source, same instant).
        if (dataSourceId !== null && dataSourceId !== undefined) {
          state.checkInValues.set(tenantKey(tenant, checkInId), value);
          newCheckInValues.push({ tenant_id: tenant, check_in_id: checkInId, value });
        }
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
        objective_id: objectiveId,
        visibility: access?.visibility ?? null,
        owner_id: access?.owner_id ?? null,
        team_id: access?.team_id ?? null,
        shared_with: access ? textArray(access.shared_with) : null,
      };
    });
    await writeRows(client, [
      { table: 'audit_entries', rows: entries },
      {
        table: 'audit_cycle_states',
        conflict: ['tenant_id', 'cycle_id'],
        rows: pick(state.cycles, dirtyCycles),
      },
      {
        table: 'audit_key_result_states',
        conflict: ['tenant_id', 'key_result_id'],
        rows: pick(state.keyResults, dirtyKeyResults),
      },
      {
        table: 'audit_check_in_values',
        conflict: ['tenant_id', 'check_in_id'],
        rows: newCheckInValues,
      },
      {
        table: 'audit_objective_access',
        conflict: ['tenant_id', 'objective_id'],
        rows: pick(state.access, dirtyAccess),
      },
    ]);
  },
};
