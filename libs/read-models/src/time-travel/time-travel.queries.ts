import {
  foldStream,
  tenantHistory,
  type EventStore,
  type ReadAllOptions,
  type RecordedEvent,
} from '@okr-ledger/event-store';
import {
  canSeeAsOf,
  cycleDecider,
  cycleStream,
  keyResultStream,
  objectiveStream,
  visibilityScope,
  type CycleState,
  type ObjectiveAccess,
  type Viewer,
  type VisibilityScope,
} from '@okr-ledger/okr';
import { checkInOfEvent } from '../check-ins/check-ins.view';
import type {
  AlignmentNodeView,
  CheckInView,
  KeyResultView,
  ObjectiveView,
  ReadModelQueries,
  TeamMemberView,
  TeamView,
} from '../read-models.views';
import {
  CycleFold,
  TeamFold,
  alignmentTreeOf,
  countsAtValidTime,
  crossCycleClosure,
  inLogOrder,
  mayRollUpAlignedObjectives,
  oldestFirst,
  type CrossCycleEntry,
  type CycleFrame,
  type CycleSnapshot,
} from './cycle-fold.projection';
import { LruCache } from './lru.cache';
import { DEFAULT_MAX_FRAMES, replayInstants, type ReplayInterval } from './replay-schedule.frames';
import { CycleNotFound } from './time-travel.errors';

/**
 * The nested-field lookups of `ReadModelQueries`, answered as of an instant. The signatures
 * are exactly those of `ReadModelQueries` (tenant first), so the API can resolve nested fields
 * with one code path for live and as-of answers. The tenant is also bound by `queriesAsOf`:
 * a call for another tenant answers empty, as if the ids did not exist.
 */
export interface AsOfQueries {
  readonly teams: Pick<ReadModelQueries['teams'], 'byIds' | 'childrenOf' | 'membersOf'>;
  readonly cycles: Pick<ReadModelQueries['cycles'], 'byIds'>;
  readonly objectives: Pick<ReadModelQueries['objectives'], 'byIds' | 'childrenOf'>;
  readonly keyResults: Pick<ReadModelQueries['keyResults'], 'byIds' | 'byObjectiveIds'>;
}

/**
 * The instant a time-travel answer is about (ADR 0014). `asOf`: what the ledger knew then
 * (events recorded by then; null: everything recorded now). `validAt`: what was true then —
 * values measured by then, definitions and structure recorded by then. Both: what was known
 * at `asOf` about `validAt`. A plain Date is an `asOf`.
 */
export interface TimePoint {
  readonly asOf: Date | null;
  readonly validAt: Date | null;
}

export interface CycleReplayOptions {
  /**
   * Each frame answers what was known at its instant about this valid time (ADR 0014);
   * null or absent: about its own instant, as before.
   */
  readonly validAt?: Date | null;
  /** Defaults to the cycle's start. */
  readonly from?: Date | null;
  /** Defaults to the earlier of the cycle's end and now. */
  readonly to?: Date | null;
  readonly every: ReplayInterval;
  /**
   * Who asks: frames then hold only the objectives this viewer may see as of each frame's
   * instant and now (ADR 0017). Unset: every objective (the operator's and tests' view).
   */
  readonly viewer?: Viewer;
}

export interface TimeTravelOptions {
  /** "Now" for the replay's default `to`; the wall clock unless a test or demo injects one. */
  readonly clock?: () => Date;
  /** Snapshots (cycle, teams, alignment directory) kept; 64 by default. */
  readonly cacheSize?: number;
  readonly maxFrames?: number;
  /** readAll page size. */
  readonly pageSize?: number;
}

interface AlignmentEntry extends CrossCycleEntry {
  readonly parentObjectiveId: string | null;
}

type AggregateKind = 'objective' | 'key-result';

/**
 * Time travel (DESIGN §1): every answer is folded from the events recorded at or before the
 * instant asked about, never read from the read models, so definitions that were changed later
 * show as they were. Scores come from libs/okr's scoring functions, like the projections'.
 */
export class TimeTravel {
  private readonly clock: () => Date;
  private readonly maxFrames: number;
  private readonly pageSize: number;
  // Keys include the store's head position: an event appended since (even one with an earlier
  // recorded time, e.g. from a simulated clock) makes a new key instead of a stale answer.
  private readonly snapshots: LruCache<Promise<unknown>>;
  // Which cycle an objective or key result belongs to never changes once it exists.
  private readonly cycleOfId = new LruCache<string>(10_000);

