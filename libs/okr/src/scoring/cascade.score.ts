import type { KeyResultScoring } from '../key-result/key-result.events';
import {
  keyResultCascadedProgress,
  keyResultProgress,
  objectiveProgress,
  type KeyResultProgressInput,
} from './progress.score';

/**
 * The roll-up cascade (ADR 0002) once: a key result's progress moves its objective's, which
 * moves the key result that objective is aligned to, and so on up the alignment tree, a key
 * result of a CLOSED cycle keeping what its close froze. The live okr-tree projection and time
 * travel both walk the tree with this function; it does no I/O: nodes are looked up by key
 * (whatever keys the caller uses, as long as the references between nodes use the same ones).
 */

export interface CascadeKeyResult extends KeyResultProgressInput {
  /** Key of the objective it belongs to. */
  readonly objectiveKey: string;
  readonly scoring: KeyResultScoring;
  readonly weight: number;
  readonly healthMetric: boolean;
  /** What its cycle's close froze; null while the cycle is open. */
  readonly frozenProgress: number | null;
  /** Its progress as the caller holds it (before this cascade). */
  readonly progress: number;
}

export interface CascadeObjective {
  /** Key of the key result it is aligned to, if any. */
  readonly parentKeyResultKey: string | null;
  /** Its progress as the caller holds it (before this cascade). */
  readonly progress: number;
}

export interface CascadeTree {
  keyResult(key: string): CascadeKeyResult | undefined;
  objective(key: string): CascadeObjective | undefined;
  /** Keys of the objective's key results. */
  keyResultsOf(objectiveKey: string): readonly string[];
  /** Keys of the non-archived objectives aligned to the key result. */
  alignedTo(keyResultKey: string): readonly string[];
}

/**
 * What the walk is about to look up, yielded before it does so: a caller that holds only part
 * of the tree loads it then (in one query per step); a caller holding all of it ignores them.
 * - keyResults: those key results, and what decides whether their cycle is closed;
 * - alignedTo: the objectives aligned to those (unfrozen, ALIGNED_OBJECTIVES) key results;
 * - objectives: those objectives;
 * - keyResultsOf: the key results of those objectives.
 */
export interface CascadeNeed {
  readonly kind: 'keyResults' | 'alignedTo' | 'objectives' | 'keyResultsOf';
  readonly keys: readonly string[];
}

/** A node the walk recomputed, with its new score (unchanged scores included). */
export type CascadeUpdate =
  | {
      readonly node: 'keyResult';
      readonly key: string;
      readonly ownProgress: number;
      readonly progress: number;
    }
  | { readonly node: 'objective'; readonly key: string; readonly progress: number };

export interface CascadeStart {
  readonly keyResults?: Iterable<string>;
  readonly objectives?: Iterable<string>;
}

/** The alignment tree is loop-free by domain rule; this only stops a corrupt log from spinning. */
export const MAX_CASCADE_LEVELS = 10_000;

/**
 * Recomputes the given nodes and everything above them that moves, level by level (all pending
 * key results, then all pending objectives, …): a key result is recomputed with its objective
 * after it; an objective whose progress moved passes it on to the key result it is aligned to.
 * Returns every recomputed node in order, the last update of a key being its final score.
 *
 * A generator so that a caller can load lazily: it yields each CascadeNeed before the lookups,
 * and is resumed with nothing. `cascadeInMemory` runs it for a caller that holds the whole tree.
 */
export function* cascadeProgress(
  tree: CascadeTree,
  start: CascadeStart,
): Generator<CascadeNeed, CascadeUpdate[], void> {
  const keyResultScores = new Map<string, number>();
  const objectiveScores = new Map<string, number>();
  const progressOfObjective = (key: string): number =>
    objectiveScores.get(key) ?? tree.objective(key)?.progress ?? 0;
  const progressOfKeyResult = (key: string, kr: CascadeKeyResult): number =>
    keyResultScores.get(key) ?? kr.progress;
  const pendingKeyResults = new Set(start.keyResults ?? []);
  const pendingObjectives = new Set(start.objectives ?? []);
  const updates: CascadeUpdate[] = [];

  for (let level = 0; level < MAX_CASCADE_LEVELS; level++) {
    if (pendingKeyResults.size > 0) {
      const keys = [...pendingKeyResults];
      pendingKeyResults.clear();
      yield { kind: 'keyResults', keys };
      const rollUps = keys.filter((key) => {
        const kr = tree.keyResult(key);
        return kr?.scoring === 'ALIGNED_OBJECTIVES' && kr.frozenProgress === null;
      });
      if (rollUps.length > 0) yield { kind: 'alignedTo', keys: rollUps };
      for (const key of keys) {
        const kr = tree.keyResult(key);
        if (!kr) continue;
        const ownProgress = keyResultProgress(kr);
        const progress = keyResultCascadedProgress({
          scoring: kr.scoring,
          ownProgress,
          frozenProgress: kr.frozenProgress,
          alignedObjectiveProgresses: () => tree.alignedTo(key).map(progressOfObjective),
        });
        keyResultScores.set(key, progress);
        updates.push({ node: 'keyResult', key, ownProgress, progress });
        // Weight, graduation or a new check-in may change the objective even at equal progress.
        pendingObjectives.add(kr.objectiveKey);
      }
    } else if (pendingObjectives.size > 0) {
      const keys = [...pendingObjectives];
      pendingObjectives.clear();
      yield { kind: 'objectives', keys };
      yield { kind: 'keyResultsOf', keys };
      for (const key of keys) {
        const objective = tree.objective(key);
        if (!objective) continue;
        const weighted = [];
        for (const krKey of tree.keyResultsOf(key)) {
          const kr = tree.keyResult(krKey);
          if (!kr) continue;
          weighted.push({
            progress: progressOfKeyResult(krKey, kr),
            weight: kr.weight,
            healthMetric: kr.healthMetric,
          });
        }
        const progress = objectiveProgress(weighted);
        const moved = progress !== progressOfObjective(key);
        objectiveScores.set(key, progress);
        updates.push({ node: 'objective', key, progress });
        if (moved && objective.parentKeyResultKey !== null) {
          pendingKeyResults.add(objective.parentKeyResultKey);
        }
      }
    } else break;
  }
  return updates;
}

/** cascadeProgress over a tree the caller holds entirely: nothing to load. */
export function cascadeInMemory(tree: CascadeTree, start: CascadeStart): CascadeUpdate[] {
  const walk = cascadeProgress(tree, start);
  for (let step = walk.next(); ; step = walk.next()) if (step.done) return step.value;
}
