import type { RecordedEvent } from '@okr-ledger/event-store';
import {
  CYCLE_EVENT_TYPES,
  KEY_RESULT_EVENT_TYPES,
  OBJECTIVE_EVENT_TYPES,
  TEAM_EVENT_TYPES,
  cycleProgress,
  evolveCycle,
  evolveKeyResult,
  evolveObjective,
  evolveTeam,
  healthAt,
  initialCycleState,
  cascadeInMemory,
  measuredBy,
  type CycleEvent,
  type CycleState,
  type Health,
  type KeyResult,
  type KeyResultCheckedIn,
  type KeyResultEvent,
  type Objective,
  type ObjectiveAccess,
  type ObjectiveEvent,
  type Team,
  type TeamEvent,
  type TeamMembership,
  teamMembership,
} from '@okr-ledger/okr';
import type {
  AlignmentNodeView,
  CycleView,
  KeyResultView,
  ObjectiveView,
} from '../read-models.views';

/** One aggregate as folded so far: its state, how many events it has, and when it began. */
interface Folded<State> {
  state: State;
  version: number;
  createdAt: Date;
}

const isType = (types: readonly string[], type: string): boolean => types.includes(type);

/**
 * A tenant's teams folded with the domain's `evolveTeam`, each with its version: what the
 * as-of team views and the visibility scope at an instant (membership as it was) are read from.
 */
export class TeamFold {
  private readonly folded = new Map<string, { state: Team; version: number }>();

  apply(event: RecordedEvent): void {
    if (!isType(TEAM_EVENT_TYPES, event.type)) return;
    const id = String(event.data.teamId);
    const current = this.folded.get(id);
    const state = evolveTeam(current?.state ?? null, event as unknown as TeamEvent);
    if (state !== null) this.folded.set(id, { state, version: (current?.version ?? 0) + 1 });
  }

  teams(): ReadonlyMap<string, { readonly state: Team; readonly version: number }> {
    return this.folded;
  }

  /** The team tree with its members, as `visibilityScope` takes it. */
  memberships(): TeamMembership[] {
    return [...this.folded.values()].map(({ state }) => teamMembership(state));
  }
}

/**
 * The in-memory fold of one cycle's events (the cycle and its objectives and key results),
 * with the domain's own `evolve` functions. Mutable on purpose: the replay applies events one
 * by one and reads scores between them, so it never re-folds from the start.
 *
 * `relatedCycleIds` are other cycles whose objectives may be aligned to this cycle's key
 * results (see `crossCycleClosure`): their objectives and key results are folded too, only so
 * that an ALIGNED_OBJECTIVES key result rolls up aligned objectives of any cycle, as the live
 * projection does. Views, frames and the cycle's progress hold this cycle's objectives alone.
 *
 * Closing a cycle freezes its scores (ADR 0002): at a folded cycle's `CycleClosed`, its key
 * results keep the progress they had then, however the objectives aligned to them move later.
 * Events must therefore be applied in the log's order (see `inLogOrder`), the order the live
 * projection applies them in: what precedes the close in the log counts, what follows does
 * not, whatever its recorded time.
 */
export class CycleFold {
  private cycle: Folded<CycleState> | null = null;
  // Maps keep insertion order, i.e. creation order: views and frames list them that way.
  private readonly objectives = new Map<string, Folded<Objective>>();
  private readonly keyResults = new Map<string, Folded<KeyResult>>();
  private readonly cycleIds: ReadonlySet<string>;
  private readonly frozenCycles = new Set<string>();
  /** By key-result id: the progress its cycle's close froze. */
  private readonly frozenProgress = new Map<string, number>();
  /** Only when team events are applied too (the replay): membership at each frame's instant. */
  private readonly teamFold = new TeamFold();

  constructor(
    readonly tenantId: string,
    readonly cycleId: string,
    relatedCycleIds: Iterable<string> = [],
  ) {
    this.cycleIds = new Set([cycleId, ...relatedCycleIds]);
  }