  constructor(
    private readonly store: EventStore,
    options: TimeTravelOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.maxFrames = options.maxFrames ?? DEFAULT_MAX_FRAMES;
    this.pageSize = options.pageSize ?? 1000;
    this.snapshots = new LruCache(options.cacheSize ?? 64);
  }

  /**
   * Lookups as of `asOf` (or at a time point) for one tenant. Make one per request: it reads
   * the store's head once, and every nested field of that request then shares one fold per
   * cycle. With a `viewer`, objectives (and their key results) the viewer may not see at that
   * point and now are left out, exactly as unknown ids (ADR 0017); without one, every
   * objective is answered.
   */
  queriesAsOf(tenantId: string, at: Date | TimePoint, viewer?: Viewer): AsOfQueries {
    const view = this.viewAt(tenantId, at);
    const scoped =
      <T>(answer: (ids: readonly string[]) => Promise<T[]>) =>
      async (tenant: string, ids: readonly string[]): Promise<T[]> =>
        tenant === tenantId && ids.length > 0 ? answer(unique(ids)) : [];
    return {
      teams: {
        byIds: scoped((ids) => this.teamsByIds(view, ids)),
        childrenOf: scoped((ids) => this.teamChildrenOf(view, ids)),
        membersOf: scoped((ids) => this.teamMembersOf(view, ids)),
      },
      cycles: { byIds: scoped((ids) => this.cyclesByIds(view, ids)) },
      objectives: {
        byIds: scoped((ids) => this.objectivesByIds(view, ids, viewer)),
        childrenOf: scoped((ids) => this.childrenOf(view, ids, viewer)),
      },
      keyResults: {
        byIds: scoped((ids) => this.keyResultsByIds(view, ids, viewer)),
        byObjectiveIds: scoped((ids) => this.keyResultsByObjectiveIds(view, ids, viewer)),
      },
    };
  }

  /**
   * The cycle's alignment tree as of `asOf`. Empty when the cycle exists for this tenant but
   * was not scheduled yet at `asOf` (it had no objectives then); CycleNotFound only when the
   * tenant has no such cycle at all, as the live tree answers. With a `viewer`, the objectives
   * it may not see (as of `asOf` and now) are left out and a visible child of a hidden parent
   * is a root (parentId null); every progress still counts the hidden ones (ADR 0017).
   */
  async alignmentTree(
    tenantId: string,
    cycleId: string,
    at: Date | TimePoint,
    viewer?: Viewer,
  ): Promise<AlignmentNodeView[]> {
    const view = this.viewAt(tenantId, at);
    const snapshot = await this.cycleSnapshot(view, cycleId);
    if (snapshot.cycle !== null) {
      return alignmentTreeOf(snapshot, await this.visibleIn(view, cycleId, viewer));
    }
    if ((await this.currentCycle(tenantId, cycleId)) === null) throw new CycleNotFound(cycleId);
    return [];
  }

  /**
   * The objectives the cycle's alignment tree held as of `asOf` (archived ones and alignment
   * loops left out, as in the tree), oldest first then by id; errors as `alignmentTree`.
   */
  async cycleObjectives(
    tenantId: string,
    cycleId: string,
    at: Date | TimePoint,
    viewer?: Viewer,
  ): Promise<ObjectiveView[]> {
    const nodes = await this.alignmentTree(tenantId, cycleId, at, viewer);
    const snapshot = await this.cycleSnapshot(this.viewAt(tenantId, at), cycleId);
    return nodes.flatMap((n) => snapshot.objectives.get(n.objectiveId) ?? []).sort(oldestFirst);
  }

  /**
   * The key result's check-ins recorded at or before `asOf` (and, at a valid time, measured
   * by then), newest recorded first, from its events.
   */
  async checkInsAsOf(
    tenantId: string,
    keyResultId: string,
    at: Date | TimePoint,
  ): Promise<Omit<CheckInView, 'position'>[]> {
    const { asOf, validAt } = timePointOf(at);
    const events = await this.store.readStream(
      keyResultStream(keyResultId),
      asOf === null ? undefined : { recordedUpTo: asOf },
    );
    return tenantHistory(events, tenantId)
      .filter((e) => e.type === 'KeyResultCheckedIn' && countsAtValidTime(e, validAt))
      .map((e) => checkInOfEvent(e, keyResultId))
      .reverse();
  }

