import type { RecordedEvent } from '@okr-ledger/event-store';
import {
  CYCLE_EVENT_TYPES,
  cascadeProgress,
  confidenceAfterCheckIn,
  cycleProgressOfSum,
  KEY_RESULT_EVENT_TYPES,
  OBJECTIVE_EVENT_TYPES,
  replacesCurrent,
  valueAfterRedefinition,
  type CascadeNeed,
  type CascadeTree,
  type CascadeUpdate,
  type KeyResultDefinition,
  type ObjectiveDefinition,
  type ObjectiveParent,
} from '@okr-ledger/okr';
import type { ClientBase } from 'pg';
import type { Projection } from '../projector/projection.port';
import { asOkrEvent, tenantOf } from '../projector/recorded-event';
import {
  pick,
  preparedQuery,
  selectByTenantPairs,
  tenantKey,
  tenantPairs,
  writeRows,
} from '../projector/projection-sql';
import { edgeOf, type CycleRow, type KeyResultRow, type ObjectiveRow } from './okr-tree.rows';

const KEY_RESULT_COLUMNS: Record<keyof KeyResultDefinition, keyof KeyResultRow> = {
  title: 'title',
  ownerId: 'owner_id',
  type: 'type',
  kind: 'kind',
  startValue: 'start_value',
  targetValue: 'target_value',
  unit: 'unit',
  weight: 'weight',
  dataSourceUrl: 'data_source_url',
  scoring: 'scoring',
};
const OBJECTIVE_COLUMNS: Record<keyof ObjectiveDefinition, keyof ObjectiveRow> = {
  title: 'title',
  description: 'description',
  ownerId: 'owner_id',
  teamId: 'team_id',
};
type CascadeKeyResultUpdate = Extract<CascadeUpdate, { node: 'keyResult' }>;

type Pair = readonly [string, string];

/**
 * One batch's unit of work: the rows it touches are loaded once, the events applied in
 * memory, progress recomputed level by level up the tree (key result → objective → the key
 * result it is aligned to → …, and each touched cycle), and every changed row written back
 * with one multi-row upsert per table.
 */
class OkrTreeBatch {
  readonly cycles = new Map<string, CycleRow>();
  readonly objectives = new Map<string, ObjectiveRow>();
  readonly keyResults = new Map<string, KeyResultRow>();
  private readonly dirtyCycles = new Set<string>();
  private readonly dirtyObjectives = new Set<string>();
  private readonly dirtyKeyResults = new Set<string>();
  private readonly recomputeKeyResults = new Set<string>();
  private readonly recomputeObjectives = new Set<string>();
  private readonly recomputeCycles = new Set<string>();
  private readonly loadedKeyResultsOf = new Set<string>();
  private readonly loadedAlignedTo = new Set<string>();

  constructor(private readonly client: ClientBase) {}

  async run(events: readonly RecordedEvent[]): Promise<void> {
    await this.preload(events);
    for (const event of events) {
      // Closing freezes the cycle's scores (ADR 0002): what the events before the close moved
      // is settled with the cycle still open, what comes after finds it CLOSED — the same rows
      // however the log is cut into batches.
      if (event.type === 'CycleClosed') await this.cascade();
      this.apply(event);
    }
    await this.cascade();
    await this.write();
  }

  private async preload(events: readonly RecordedEvent[]): Promise<void> {
    const cycles = new Map<string, Pair>();
    const objectives = new Map<string, Pair>();
    const keyResults = new Map<string, Pair>();
    const add = (map: Map<string, Pair>, tenant: string, id: unknown): void => {
      if (typeof id === 'string') map.set(tenantKey(tenant, id), [tenant, id]);
    };
    for (const e of events) {
      const tenant = tenantOf(e);
      if (e.type.startsWith('Cycle')) add(cycles, tenant, e.data.cycleId);
      else if (e.type.startsWith('Objective')) add(objectives, tenant, e.data.objectiveId);
      else add(keyResults, tenant, e.data.keyResultId);
    }
    // One client runs one query at a time: sequential on purpose.
    await this.load('cycles', 'id', cycles.values());
    await this.load('objectives', 'id', objectives.values());
    await this.load('key_results', 'id', keyResults.values());
  }