  /** Events of other tenants or unrelated cycles are ignored: they do not exist for this fold. */
  apply(event: RecordedEvent): void {
    if (event.metadata.tenantId !== this.tenantId) return;
    const cycleOfEvent = event.metadata.cycleId;
    if (cycleOfEvent !== undefined) {
      if (typeof cycleOfEvent !== 'string' || !this.cycleIds.has(cycleOfEvent)) return;
    }
    const { type } = event;
    if (isType(CYCLE_EVENT_TYPES, type)) {
      const closed = String(event.data.cycleId);
      // Scored before the close is applied, as the live projection cascades before it.
      if (type === 'CycleClosed' && this.cycleIds.has(closed) && !this.frozenCycles.has(closed)) {
        this.freeze(closed);
      }
      if (event.data.cycleId !== this.cycleId) return;
      const state = evolveCycle(
        this.cycle?.state ?? initialCycleState(),
        event as unknown as CycleEvent,
      );
      this.cycle = this.advance(this.cycle, state, event);
    } else if (isType(OBJECTIVE_EVENT_TYPES, type)) {
      const id = String(event.data.objectiveId);
      const current = this.objectives.get(id);
      const state = evolveObjective(current?.state ?? null, event as unknown as ObjectiveEvent);
      if (state === null || !this.cycleIds.has(state.cycleId)) return;
      this.objectives.set(id, this.advance(current ?? null, state, event));
    } else if (isType(KEY_RESULT_EVENT_TYPES, type)) {
      const id = String(event.data.keyResultId);
      const current = this.keyResults.get(id);
      const state = evolveKeyResult(current?.state ?? null, event as unknown as KeyResultEvent);
      if (state === null || !this.cycleIds.has(state.cycleId)) return;
      this.keyResults.set(id, this.advance(current ?? null, state, event));
    } else if (isType(TEAM_EVENT_TYPES, type)) {
      // No cycle state, but who sees what at this point of the fold.
      this.teamFold.apply(event);
    }
  }

  /** The team tree with its members as of the events applied so far (team events included). */
  memberships(): TeamMembership[] {
    return this.teamFold.memberships();
  }

  private advance<State>(
    current: Folded<State> | null,
    state: State,
    event: RecordedEvent,
  ): Folded<State> {
    return current === null
      ? { state, version: 1, createdAt: event.recordedAt }
      : { ...current, state, version: current.version + 1 };
  }

  /** Fixes the progress of the cycle's key results at what the events so far give. */
  private freeze(cycleId: string): void {
    const scores = this.scores();
    for (const { state } of this.keyResults.values()) {
      if (state.cycleId !== cycleId) continue;
      this.frozenProgress.set(state.keyResultId, scores.keyResult.get(state.keyResultId) ?? 0);
    }
    this.frozenCycles.add(cycleId);
  }

  /** Scores with the domain's cascade: key-result progress (rolled up), objective, cycle. */
  scores(): CycleScores {
    const childrenOfKeyResult = new Map<string, string[]>();
    for (const [id, { state }] of this.objectives) {
      if (state.status === 'ARCHIVED' || state.parent?.kind !== 'KEY_RESULT') continue;
      const siblings = childrenOfKeyResult.get(state.parent.keyResultId) ?? [];
      siblings.push(id);
      childrenOfKeyResult.set(state.parent.keyResultId, siblings);
    }
    const keyResultsOf = new Map<string, string[]>();
    for (const [objectiveId, list] of this.keyResultsByObjective()) {
      keyResultsOf.set(
        objectiveId,
        list.map((kr) => kr.keyResultId),
      );
    }
    // Every node from 0, so the walk settles the whole tree.
    const updates = cascadeInMemory(
      {
        keyResult: (id) => {
          const kr = this.keyResults.get(id)?.state;
          if (!kr) return undefined;
          return {
            ...kr,
            objectiveKey: kr.objectiveId,
            // Added after the close (only a write-side race allows it): 0, like the live row.
            frozenProgress: this.frozenCycles.has(kr.cycleId)
              ? (this.frozenProgress.get(kr.keyResultId) ?? 0)
              : null,
            progress: 0,
          };
        },
        objective: (id) => {
          const objective = this.objectives.get(id)?.state;
          if (!objective) return undefined;
          return {
            parentKeyResultKey:
              objective.parent?.kind === 'KEY_RESULT' ? objective.parent.keyResultId : null,
            progress: 0,
          };
        },
        keyResultsOf: (id) => keyResultsOf.get(id) ?? [],
        alignedTo: (id) => childrenOfKeyResult.get(id) ?? [],
      },
      { keyResults: this.keyResults.keys(), objectives: this.objectives.keys() },
    );
    const objective = new Map<string, number>();
    const keyResult = new Map<string, number>();
    for (const update of updates) {
      (update.node === 'keyResult' ? keyResult : objective).set(update.key, update.progress);
    }
    const active: number[] = [];
    for (const [id, { state }] of this.objectives) {
      if (state.status !== 'ARCHIVED' && state.cycleId === this.cycleId) {
        active.push(objective.get(id) ?? 0);
      }
    }
    return { cycle: cycleProgress(active), objective, keyResult };
  }

