import DataLoader from 'dataloader';
import type {
  AsOfQueries,
  CycleView,
  KeyResultView,
  ObjectiveView,
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
  readonly cycle: DataLoader<string, CycleView | null>;
  readonly objective: DataLoader<string, ObjectiveView | null>;
  /** Aligned to the objective directly or to one of its key results. */
  readonly objectiveChildren: DataLoader<string, ObjectiveView[]>;
  readonly keyResult: DataLoader<string, KeyResultView | null>;
  readonly keyResultsOfObjective: DataLoader<string, KeyResultView[]>;

  /** `lookups`: the read models (now) or time travel (as of an instant), same signatures. */
  constructor(lookups: AsOfQueries, tenantId: string, cache = true) {
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
    this.cycle = byId((ids) => lookups.cycles.byIds(tenantId, ids.filter(isUuid)));
    this.objective = byId((ids) => lookups.objectives.byIds(tenantId, ids.filter(isUuid)));
    this.keyResult = byId((ids) => lookups.keyResults.byIds(tenantId, ids.filter(isUuid)));
    this.keyResultsOfObjective = groupedBy(
      (ids) => lookups.keyResults.byObjectiveIds(tenantId, ids),
      (k) => [k.objectiveId],
    );
    // A child aligned to a key result names that key result, not its objective: map it back.
    this.objectiveChildren = new DataLoader<string, ObjectiveView[]>(
      async (parentIds) => {
        const children = await lookups.objectives.childrenOf(tenantId, parentIds);
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

/** The loaders of one request: current state, plus one set per as-of instant asked for. */
export class OkrRequestLoaders {
  private readonly asOf = new Map<string, OkrLoaders>();
  readonly current: OkrLoaders;

  /**
   * `cache: false` for subscriptions, whose context lives as long as the subscription: each
   * event must see fresh rows, while loads of one event still batch.
   */
  constructor(
    readonly tenantId: string,
    currentLookups: AsOfQueries,
    private readonly lookupsAsOf: (tenantId: string, at: Date | TimePoint) => AsOfQueries,
    private readonly cache = true,
  ) {
    this.current = new OkrLoaders(currentLookups, tenantId, cache);
  }

  /** Current-state loaders, or those of the instant (or time point) a model was answered at. */
  at(at: AnsweredAt): OkrLoaders {
    if (at === null) return this.current;
    const key =
      at instanceof Date
        ? String(at.getTime())
        : `${at.asOf?.getTime() ?? 'now'}@${at.validAt?.getTime() ?? ''}`;
    let loaders = this.asOf.get(key);
    if (!loaders) {
      loaders = new OkrLoaders(this.lookupsAsOf(this.tenantId, at), this.tenantId, this.cache);
      this.asOf.set(key, loaders);
    }
    return loaders;
  }
}
