import DataLoader from 'dataloader';
import {
  canSee,
  scopeReadsTeams,
  visibilityScope,
  type TeamMembership,
  type Viewer,
  type VisibilityScope,
} from '@okr-ledger/okr';
import type {
  AsOfQueries,
  CycleView,
  KeyResultView,
  ObjectiveView,
  TeamMemberView,
  TeamView,
  TimePoint,
} from '@okr-ledger/read-models';
import { isUuid } from './lookups';

/**
 * What a model was answered at, handed down to its nested fields: null for now (the read
 * models), a Date for `asOf`, a time point when `validAt` was asked (ADR 0014).
 */
export type AnsweredAt = Date | TimePoint | null;

/** Up to when the ledger's records count for an answer: its asOf; null for all (now). */
export function recordedBound(at: AnsweredAt): Date | null {
  return at instanceof Date ? at : (at?.asOf ?? null);
}

/** The arguments `asOf` and `validAt` of a query as what its answer is at. */
export function answeredAt(asOf?: Date | null, validAt?: Date | null): AnsweredAt {
  return validAt ? { asOf: asOf ?? null, validAt } : (asOf ?? null);
}

/**
 * Keeps the objectives the caller may see. Applied by the loaders to every objective they
 * answer, so that every nested field (and everything reached through an objective: its key
 * results and their check-ins) shows only what the caller may see; a hidden objective is null,
 * exactly like an unknown id.
 */
export type VisibleObjectives = (views: readonly ObjectiveView[]) => Promise<ObjectiveView[]>;

/** Results in the order of the keys, null for ids the lookup did not return. */
function byIdLoader<V extends { id: string }>(
  fetch: (ids: readonly string[]) => Promise<readonly V[]>,
  cache: boolean,
): DataLoader<string, V | null> {
  return new DataLoader(
    async (ids) => {
      const found = new Map((await fetch(ids)).map((v) => [v.id, v]));
      return ids.map((id) => found.get(id) ?? null);
    },
    { cache },
  );
}

function groupedLoader<V>(
  fetch: (keys: readonly string[]) => Promise<readonly V[]>,
  keyOf: (view: V) => readonly (string | null)[],
  cache: boolean,
): DataLoader<string, V[]> {
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, V[]>(keys.map((k) => [k, []]));
      for (const view of await fetch(keys)) {
        for (const key of keyOf(view)) if (key !== null) groups.get(key)?.push(view);
      }
      return keys.map((k) => groups.get(k) ?? []);
    },
    { cache },
  );
}

/**
 * The batching loaders of one request (or of one instant, for as-of answers): a page of 50
 * objectives with their key results, teams and cycles costs one query per kind, not per row.
 */
export class OkrLoaders {
  readonly team: DataLoader<string, TeamView | null>;
  readonly teamChildren: DataLoader<string, TeamView[]>;
  /** A team's members, by person id: now, or as folded at the instant (ADR 0005). */
  readonly teamMembers: DataLoader<string, TeamMemberView[]>;
  readonly cycle: DataLoader<string, CycleView | null>;
  readonly objective: DataLoader<string, ObjectiveView | null>;
  /** Aligned to the objective directly or to one of its key results. */
  readonly objectiveChildren: DataLoader<string, ObjectiveView[]>;
  readonly keyResult: DataLoader<string, KeyResultView | null>;
  readonly keyResultsOfObjective: DataLoader<string, KeyResultView[]>;