  /** Loads rows into the maps; rows already in memory are newer and stay. */
  private async load(
    table: 'cycles' | 'objectives' | 'key_results',
    column: string,
    keys: Iterable<Pair>,
  ): Promise<void> {
    const pairs = [...keys];
    if (pairs.length === 0) return;
    const rows = await selectByTenantPairs<CycleRow & ObjectiveRow & KeyResultRow>(
      this.client,
      table,
      column,
      pairs,
    );
    const map: Map<string, unknown> =
      table === 'cycles' ? this.cycles : table === 'objectives' ? this.objectives : this.keyResults;
    for (const row of rows) {
      const key = tenantKey(row.tenant_id, row.id);
      if (!map.has(key)) map.set(key, row);
    }
  }

  private apply(raw: RecordedEvent): void {
    const event = asOkrEvent(raw);
    const tenant = tenantOf(raw);
    const touched = { version: raw.revision + 1, last_position: raw.position };
    const fresh = (row: { last_position: string } | undefined): boolean =>
      row !== undefined && row.last_position < raw.position;
    switch (event.type) {
      case 'CycleScheduled': {
        const key = tenantKey(tenant, event.data.cycleId);
        if (this.cycles.has(key)) return;
        this.cycles.set(key, {
          tenant_id: tenant,
          id: event.data.cycleId,
          name: event.data.name,
          starts_at: event.data.startsAt,
          ends_at: event.data.endsAt,
          status: 'PLANNING',
          progress: 0,
          ...touched,
        });
        this.dirtyCycles.add(key);
        this.recomputeCycles.add(key);
        return;
      }
      case 'CycleStarted':
      case 'CycleClosed': {
        const key = tenantKey(tenant, event.data.cycleId);
        const row = this.cycles.get(key);
        if (!row || !fresh(row)) return;
        Object.assign(row, touched, {
          status: event.type === 'CycleStarted' ? 'ACTIVE' : 'CLOSED',
        });
        this.dirtyCycles.add(key);
        return;
      }
      case 'ObjectiveSet': {
        const d = event.data;
        const key = tenantKey(tenant, d.objectiveId);
        if (this.objectives.has(key)) return;
        const row: ObjectiveRow = {
          tenant_id: tenant,
          id: d.objectiveId,
          cycle_id: d.cycleId,
          title: d.title,
          description: d.description,
          owner_id: d.ownerId,
          team_id: d.teamId,
          ...parentColumns(d.parent),
          visibility: d.visibility,
          shared_with: [],
          archived: false,
          progress: 0,
          checked_in: false,
          created_at: raw.recordedAt.toISOString(),
          ...touched,
        };
        this.objectives.set(key, row);
        this.dirtyObjectives.add(key);
        this.recomputeObjectives.add(key);
        this.parentChanged(row);
        return;
      }
      case 'ObjectiveVisibilityChanged':
      case 'ObjectiveShared':
      case 'ObjectiveUnshared': {
        // Who may see it changes, not what it scores: no roll-up moves.
        const row = this.objectives.get(tenantKey(tenant, event.data.objectiveId));
        if (!row || !fresh(row)) return;
        Object.assign(row, touched);
        this.dirtyObjectives.add(tenantKey(tenant, row.id));
        if (event.type === 'ObjectiveVisibilityChanged') {
          row.visibility = event.data.to;
        } else {
          // In the order shared, as the objective's state keeps them.
          const { personId } = event.data;
          const shared = row.shared_with.includes(personId);
          if (event.type === 'ObjectiveShared') {
            if (!shared) row.shared_with = [...row.shared_with, personId];
          } else {
            row.shared_with = row.shared_with.filter((p) => p !== personId);
          }
        }
        return;
      }
      case 'ObjectiveRevised':
      case 'ObjectiveAligned':
      case 'ObjectiveArchived': {
        const key = tenantKey(tenant, event.data.objectiveId);
        const row = this.objectives.get(key);
        if (!row || !fresh(row)) return;
        Object.assign(row, touched);
        this.dirtyObjectives.add(key);
        if (event.type === 'ObjectiveRevised') {
          const columns = row as unknown as Record<string, unknown>;
          for (const c of event.data.changes) columns[OBJECTIVE_COLUMNS[c.field]] = c.to;
        } else if (event.type === 'ObjectiveAligned') {
          this.parentChanged(row);
          Object.assign(row, parentColumns(event.data.to));
          this.parentChanged(row);
        } else {
          row.archived = true;
          this.parentChanged(row);
        }
        return;
      }
      case 'KeyResultAdded': {
        const d = event.data;
        const key = tenantKey(tenant, d.keyResultId);
        if (this.keyResults.has(key)) return;
        this.keyResults.set(key, {
          tenant_id: tenant,
          id: d.keyResultId,
          objective_id: d.objectiveId,
          cycle_id: d.cycleId,
          title: d.title,
          owner_id: d.ownerId,
          type: d.type,
          kind: d.kind,
          scoring: d.scoring,
          start_value: d.startValue,
          target_value: d.targetValue,
          current_value: d.startValue,
          measured_at: null,
          unit: d.unit,
          weight: d.weight,
          own_progress: 0,
          progress: 0,
          confidence: null,
          data_source_url: d.dataSourceUrl,
          health_metric: false,
          check_in_count: 0,
          initiatives: [],
          created_at: raw.recordedAt.toISOString(),
          ...touched,
        });
        this.dirtyKeyResults.add(key);
        this.recomputeKeyResults.add(key);
        // Its objective may never have had a key result loaded in this batch.
        this.recomputeObjectives.add(tenantKey(tenant, d.objectiveId));
        return;
      }
      case 'KeyResultRedefined':
      case 'KeyResultCheckedIn':
      case 'KeyResultGraduated':
      case 'InitiativeAdded':
      case 'InitiativeCompleted': {
        const key = tenantKey(tenant, event.data.keyResultId);
        const row = this.keyResults.get(key);
        if (!row || !fresh(row)) return;
        Object.assign(row, touched);
        this.dirtyKeyResults.add(key);
        if (event.type === 'KeyResultRedefined') {
          const columns = row as unknown as Record<string, unknown>;
          for (const c of event.data.changes) columns[KEY_RESULT_COLUMNS[c.field]] = c.to;
          row.current_value = valueAfterRedefinition(
            { currentValue: row.current_value, checkInCount: row.check_in_count },
            row.start_value,
          );
          this.recomputeKeyResults.add(key);
        } else if (event.type === 'KeyResultCheckedIn') {
          // A late value (measured before the current one) fills history, not the row.
          const { measuredAt } = event.data;
          const current = row.measured_at === null ? null : { measuredAt: isoOf(row.measured_at) };
          if (replacesCurrent({ measuredAt }, current)) {
            row.current_value = event.data.value;
            row.measured_at = measuredAt;
          }
          row.confidence = confidenceAfterCheckIn(event.data.confidence, row.confidence);
          row.check_in_count += 1;
          this.recomputeKeyResults.add(key);
        } else if (event.type === 'KeyResultGraduated') {
          row.health_metric = true;
          this.recomputeKeyResults.add(key);
        } else if (event.type === 'InitiativeAdded') {
          const { initiativeId, title, dueDate } = event.data;
          if (!row.initiatives.some((i) => i.id === initiativeId)) {
            row.initiatives = [
              ...row.initiatives,
              { id: initiativeId, title, dueDate, completed: false },
            ];
          }
        } else {
          row.initiatives = row.initiatives.map((i) =>
            i.id === event.data.initiativeId ? { ...i, completed: true } : i,
          );
        }
        return;
      }
      default:
        return;
    }
  }