  private keyResultsByObjective(): Map<string, KeyResult[]> {
    const byObjective = new Map<string, KeyResult[]>();
    for (const { state } of this.keyResults.values()) {
      const list = byObjective.get(state.objectiveId) ?? [];
      list.push(state);
      byObjective.set(state.objectiveId, list);
    }
    return byObjective;
  }

  /** The views as they are at this point of the fold. */
  snapshot(): CycleSnapshot {
    const scores = this.scores();
    const cycleState = this.cycle?.state ?? null;
    const cycle: CycleView | null =
      this.cycle && cycleState
        ? {
            id: cycleState.cycleId,
            name: cycleState.name,
            startsAt: new Date(cycleState.startsAt),
            endsAt: new Date(cycleState.endsAt),
            status: cycleState.status,
            progress: scores.cycle,
            version: this.cycle.version,
          }
        : null;

    const keyResults = new Map<string, KeyResultView>();
    const keyResultsByObjective = new Map<string, KeyResultView[]>();
    const checkedIn = new Set<string>();
    for (const [id, { state, version }] of this.keyResults) {
      if (state.cycleId !== this.cycleId) continue;
      const view = keyResultView(state, version, scores.keyResult.get(id) ?? 0);
      keyResults.set(id, view);
      const list = keyResultsByObjective.get(state.objectiveId) ?? [];
      list.push(view);
      keyResultsByObjective.set(state.objectiveId, list);
      if (state.checkInCount > 0) checkedIn.add(state.objectiveId);
    }
    const objectives = new Map<string, ObjectiveView>();
    for (const [id, { state, version, createdAt }] of this.objectives) {
      if (state.cycleId !== this.cycleId) continue;
      objectives.set(id, {
        id,
        cycleId: state.cycleId,
        title: state.title,
        description: state.description,
        ownerId: state.ownerId,
        teamId: state.teamId,
        parentObjectiveId: state.parent?.kind === 'OBJECTIVE' ? state.parent.objectiveId : null,
        parentKeyResultId: state.parent?.kind === 'KEY_RESULT' ? state.parent.keyResultId : null,
        visibility: state.visibility,
        sharedWith: state.sharedWith,
        archived: state.status === 'ARCHIVED',
        progress: scores.objective.get(id) ?? 0,
        checkedIn: checkedIn.has(id),
        version,
        createdAt,
      });
    }
    const parents = new Map<string, string | null>();
    const access = new Map<string, ObjectiveAccess>();
    for (const [id, { state }] of this.objectives) {
      if (state.cycleId !== this.cycleId) continue;
      parents.set(id, state.parent?.objectiveId ?? null);
      access.set(id, accessOf(state));
    }
    return { cycle, objectives, keyResults, keyResultsByObjective, parents, access };
  }

  /**
   * One replay frame: the cycle's non-archived objectives with their key results, those
   * `visible` refuses left out (given the objective's access at this point of the fold). The
   * frame's progress still counts them: it is the cycle's, the same for every viewer. Health is
   * read at `healthInstant` (the valid time asked about; the frame's instant by default).
   */
  frame(
    at: Date,
    healthInstant: Date = at,
    visible: (objectiveId: string, then: ObjectiveAccess) => boolean = () => true,
  ): CycleFrame {
    const scores = this.scores();
    const keyResultsOf = this.keyResultsByObjective();
    const cycle = this.cycle?.state ?? null;
    // Health as it read at that instant: the same rule as the live API.
    const healthOf = (progress: number, checkedIn: boolean): Health =>
      healthAt({ progress, checkedIn }, cycle, healthInstant.toISOString());
    const objectives: ObjectiveFrame[] = [];
    for (const [id, { state }] of this.objectives) {
      if (state.status === 'ARCHIVED' || state.cycleId !== this.cycleId) continue;
      if (!visible(id, accessOf(state))) continue;
      const keyResults = keyResultsOf.get(id) ?? [];
      const progress = scores.objective.get(id) ?? 0;
      objectives.push({
        objectiveId: id,
        title: state.title,
        progress,
        health: healthOf(
          progress,
          keyResults.some((kr) => kr.checkInCount > 0),
        ),
        keyResults: keyResults.map((kr) => {
          const krProgress = scores.keyResult.get(kr.keyResultId) ?? 0;
          return {
            keyResultId: kr.keyResultId,
            title: kr.title,
            targetValue: kr.targetValue,
            currentValue: kr.currentValue,
            progress: krProgress,
            confidence: kr.confidence,
            health: healthOf(krProgress, kr.checkInCount > 0),
          };
        }),
      });
    }
    return { at, progress: scores.cycle, objectives };
  }
}