  /**
   * Frames at from, from + every, … and a last one at `to`. Reads the cycle's events once (up
   * to `to`) and folds them in the log's order, emitting a frame whenever the fold reaches an
   * event recorded after the frame's instant: O(events + frames × cycle size), never one fold
   * per frame. A frame is exactly the as-of answer: the events recorded up to its instant
   * (with `validAt`: the answer as of its instant about that valid time).
   */
  async cycleReplay(
    tenantId: string,
    cycleId: string,
    options: CycleReplayOptions,
  ): Promise<CycleFrame[]> {
    const cycle = await this.currentCycle(tenantId, cycleId);
    if (cycle === null) throw new CycleNotFound(cycleId);
    const from = options.from ?? new Date(cycle.startsAt);
    const end = new Date(cycle.endsAt);
    const now = this.clock();
    const to = options.to ?? (end.getTime() < now.getTime() ? end : now);
    const instants = replayInstants(from, to, options.every, this.maxFrames);
    const validAt = options.validAt ?? null;
    if (validAt !== null) requireDate(validAt);
    const counts = (e: RecordedEvent) => countsAtValidTime(e, validAt);

    const events = (
      await this.readAll({ metadata: { tenantId, cycleId }, recordedUpTo: to })
    ).filter(counts);
    const toView = this.viewAt(tenantId, { asOf: to, validAt });
    const related = await this.relatedCycles(toView, cycleId, events);
    for (const other of related) {
      const more = await this.readAll({ metadata: { tenantId, cycleId: other }, recordedUpTo: to });
      events.push(...more.filter(counts));
    }
    const { viewer } = options;
    let visibleAt =
      (_fold: CycleFold): ((id: string, then: ObjectiveAccess) => boolean) =>
      () =>
        true;
    if (viewer !== undefined) {
      // The team events too: each frame sees the membership of its instant.
      const teamEvents = await this.readAll({
        metadata: { tenantId },
        streamPrefix: 'team-',
        recordedUpTo: to,
      });
      events.push(...teamEvents.filter(counts));
      const now = await this.nowSide(toView, cycleId, viewer);
      visibleAt = (fold) => {
        const scope = visibilityScope(viewer, fold.memberships());
        return (id, objective) =>
          canSeeAsOf(
            { scope, objective },
            { scope: now.scope, objective: now.access.get(id) ?? null },
          );
      };
    }
    const ordered = inLogOrder(events);
    // Across streams, appends that overlapped can be recorded slightly out of the log's order:
    // an event after the prefix may still be recorded by the instant. The earliest time of
    // every suffix says when; that frame is then folded on its own from the events it sees.
    const earliestFrom: number[] = new Array<number>(ordered.length + 1).fill(Infinity);
    for (let i = ordered.length - 1; i >= 0; i--) {
      earliestFrom[i] = Math.min(
        ordered[i]?.recordedAt.getTime() ?? Infinity,
        earliestFrom[i + 1] ?? Infinity,
      );
    }
    const fold = new CycleFold(tenantId, cycleId, related);
    const frames: CycleFrame[] = [];
    let next = 0;
    for (const at of instants) {
      for (let event = ordered[next]; event && event.recordedAt <= at; event = ordered[++next]) {
        fold.apply(event);
      }
      if ((earliestFrom[next] ?? Infinity) > at.getTime()) {
        frames.push(fold.frame(at, validAt ?? at, visibleAt(fold)));
        continue;
      }
      const alone = new CycleFold(tenantId, cycleId, related);
      for (const event of ordered) if (event.recordedAt <= at) alone.apply(event);
      frames.push(alone.frame(at, validAt ?? at, visibleAt(alone)));
    }
    return frames;
  }

  private async currentCycle(tenantId: string, cycleId: string): Promise<CycleState> {
    return (await foldStream(this.store, cycleStream(cycleId), tenantId, cycleDecider)).state;
  }

  private async cyclesByIds(view: AsOfView, ids: readonly string[]) {
    const snapshots = await Promise.all(ids.map((id) => this.cycleSnapshot(view, id)));
    return snapshots.flatMap((s) => (s.cycle ? [s.cycle] : []));
  }