  /** An objective joined or left a key result's roll-up, and its cycle's mean. */
  private parentChanged(row: ObjectiveRow): void {
    if (row.parent_key_result_id) {
      this.recomputeKeyResults.add(tenantKey(row.tenant_id, row.parent_key_result_id));
    }
    this.recomputeCycles.add(tenantKey(row.tenant_id, row.cycle_id));
  }

  /**
   * Walks the pending nodes up the tree with the domain's cascade, loading what each step asks
   * for (only the rows it needs), then writes the new scores into the rows.
   */
  private async cascade(): Promise<void> {
    const walk = cascadeProgress(this.tree, {
      keyResults: [...this.recomputeKeyResults],
      objectives: [...this.recomputeObjectives],
    });
    this.aligned = null;
    this.byObjective = null;
    this.recomputeKeyResults.clear();
    this.recomputeObjectives.clear();
    let step = walk.next();
    while (!step.done) {
      await this.loadFor(step.value);
      step = walk.next();
    }
    for (const update of step.value) {
      if (update.node === 'keyResult') this.keyResultScored(update);
      else this.objectiveScored(update.key, update.progress);
    }
    await this.recomputeCycleLevel();
  }

  private async loadFor({ kind, keys }: CascadeNeed): Promise<void> {
    this.aligned = null;
    this.byObjective = null;
    if (kind === 'keyResults') {
      await this.load('key_results', 'id', this.missing(this.keyResults, keys));
      const cycleKeys = pick(this.keyResults, keys).map((k) => tenantKey(k.tenant_id, k.cycle_id));
      await this.load('cycles', 'id', this.missing(this.cycles, [...new Set(cycleKeys)]));
    } else if (kind === 'alignedTo') {
      const toLoad = pick(this.keyResults, keys)
        .map((k) => [k.tenant_id, k.id] as const)
        .filter(([t, id]) => !this.loadedAlignedTo.has(tenantKey(t, id)));
      await this.load('objectives', 'parent_key_result_id', toLoad);
      for (const [t, id] of toLoad) this.loadedAlignedTo.add(tenantKey(t, id));
    } else if (kind === 'objectives') {
      await this.load('objectives', 'id', this.missing(this.objectives, keys));
    } else {
      const toLoad = pick(this.objectives, keys)
        .map((o) => [o.tenant_id, o.id] as const)
        .filter(([t, id]) => !this.loadedKeyResultsOf.has(tenantKey(t, id)));
      await this.load('key_results', 'objective_id', toLoad);
      for (const [t, id] of toLoad) this.loadedKeyResultsOf.add(tenantKey(t, id));
    }
  }