export interface CycleScores {
  readonly cycle: number;
  /** By objective id: objectiveProgress of its key results (with roll-ups). */
  readonly objective: ReadonlyMap<string, number>;
  /** By key-result id: the progress it contributes (own value or rolled up). */
  readonly keyResult: ReadonlyMap<string, number>;
}

/** A cycle's views at one instant; `cycle` is null before it was scheduled. */
export interface CycleSnapshot {
  readonly cycle: CycleView | null;
  /** In creation order, archived ones included. */
  readonly objectives: ReadonlyMap<string, ObjectiveView>;
  readonly keyResults: ReadonlyMap<string, KeyResultView>;
  readonly keyResultsByObjective: ReadonlyMap<string, readonly KeyResultView[]>;
  /** The parent objective of each objective (directly or through a key result), or null. */
  readonly parents: ReadonlyMap<string, string | null>;
  /** Each objective's visibility, owner, team and sharing at this instant. */
  readonly access: ReadonlyMap<string, ObjectiveAccess>;
}

function accessOf(objective: Objective): ObjectiveAccess {
  return {
    visibility: objective.visibility,
    ownerId: objective.ownerId,
    teamId: objective.teamId,
    sharedWith: objective.sharedWith,
  };
}

export interface KeyResultFrame {
  readonly keyResultId: string;
  readonly title: string;
  readonly targetValue: number;
  readonly currentValue: number;
  readonly progress: number;
  readonly confidence: number | null;
  readonly health: Health;
}

export interface ObjectiveFrame {
  readonly objectiveId: string;
  readonly title: string;
  readonly progress: number;
  readonly health: Health;
  readonly keyResults: readonly KeyResultFrame[];
}

export interface CycleFrame {
  readonly at: Date;
  readonly progress: number;
  readonly objectives: readonly ObjectiveFrame[];
}

function keyResultView(state: KeyResult, version: number, progress: number): KeyResultView {
  return {
    id: state.keyResultId,
    objectiveId: state.objectiveId,
    cycleId: state.cycleId,
    title: state.title,
    ownerId: state.ownerId,
    type: state.type,
    kind: state.kind,
    scoring: state.scoring,
    startValue: state.startValue,
    targetValue: state.targetValue,
    currentValue: state.currentValue,
    measuredAt: state.currentMeasuredAt === null ? null : new Date(state.currentMeasuredAt),
    unit: state.unit,
    weight: state.weight,
    progress,
    confidence: state.confidence,
    dataSourceUrl: state.dataSourceUrl,
    healthMetric: state.healthMetric,
    checkInCount: state.checkInCount,
    initiatives: [...state.initiatives.values()].map((i) => ({
      id: i.initiativeId,
      title: i.title,
      dueDate: i.dueDate,
      completed: i.completed,
    })),
    version,
  };
}

/**
 * The alignment tree of a snapshot, in pre-order with roots first, siblings oldest first then
 * by id — the order of the live recursive query. Archived objectives and those `visible`
 * refuses are left out; an objective whose parent is not in the tree (archived, hidden from the
 * viewer, in another cycle, or not yet set at that instant) is a root with parentId null. Like the live query, objectives caught in an alignment loop
 * (possible only through a projection-lag race on the write side) and those aligned under them
 * have no root to hang from and are left out: they are still answered by id and in the cycle's
 * objectives, and the looping edge does not count in their progress.
 */