  private async objectivesByIds(
    view: AsOfView,
    ids: readonly string[],
    viewer: Viewer | undefined,
  ): Promise<ObjectiveView[]> {
    const found = await Promise.all(
      ids.map(async (id) => {
        const objective = (await this.snapshotOf(view, 'objective', id))?.objectives.get(id);
        if (objective === undefined) return undefined;
        const visible = await this.visibleIn(view, objective.cycleId, viewer);
        return visible(id) ? objective : undefined;
      }),
    );
    return found.filter((o): o is ObjectiveView => o !== undefined);
  }

  /** A key result, check-in or initiative is visible exactly when its objective is. */
  private async keyResultsByIds(
    view: AsOfView,
    ids: readonly string[],
    viewer: Viewer | undefined,
  ): Promise<KeyResultView[]> {
    const found = await Promise.all(
      ids.map(async (id) => {
        const keyResult = (await this.snapshotOf(view, 'key-result', id))?.keyResults.get(id);
        if (keyResult === undefined) return undefined;
        const visible = await this.visibleIn(view, keyResult.cycleId, viewer);
        return visible(keyResult.objectiveId) ? keyResult : undefined;
      }),
    );
    return found.filter((k): k is KeyResultView => k !== undefined);
  }

  private async keyResultsByObjectiveIds(
    view: AsOfView,
    objectiveIds: readonly string[],
    viewer: Viewer | undefined,
  ): Promise<KeyResultView[]> {
    const found = await Promise.all(
      objectiveIds.map(async (id) => {
        const snapshot = await this.snapshotOf(view, 'objective', id);
        const objective = snapshot?.objectives.get(id);
        if (snapshot === null || objective === undefined) return [];
        const visible = await this.visibleIn(view, objective.cycleId, viewer);
        return visible(id) ? (snapshot.keyResultsByObjective.get(id) ?? []) : [];
      }),
    );
    return found.flat();
  }

  /**
   * Whether the viewer may see an objective of this cycle in an answer as of the view's
   * instant: `canSeeAsOf` of its access and the viewer's scope (team membership) folded at the
   * instant, and of both now (ADR 0017). Everything without a viewer.
   */
  private async visibleIn(
    view: AsOfView,
    cycleId: string,
    viewer: Viewer | undefined,
  ): Promise<(objectiveId: string) => boolean> {
    if (viewer === undefined) return () => true;
    const [then, teams, now] = await Promise.all([
      this.cycleSnapshot(view, cycleId),
      this.teamFold(view),
      this.nowSide(view, cycleId, viewer),
    ]);
    const scope = visibilityScope(viewer, teams.memberships());
    return (id) => {
      const objective = then.access.get(id);
      return (
        objective !== undefined &&
        canSeeAsOf(
          { scope, objective },
          { scope: now.scope, objective: now.access.get(id) ?? null },
        )
      );
    };
  }

  /** The viewer's scope and the cycle's objectives' access with every event of the log. */
  private async nowSide(
    view: AsOfView,
    cycleId: string,
    viewer: Viewer,
  ): Promise<{ scope: VisibilityScope; access: ReadonlyMap<string, ObjectiveAccess> }> {
    const latest: AsOfView = { ...view, asOf: null, validAt: null, key: 'now@known' };
    const [snapshot, teams] = await Promise.all([
      this.cycleSnapshot(latest, cycleId),
      this.teamFold(latest),
    ]);
    return { scope: visibilityScope(viewer, teams.memberships()), access: snapshot.access };
  }

  /**
   * Non-archived objectives aligned to these objectives or to one of their key results, in any
   * cycle of the tenant: found through the tenant's alignment events, then folded per cycle.
   */
  private async childrenOf(
    view: AsOfView,
    parentIds: readonly string[],
    viewer: Viewer | undefined,
  ): Promise<ObjectiveView[]> {
    const directory = await this.alignmentDirectory(view);
    const parents = new Set(parentIds);
    const children = [...directory].filter(
      ([, entry]) => entry.parentObjectiveId !== null && parents.has(entry.parentObjectiveId),
    );
    const found = await Promise.all(
      children.map(async ([id, entry]) => {
        const snapshot = await this.cycleSnapshot(view, entry.cycleId);
        const visible = await this.visibleIn(view, entry.cycleId, viewer);
        return visible(id) ? snapshot.objectives.get(id) : undefined;
      }),
    );
    // Oldest first, then id: the order of the live read model's childrenOf.
    return found
      .filter((o): o is ObjectiveView => o !== undefined && !o.archived)
      .sort(oldestFirst);
  }