  /**
   * `lookups`: the read models (now) or time travel (as of an instant), same signatures.
   * `visible`: the caller's filter, or null when the lookups filter themselves (time travel
   * with a viewer applies ADR 0017's rule for the past).
   */
  constructor(
    lookups: AsOfQueries,
    tenantId: string,
    cache = true,
    visible: VisibleObjectives | null = null,
  ) {
    const byId = <V extends { id: string }>(f: (ids: readonly string[]) => Promise<readonly V[]>) =>
      byIdLoader(f, cache);
    const groupedBy = <V>(
      f: (keys: readonly string[]) => Promise<readonly V[]>,
      keyOf: (view: V) => readonly (string | null)[],
    ) => groupedLoader(f, keyOf, cache);
    this.team = byId((ids) => lookups.teams.byIds(tenantId, ids.filter(isUuid)));
    this.teamChildren = groupedBy(
      (ids) => lookups.teams.childrenOf(tenantId, ids),
      (t) => [t.parentId],
    );
    this.teamMembers = groupedBy(
      (ids) => lookups.teams.membersOf(tenantId, ids.filter(isUuid)),
      (m) => [m.teamId],
    );
    this.cycle = byId((ids) => lookups.cycles.byIds(tenantId, ids.filter(isUuid)));
    const keep = visible ?? ((views: readonly ObjectiveView[]) => Promise.resolve([...views]));
    this.objective = byId(async (ids) =>
      keep(await lookups.objectives.byIds(tenantId, ids.filter(isUuid))),
    );
    // A key result is visible exactly when its objective is: the objectives are asked of the
    // (batched, cached) objective loader, so a page of key results costs one more query at most.
    const ofVisibleObjectives = async (keyResults: readonly KeyResultView[]) => {
      if (visible === null) return keyResults;
      const objectiveIds = [...new Set(keyResults.map((k) => k.objectiveId))];
      const shown = new Set(
        (await this.objective.loadMany(objectiveIds)).flatMap((o) =>
          o && !(o instanceof Error) ? [o.id] : [],
        ),
      );
      return keyResults.filter((k) => shown.has(k.objectiveId));
    };
    this.keyResult = byId(async (ids) =>
      ofVisibleObjectives(await lookups.keyResults.byIds(tenantId, ids.filter(isUuid))),
    );
    // Asked only for an objective already answered to this caller (Objective.keyResults), so
    // not checked again: a page of 50 objectives with their key results stays one query here.
    this.keyResultsOfObjective = groupedBy(
      (ids) => lookups.keyResults.byObjectiveIds(tenantId, ids),
      (k) => [k.objectiveId],
    );
    // A child aligned to a key result names that key result, not its objective: map it back.
    this.objectiveChildren = new DataLoader<string, ObjectiveView[]>(
      async (parentIds) => {
        const children = await keep(await lookups.objectives.childrenOf(tenantId, parentIds));
        const viaKeyResult = children
          .map((c) => c.parentKeyResultId)
          .filter((id): id is string => id !== null);
        const keyResults = await this.keyResult.loadMany(viaKeyResult);
        const objectiveOfKeyResult = new Map<string, string>();
        for (const k of keyResults) {
          if (k && !(k instanceof Error)) objectiveOfKeyResult.set(k.id, k.objectiveId);
        }
        const groups = new Map<string, ObjectiveView[]>(parentIds.map((p) => [p, []]));
        for (const child of children) {
          const parent =
            child.parentObjectiveId ??
            (child.parentKeyResultId
              ? objectiveOfKeyResult.get(child.parentKeyResultId)
              : undefined);
          if (parent !== undefined) groups.get(parent)?.push(child);
        }
        return parentIds.map((p) => groups.get(p) ?? []);
      },
      { cache },
    );
  }
}

/** What the request loaders read besides the OKR lookups: the caller's team memberships. */
export interface VisibilityLookups {
  /** The team tree with this person's memberships (teams.memberships of the read models). */
  memberships(tenantId: string, personId: string): Promise<TeamMembership[]>;
}

/** The loaders of one request: current state, plus one set per as-of instant asked for. */
export class OkrRequestLoaders {
  private readonly asOf = new Map<string, OkrLoaders>();
  private readonly scopeLoader: DataLoader<string, VisibilityScope>;
  readonly current: OkrLoaders;

  /**
   * `cache: false` for subscriptions, whose context lives as long as the subscription: each
   * event must see fresh rows (and memberships), while loads of one event still batch.
   */
  constructor(
    readonly tenantId: string,
    readonly viewer: Viewer,
    currentLookups: AsOfQueries,
    visibility: VisibilityLookups,
    private readonly lookupsAsOf: (
      tenantId: string,
      at: Date | TimePoint,
      viewer: Viewer,
    ) => AsOfQueries,
    private readonly cache = true,
  ) {
    // One query for the team tree per request (per event over a subscription), however many
    // objectives the request reads: the scope is computed once and each row checked in memory.
    // None for an ADMIN or AUDITOR, whose scope reads no team.
    this.scopeLoader = new DataLoader(
      async (keys) => {
        const teams = scopeReadsTeams(viewer)
          ? await visibility.memberships(tenantId, viewer.personId)
          : [];
        const scope = visibilityScope(viewer, teams);
        return keys.map(() => scope);
      },
      { cache },
    );
    this.current = new OkrLoaders(currentLookups, tenantId, cache, async (views) => {
      if (views.length === 0) return [];
      const scope = await this.scope();
      return views.filter((v) => canSee(scope, v));
    });
  }

  /** What the caller may see now (`visibilityScope` of libs/okr over the current teams). */
  scope(): Promise<VisibilityScope> {
    return this.scopeLoader.load('scope');
  }

  /**
   * Current-state loaders, or those of the instant (or time point) a model was answered at:
   * time travel answers those for the caller (visible then and now, ADR 0017).
   */
  at(at: AnsweredAt): OkrLoaders {
    if (at === null) return this.current;
    const key =
      at instanceof Date
        ? String(at.getTime())
        : `${at.asOf?.getTime() ?? 'now'}@${at.validAt?.getTime() ?? ''}`;
    let loaders = this.asOf.get(key);
    if (!loaders) {
      const lookups = this.lookupsAsOf(this.tenantId, at, this.viewer);
      loaders = new OkrLoaders(lookups, this.tenantId, this.cache);
      this.asOf.set(key, loaders);
    }
    return loaders;
  }
}
