import type { KeyResultScoring, KeyResultType } from '../key-result/key-result.events';

/**
 * The one source of truth for scores: projections and time travel both call these.
 * Every result is clamped to 0..1 — over-achievement is not rewarded and cannot mask a miss
 * elsewhere in a weighted mean (see docs/adr/0002-scoring.md).
 */

const clamp01 = (x: number): number => (Number.isNaN(x) ? 0 : Math.min(1, Math.max(0, x)));

export interface KeyResultProgressInput {
  readonly type: KeyResultType;
  readonly startValue: number;
  readonly targetValue: number;
  readonly currentValue: number;
}

/** (current − start) / (target − start); halves the values first if the differences overflow. */
function linear(start: number, target: number, current: number): number {
  const travelled = current - start;
  const distance = target - start;
  return Number.isFinite(travelled) && Number.isFinite(distance)
    ? travelled / distance
    : (current / 2 - start / 2) / (target / 2 - start / 2);
}

export function keyResultProgress(input: KeyResultProgressInput): number {
  const { type, startValue: start, targetValue: target, currentValue: current } = input;
  if (![start, target, current].every(Number.isFinite)) return 0;
  switch (type) {
    // INCREASE and DECREASE share the formula ((start − current)/(start − target) is the same
    // ratio), so a target on the "wrong" side still scores by direction of travel. They differ
    // only when start = target: then the key result is done once on the right side of it.
    case 'INCREASE':
      return start === target ? Number(current >= target) : clamp01(linear(start, target, current));
    case 'DECREASE':
      return start === target ? Number(current <= target) : clamp01(linear(start, target, current));
    case 'STAY_ABOVE':
      return Number(current >= target);
    case 'STAY_BELOW':
      return Number(current <= target);
    // By convention start 0 and target 1: done once the value reaches the target.
    case 'MILESTONE':
      return Number(current >= target);
    default: {
      const _exhaustive: never = type;
      return 0;
    }
  }
}

export interface WeightedProgress {
  readonly progress: number;
  readonly weight: number;
  /** Graduated key results are monitored, not scored. */
  readonly healthMetric: boolean;
}

/** Weighted mean of the scored key results; 0 with none (nothing promised, nothing achieved). */
export function objectiveProgress(keyResults: readonly WeightedProgress[]): number {
  let weighted = 0;
  let total = 0;
  for (const { progress, weight, healthMetric } of keyResults) {
    if (healthMetric || !(weight > 0) || !Number.isFinite(weight)) continue;
    weighted += clamp01(progress) * weight;
    total += weight;
  }
  return total === 0 ? 0 : clamp01(weighted / total);
}

export interface RollUpInput {
  readonly scoring: KeyResultScoring;
  /** keyResultProgress of the key result's own value. */
  readonly ownProgress: number;
  /** Progress of the (non-archived) objectives aligned to this key result. */
  readonly alignedObjectiveProgresses: readonly number[];
}

/**
 * The progress a key result contributes to its objective: its own value, or with
 * ALIGNED_OBJECTIVES the mean of its aligned objectives — its own value while it has none.
 */
export function keyResultRolledUpProgress(input: RollUpInput): number {
  const { scoring, ownProgress, alignedObjectiveProgresses: children } = input;
  if (scoring === 'OWN_VALUE' || children.length === 0) return clamp01(ownProgress);
  return clamp01(mean(children));
}

export interface CascadeInput extends Omit<RollUpInput, 'alignedObjectiveProgresses'> {
  /** What its cycle's close froze; null while the cycle is open. */
  readonly frozenProgress: number | null;
  /** Asked only when not frozen: a frozen key result does not look at its aligned objectives. */
  readonly alignedObjectiveProgresses: () => readonly number[];
}

/**
 * A key result's progress in the roll-up cascade (ADR 0002, "closing freezes"): once its cycle
 * is CLOSED, what it was at the close, whatever the objectives aligned to it do since;
 * otherwise its roll-up. The live projection and time travel both call it.
 */
export function keyResultCascadedProgress(input: CascadeInput): number {
  if (input.frozenProgress !== null) return input.frozenProgress;
  return keyResultRolledUpProgress({
    scoring: input.scoring,
    ownProgress: input.ownProgress,
    alignedObjectiveProgresses: input.alignedObjectiveProgresses(),
  });
}

/**
 * Mean progress of every non-archived objective of the cycle (roots and aligned ones alike):
 * each objective counts once whatever the alignment tree looks like. 0 with none.
 */
export function cycleProgress(objectiveProgresses: readonly number[]): number {
  return cycleProgressOfSum(
    objectiveProgresses.reduce((sum, value) => sum + clamp01(value), 0),
    objectiveProgresses.length,
  );
}

/**
 * cycleProgress from the sum of the (clamped) objective progresses and their count, for a
 * caller that sums most of them where they are stored instead of loading every objective.
 */
export function cycleProgressOfSum(clampedSum: number, count: number): number {
  return count === 0 ? 0 : clamp01(clampedSum / count);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + clamp01(value), 0) / values.length;
}