  private isFrozen(k: KeyResultRow): boolean {
    return this.cycles.get(tenantKey(k.tenant_id, k.cycle_id))?.status === 'CLOSED';
  }

  // Groupings of the rows in memory, rebuilt only after a load (the walk does not change them).
  private aligned: Map<string, string[]> | null = null;
  private byObjective: Map<string, string[]> | null = null;

  /** The rows in memory as the cascade's tree, keyed by tenantKey. */
  private readonly tree: CascadeTree = {
    keyResult: (key) => {
      const row = this.keyResults.get(key);
      if (!row) return undefined;
      return {
        type: row.type,
        startValue: row.start_value,
        targetValue: row.target_value,
        currentValue: row.current_value,
        objectiveKey: tenantKey(row.tenant_id, row.objective_id),
        scoring: row.scoring,
        weight: row.weight,
        healthMetric: row.health_metric,
        // A closed cycle's row still holds the progress its close froze.
        frozenProgress: this.isFrozen(row) ? row.progress : null,
        progress: row.progress,
      };
    },
    objective: (key) => {
      const row = this.objectives.get(key);
      if (!row) return undefined;
      return {
        parentKeyResultKey: row.parent_key_result_id
          ? tenantKey(row.tenant_id, row.parent_key_result_id)
          : null,
        progress: row.progress,
      };
    },
    keyResultsOf: (key) => {
      this.byObjective ??= groupBy(
        [...this.keyResults.entries()],
        ([, k]) => tenantKey(k.tenant_id, k.objective_id),
        ([key]) => key,
      );
      return this.byObjective.get(key) ?? [];
    },
    alignedTo: (key) => {
      this.aligned ??= groupBy(
        [...this.objectives.entries()].filter(([, o]) => o.parent_key_result_id && !o.archived),
        ([, o]) => tenantKey(o.tenant_id, o.parent_key_result_id ?? ''),
        ([key]) => key,
      );
      return this.aligned.get(key) ?? [];
    },
  };

  private keyResultScored({ key, ownProgress, progress }: CascadeKeyResultUpdate): void {
    const row = this.keyResults.get(key);
    if (!row || (ownProgress === row.own_progress && progress === row.progress)) return;
    row.own_progress = ownProgress;
    row.progress = progress;
    this.dirtyKeyResults.add(key);
  }

  private objectiveScored(key: string, progress: number): void {
    const row = this.objectives.get(key);
    if (!row) return;
    const checkedIn = this.tree
      .keyResultsOf(key)
      .some((k) => (this.keyResults.get(k)?.check_in_count ?? 0) > 0);
    if (progress === row.progress && checkedIn === row.checked_in) return;
    const moved = progress !== row.progress;
    row.progress = progress;
    row.checked_in = checkedIn;
    this.dirtyObjectives.add(key);
    if (moved) this.recomputeCycles.add(tenantKey(row.tenant_id, row.cycle_id));
  }

  private async recomputeCycleLevel(): Promise<void> {
    const keys = [...this.recomputeCycles];
    this.recomputeCycles.clear();
    if (keys.length === 0) return;
    await this.load('cycles', 'id', this.missing(this.cycles, keys));
    // The objectives in memory are newer than their rows; the rest of each cycle is summed
    // where it is stored instead of loaded, so a batch costs the same in a cycle of 10,000.
    const inMemory = [...this.objectives.values()];
    const stored = await storedProgressSums(this.client, pick(this.cycles, keys), inMemory);
    const byCycle = groupBy(
      inMemory.filter((o) => !o.archived),
      (o) => tenantKey(o.tenant_id, o.cycle_id),
    );
    for (const key of keys) {
      const row = this.cycles.get(key);
      if (!row) continue;
      const mine = byCycle.get(key) ?? [];
      const rest = stored.get(key) ?? { sum: 0, count: 0 };
      // Objective progress is objectiveProgress's, already within [0, 1].
      const progress = cycleProgressOfSum(
        mine.reduce((sum, o) => sum + o.progress, rest.sum),
        mine.length + rest.count,
      );
      if (progress !== row.progress) {
        row.progress = progress;
        this.dirtyCycles.add(key);
      }
    }
  }