  private async teamsByIds(view: AsOfView, ids: readonly string[]): Promise<TeamView[]> {
    const teams = await this.teams(view);
    return ids.flatMap((id) => {
      const team = teams.get(id);
      return team ? [team] : [];
    });
  }

  /** The teams under these parents as of the instant, by name then id like the live query. */
  private async teamChildrenOf(view: AsOfView, parentIds: readonly string[]): Promise<TeamView[]> {
    const parents = new Set(parentIds);
    const teams = await this.teams(view);
    return [...teams.values()]
      .filter((t) => t.parentId !== null && parents.has(t.parentId))
      .sort((a, b) => compare(a.name, b.name) || compare(a.id, b.id));
  }

  /** The members of these teams as of the instant, by team then person id like the live query. */
  private async teamMembersOf(
    view: AsOfView,
    teamIds: readonly string[],
  ): Promise<TeamMemberView[]> {
    const teams = (await this.teamFold(view)).teams();
    return [...teamIds]
      .sort(compare)
      .flatMap((teamId) =>
        [...(teams.get(teamId)?.state.members.values() ?? [])]
          .map(({ personId, lead }) => ({ teamId, personId, lead }))
          .sort((a, b) => compare(a.personId, b.personId)),
      );
  }

  private async teams(view: AsOfView): Promise<Map<string, TeamView>> {
    const teams = new Map<string, TeamView>();
    for (const [id, { state, version }] of (await this.teamFold(view)).teams()) {
      teams.set(id, { id, name: state.name, parentId: state.parentTeamId, version });
    }
    return teams;
  }

  /** The tenant's teams (with their members) as of the instant, folded once per request. */
  private teamFold(view: AsOfView): Promise<TeamFold> {
    return this.cached(`teams|${view.tenantId}|${view.key}`, view, async () => {
      const fold = new TeamFold();
      const events = await this.readAll({
        metadata: { tenantId: view.tenantId },
        streamPrefix: 'team-',
        ...upTo(view),
      });
      for (const event of events) if (countsAtValidTime(event, view.validAt)) fold.apply(event);
      return fold;
    });
  }

  /** Every objective of the tenant with its cycle and parent objective as of the instant. */
  private alignmentDirectory(view: AsOfView): Promise<Map<string, AlignmentEntry>> {
    return this.cached(`alignment|${view.tenantId}|${view.key}`, view, async () => {
      const events = (
        await this.readAll({
          metadata: { tenantId: view.tenantId },
          eventTypes: ['ObjectiveSet', 'ObjectiveAligned'],
          ...upTo(view),
        })
      ).filter((e) => countsAtValidTime(e, view.validAt));
      const directory = new Map<string, AlignmentEntry>();
      for (const event of events) {
        const id = String(event.data.objectiveId);
        const parent = (event.type === 'ObjectiveSet' ? event.data.parent : event.data.to) as {
          kind: 'OBJECTIVE' | 'KEY_RESULT';
          objectiveId: string;
        } | null;
        const known = directory.get(id);
        const cycleId = event.type === 'ObjectiveSet' ? String(event.data.cycleId) : known?.cycleId;
        if (cycleId === undefined) continue;
        const viaKeyResult = known?.keyResultParentObjectiveIds ?? [];
        directory.set(id, {
          cycleId,
          parentObjectiveId: parent?.objectiveId ?? null,
          keyResultParentObjectiveIds:
            parent?.kind === 'KEY_RESULT' ? [...viaKeyResult, parent.objectiveId] : viaKeyResult,
        });
        this.cycleOfId.set(`${view.tenantId}|objective|${id}`, cycleId);
      }
      return directory;
    });
  }

  /** The snapshot of the cycle holding this objective or key result; null if none existed then. */
  private async snapshotOf(
    view: AsOfView,
    kind: AggregateKind,
    id: string,
  ): Promise<CycleSnapshot | null> {
    const key = `${view.tenantId}|${kind}|${id}`;
    let cycleId = this.cycleOfId.get(key);
    if (cycleId === undefined) {
      const stream = kind === 'objective' ? objectiveStream(id) : keyResultStream(id);
      const events = await this.store.readStream(stream, upTo(view));
      const [first] = tenantHistory(events, view.tenantId);
      if (first === undefined || typeof first.data.cycleId !== 'string') return null;
      cycleId = first.data.cycleId;
      this.cycleOfId.set(key, cycleId);
    }
    return this.cycleSnapshot(view, cycleId);
  }