export function alignmentTreeOf(
  snapshot: CycleSnapshot,
  visible: (objectiveId: string) => boolean = () => true,
): AlignmentNodeView[] {
  const live = [...snapshot.objectives.values()]
    .filter((o) => !o.archived && visible(o.id))
    .sort(oldestFirst);
  const inTree = new Set(live.map((o) => o.id));
  const children = new Map<string, ObjectiveView[]>();
  const roots: ObjectiveView[] = [];
  for (const objective of live) {
    const parentId = snapshot.parents.get(objective.id) ?? null;
    if (parentId === null || !inTree.has(parentId)) {
      roots.push(objective);
    } else {
      const siblings = children.get(parentId) ?? [];
      siblings.push(objective);
      children.set(parentId, siblings);
    }
  }
  const nodes: AlignmentNodeView[] = [];
  const visit = (objective: ObjectiveView, parentId: string | null, depth: number): void => {
    nodes.push({ objectiveId: objective.id, parentId, depth, progress: objective.progress });
    for (const child of children.get(objective.id) ?? []) visit(child, objective.id, depth + 1);
  };
  // Every node has one parent and a loop is never reached from a root: no visited set needed.
  for (const root of roots) visit(root, null, 0);
  return nodes;
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Oldest first, then by id in code units: the order of the live read models' objective lists. */
export const oldestFirst = (a: ObjectiveView, b: ObjectiveView): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || compareIds(a.id, b.id);

/**
 * Whether an event counts for what was true at `validAt`, as known from the events read
 * (ADR 0014): a value when it was measured by then, whenever it was recorded; anything else
 * (definitions, structure, closes) when it was recorded by then. null: every event counts.
 * The domain's `measuredBy` decides for values, as the fold's `replacesCurrent` orders them.
 */
export function countsAtValidTime(event: RecordedEvent, validAt: Date | null): boolean {
  if (validAt === null) return true;
  if (event.type === 'KeyResultCheckedIn') {
    return measuredBy(event.data as KeyResultCheckedIn['data'], validAt.toISOString());
  }
  return event.recordedAt.getTime() <= validAt.getTime();
}

/**
 * Several cycles' events, each read in global order, merged into the log's order (positions
 * are sortable strings): the order a `CycleFold` needs, the live projection's. Recorded times
 * only choose which events an instant sees; across streams they may disagree slightly with
 * the log for appends that overlapped (docs/adr/0005-time-travel.md).
 */
export function inLogOrder(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => compareIds(a.position, b.position));
}

/**
 * Whether a cycle's events ever make one of its key results roll up aligned objectives: only
 * then can another cycle's events change its scores.
 */
export function mayRollUpAlignedObjectives(events: readonly RecordedEvent[]): boolean {
  return events.some((event) => {
    if (event.type === 'KeyResultAdded') return event.data.scoring === 'ALIGNED_OBJECTIVES';
    if (event.type !== 'KeyResultRedefined' || !Array.isArray(event.data.changes)) return false;
    return (event.data.changes as readonly { field?: unknown; to?: unknown }[]).some(
      (c) => c.field === 'scoring' && c.to === 'ALIGNED_OBJECTIVES',
    );
  });
}

/** One objective's cycle and every objective whose key result it was ever aligned to. */
export interface CrossCycleEntry {
  readonly cycleId: string;
  readonly keyResultParentObjectiveIds: readonly string[];
}

/**
 * The other cycles whose objectives were ever aligned (directly or further down) to a key
 * result of this cycle: the cycles a roll-up of this cycle's key results may read from.
 * "Ever" rather than "now" so that a replay, folding many instants at once, misses none.
 */
export function crossCycleClosure(
  cycleId: string,
  objectives: ReadonlyMap<string, CrossCycleEntry>,
): Set<string> {
  const childCycles = new Map<string, Set<string>>();
  for (const entry of objectives.values()) {
    for (const parentObjectiveId of entry.keyResultParentObjectiveIds) {
      const parentCycle = objectives.get(parentObjectiveId)?.cycleId;
      if (parentCycle === undefined || parentCycle === entry.cycleId) continue;
      const set = childCycles.get(parentCycle) ?? new Set<string>();
      set.add(entry.cycleId);
      childCycles.set(parentCycle, set);
    }
  }
  const related = new Set<string>();
  const queue = [cycleId];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const child of childCycles.get(next) ?? []) {
      if (child === cycleId || related.has(child)) continue;
      related.add(child);
      queue.push(child);
    }
  }
  return related;
}