  private missing<V>(map: ReadonlyMap<string, V>, keys: readonly string[]): Pair[] {
    return keys.filter((k) => !map.has(k)).map((k) => k.split('\u0000') as unknown as Pair);
  }

  private async write(): Promise<void> {
    const objectives = pick(this.objectives, this.dirtyObjectives);
    await writeRows(this.client, [
      { table: 'cycles', conflict: ['tenant_id', 'id'], rows: pick(this.cycles, this.dirtyCycles) },
      { table: 'objectives', conflict: ['tenant_id', 'id'], rows: objectives },
      {
        table: 'key_results',
        conflict: ['tenant_id', 'id'],
        rows: pick(this.keyResults, this.dirtyKeyResults),
      },
      {
        table: 'alignment_edges',
        conflict: ['tenant_id', 'child_objective_id'],
        rows: objectives.map(edgeOf),
      },
    ]);
  }
}

const isoOf = (at: Date | string): string => (at instanceof Date ? at.toISOString() : at);

function parentColumns(
  parent: ObjectiveParent | null,
): Pick<
  ObjectiveRow,
  'parent_objective_id' | 'parent_key_result_id' | 'parent_key_result_objective_id'
> {
  return {
    parent_objective_id: parent?.kind === 'OBJECTIVE' ? parent.objectiveId : null,
    parent_key_result_id: parent?.kind === 'KEY_RESULT' ? parent.keyResultId : null,
    parent_key_result_objective_id: parent?.kind === 'KEY_RESULT' ? parent.objectiveId : null,
  };
}

/**
 * Per cycle, the sum and count of the progress of its non-archived objectives as stored,
 * leaving out the objectives given (the batch holds newer versions of them).
 */
async function storedProgressSums(
  client: ClientBase,
  cycles: readonly CycleRow[],
  leaveOut: readonly ObjectiveRow[],
): Promise<Map<string, { sum: number; count: number }>> {
  const sums = new Map<string, { sum: number; count: number }>();
  if (cycles.length === 0) return sums;
  const [tenants, ids] = tenantPairs(cycles.map((c) => [c.tenant_id, c.id] as const));
  const [outTenants, outIds] = tenantPairs(leaveOut.map((o) => [o.tenant_id, o.id] as const));
  const { rows } = await preparedQuery<{
    tenant_id: string;
    cycle_id: string;
    sum: number;
    count: number;
  }>(
    client,
    `SELECT o.tenant_id, o.cycle_id, sum(o.progress)::float8 AS sum, count(*)::int AS count
       FROM objectives o
       JOIN unnest($1::text[], $2::text[]) AS c(tenant_id, id)
         ON o.tenant_id = c.tenant_id AND o.cycle_id = c.id
      WHERE NOT o.archived
        AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS m(tenant_id, id)
                         WHERE m.tenant_id = o.tenant_id AND m.id = o.id)
      GROUP BY o.tenant_id, o.cycle_id`,
    [tenants, ids, outTenants, outIds],
  );
  for (const r of rows)
    sums.set(tenantKey(r.tenant_id, r.cycle_id), { sum: r.sum, count: r.count });
  return sums;
}

function groupBy<T, V = T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  valueOf: (item: T) => V = (item) => item as unknown as V,
): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(valueOf(item));
    else groups.set(key, [valueOf(item)]);
  }
  return groups;
}

/**
 * Cycles, objectives, key results and alignment edges in one projection: progress cascades
 * across all four (a check-in moves its key result, its objective, the key result that
 * objective is aligned to, …, and the cycle), so they must commit together.
 */
export const okrTreeProjection: Projection = {
  name: 'okr-tree',
  // 2: the current value is the latest measured (ADR 0014), with its measured_at.
  // 3: objectives' visibility and shared_with (ADR 0017).
  version: 3,
  eventTypes: [...CYCLE_EVENT_TYPES, ...OBJECTIVE_EVENT_TYPES, ...KEY_RESULT_EVENT_TYPES],
  tables: ['cycles', 'objectives', 'key_results', 'alignment_edges'],
  async apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void> {
    await new OkrTreeBatch(client).run(events);
  },
};