  private cycleSnapshot(view: AsOfView, cycleId: string): Promise<CycleSnapshot> {
    return this.cached(`cycle|${view.tenantId}|${cycleId}|${view.key}`, view, async () => {
      const events = await this.cycleEvents(view, cycleId);
      const related = await this.relatedCycles(view, cycleId, events);
      const fold = new CycleFold(view.tenantId, cycleId, related);
      if (related.size === 0) {
        for (const event of events) fold.apply(event);
        return fold.snapshot();
      }
      // Several cycles: merged into the log's order, so that a closed cycle's roll-ups
      // freeze with what preceded its close in the log, as live (ADR 0002).
      const all = [...events];
      for (const other of related) all.push(...(await this.cycleEvents(view, other)));
      for (const event of inLogOrder(all)) fold.apply(event);
      return fold.snapshot();
    });
  }

  /**
   * One cycle's events that count at the time point, read once per request even when several
   * folds need them.
   */
  private cycleEvents(view: AsOfView, cycleId: string): Promise<RecordedEvent[]> {
    return this.cached(`events|${view.tenantId}|${cycleId}|${view.key}`, view, async () =>
      (
        await this.readAll({ metadata: { tenantId: view.tenantId, cycleId }, ...upTo(view) })
      ).filter((e) => countsAtValidTime(e, view.validAt)),
    );
  }

  /**
   * The other cycles whose objectives may roll up into this cycle's key results (the live
   * projection rolls up aligned objectives of any cycle). None, and no read of the tenant's
   * alignment events, unless one of the cycle's key results ever scored ALIGNED_OBJECTIVES.
   */
  private async relatedCycles(
    view: AsOfView,
    cycleId: string,
    events: readonly RecordedEvent[],
  ): Promise<Set<string>> {
    if (!mayRollUpAlignedObjectives(events)) return new Set();
    return crossCycleClosure(cycleId, await this.alignmentDirectory(view));
  }

  private viewAt(tenantId: string, at: Date | TimePoint): AsOfView {
    const { asOf, validAt } = timePointOf(at);
    let head: Promise<string> | undefined;
    return {
      tenantId,
      asOf,
      validAt,
      // "now" is pinned by the head position every cache key carries.
      key: `${asOf?.toISOString() ?? 'now'}@${validAt?.toISOString() ?? 'known'}`,
      head: () => (head ??= this.store.headPosition()),
    };
  }

  /** One fold per key and head position, shared by concurrent callers; failures are not kept. */
  private async cached<T>(key: string, view: AsOfView, load: () => Promise<T>): Promise<T> {
    const fullKey = `${key}|${await view.head()}`;
    const promise = this.snapshots.getOrCreate(fullKey, () => {
      const loading = load();
      loading.catch(() => this.snapshots.delete(fullKey));
      return loading;
    }) as Promise<T>;
    return promise;
  }

  /** Every matching event in global order, page by page. */
  private async readAll(
    options: Omit<ReadAllOptions, 'after' | 'limit'>,
  ): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.readAll({ ...options, after, limit: this.pageSize });
      events.push(...page.events);
      if (page.isEnd || page.checkpoint === after) return events;
      after = page.checkpoint;
    }
  }
}

interface AsOfView {
  readonly tenantId: string;
  /** Events recorded by then; null: all of them. */
  readonly asOf: Date | null;
  /** Only what counts at this valid time (`countsAtValidTime`); null: everything read. */
  readonly validAt: Date | null;
  /** The time point in cache keys. */
  readonly key: string;
  readonly head: () => Promise<string>;
}

/** The store's bound for the view: none for "now" (every event up to the head). */
const upTo = (view: AsOfView): { recordedUpTo?: Date } =>
  view.asOf === null ? {} : { recordedUpTo: view.asOf };

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function requireDate(date: Date): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TypeError('asOf must be a valid Date');
  }
}

/** A Date is an asOf; a time point needs a valid asOf, validAt or both. */
function timePointOf(at: Date | TimePoint): TimePoint {
  const point = at instanceof Date ? { asOf: at, validAt: null } : at;
  if (point.asOf === null && point.validAt === null) {
    throw new TypeError('a time point needs asOf, validAt or both');
  }
  if (point.asOf !== null) requireDate(point.asOf);
  if (point.validAt !== null) requireDate(point.validAt);
  return point;
}
