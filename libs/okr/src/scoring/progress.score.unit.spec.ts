import fc from 'fast-check';
import { KEY_RESULT_TYPES, type KeyResultType } from '../key-result/key-result.events';
import {
  cycleProgress,
  keyResultCascadedProgress,
  keyResultProgress,
  keyResultRolledUpProgress,
  objectiveProgress,
} from './progress.score';

describe('keyResultProgress', () => {
  describe('when computed from the formula table', () => {
    it.each<[KeyResultType, number, number, number, number]>([
      // type, start, target, current, progress
      ['INCREASE', 0, 100, 50, 0.5],
      ['INCREASE', 0, 100, 0, 0],
      ['INCREASE', 0, 100, 100, 1],
      ['INCREASE', 0, 100, 150, 1], // past the target: clamped, not rewarded
      ['INCREASE', 0, 100, -20, 0], // behind the start: clamped
      ['INCREASE', -50, 50, 0, 0.5], // negative values
      ['INCREASE', -100, -20, -60, 0.5],
      ['INCREASE', 100, 0, 25, 0.75], // target below start: scored by direction of travel
      ['INCREASE', 10, 10, 10, 1], // start = target: done once at or above
      ['INCREASE', 10, 10, 9, 0],
      ['DECREASE', 100, 20, 60, 0.5],
      ['DECREASE', 100, 20, 20, 1],
      ['DECREASE', 100, 20, 0, 1], // past the target
      ['DECREASE', 100, 20, 120, 0], // worse than the start
      ['DECREASE', 0, -40, -10, 0.25], // negative, decreasing target
      ['DECREASE', 5, 5, 5, 1], // start = target: done once at or below
      ['DECREASE', 5, 5, 6, 0],
      ['STAY_ABOVE', 0, 95, 95, 1],
      ['STAY_ABOVE', 0, 95, 94.9, 0],
      ['STAY_BELOW', 0, 2, 2, 1],
      ['STAY_BELOW', 0, 2, 2.1, 0],
      ['STAY_BELOW', 0, -3, -4, 1],
      ['MILESTONE', 0, 1, 0, 0],
      ['MILESTONE', 0, 1, 1, 1],
    ])('%s from %d to %d at %d is %d', (type, startValue, targetValue, currentValue, expected) => {
      expect(keyResultProgress({ type, startValue, targetValue, currentValue })).toBeCloseTo(
        expected,
        10,
      );
    });
  });

  describe('when values are extreme', () => {
    it('still answers within 0..1 when differences overflow', () => {
      const progress = keyResultProgress({
        type: 'INCREASE',
        startValue: -Number.MAX_VALUE,
        targetValue: Number.MAX_VALUE,
        currentValue: 0,
      });
      expect(progress).toBeCloseTo(0.5, 10);
    });
    it('answers 0 for a value that is not finite', () => {
      expect(
        keyResultProgress({ type: 'INCREASE', startValue: 0, targetValue: 1, currentValue: NaN }),
      ).toBe(0);
    });
  });

  describe('when inputs are any finite numbers', () => {
    it('stays within 0..1', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...KEY_RESULT_TYPES),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          (type, startValue, targetValue, currentValue) => {
            const progress = keyResultProgress({ type, startValue, targetValue, currentValue });
            expect(progress).toBeGreaterThanOrEqual(0);
            expect(progress).toBeLessThanOrEqual(1);
            expect(Object.is(progress, -0)).toBe(false);
          },
        ),
      );
    });
    it('is 1 at the target and 0 at the start for INCREASE and DECREASE', () => {
      fc.assert(
        fc.property(
          fc.constantFrom<KeyResultType>('INCREASE', 'DECREASE'),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          (type, startValue, targetValue) => {
            fc.pre(startValue !== targetValue);
            expect(
              keyResultProgress({ type, startValue, targetValue, currentValue: targetValue }),
            ).toBe(1);
            expect(
              keyResultProgress({ type, startValue, targetValue, currentValue: startValue }),
            ).toBe(0);
          },
        ),
      );
    });
  });
});

describe('objectiveProgress', () => {
  describe('when key results have default weights', () => {
    it('is the plain mean', () => {
      expect(
        objectiveProgress([
          { progress: 1, weight: 1, healthMetric: false },
          { progress: 0.5, weight: 1, healthMetric: false },
          { progress: 0, weight: 1, healthMetric: false },
        ]),
      ).toBeCloseTo(0.5, 10);
    });
  });
  describe('when weights differ', () => {
    it('is the weighted mean', () => {
      expect(
        objectiveProgress([
          { progress: 1, weight: 3, healthMetric: false },
          { progress: 0, weight: 1, healthMetric: false },
        ]),
      ).toBeCloseTo(0.75, 10);
    });
  });
  describe('when a key result graduated into a health metric', () => {
    it('leaves it out', () => {
      expect(
        objectiveProgress([
          { progress: 0.2, weight: 1, healthMetric: false },
          { progress: 1, weight: 5, healthMetric: true },
        ]),
      ).toBeCloseTo(0.2, 10);
    });
  });
  describe('when there is nothing to score', () => {
    it('is 0', () => {
      expect(objectiveProgress([])).toBe(0);
      expect(objectiveProgress([{ progress: 1, weight: 1, healthMetric: true }])).toBe(0);
    });
  });
  describe('when inputs are arbitrary', () => {
    it('stays within 0..1', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({ progress: fc.double(), weight: fc.double(), healthMetric: fc.boolean() }),
          ),
          (keyResults) => {
            const progress = objectiveProgress(keyResults);
            expect(progress >= 0 && progress <= 1).toBe(true);
          },
        ),
      );
    });
  });
});

describe('keyResultRolledUpProgress', () => {
  describe('when scoring is ALIGNED_OBJECTIVES', () => {
    it('is the mean of the aligned objectives', () => {
      expect(
        keyResultRolledUpProgress({
          scoring: 'ALIGNED_OBJECTIVES',
          ownProgress: 0,
          alignedObjectiveProgresses: [0.2, 0.6],
        }),
      ).toBeCloseTo(0.4, 10);
    });
    it('falls back to its own value with no aligned objective', () => {
      expect(
        keyResultRolledUpProgress({
          scoring: 'ALIGNED_OBJECTIVES',
          ownProgress: 0.3,
          alignedObjectiveProgresses: [],
        }),
      ).toBe(0.3);
    });
  });
  describe('when scoring is OWN_VALUE', () => {
    it('ignores aligned objectives', () => {
      expect(
        keyResultRolledUpProgress({
          scoring: 'OWN_VALUE',
          ownProgress: 0.3,
          alignedObjectiveProgresses: [1, 1],
        }),
      ).toBe(0.3);
    });
  });
});

describe('keyResultCascadedProgress', () => {
  const rollUp = { scoring: 'ALIGNED_OBJECTIVES', ownProgress: 0.1 } as const;
  describe('when its cycle is open', () => {
    it('rolls up its aligned objectives', () => {
      const progress = keyResultCascadedProgress({
        ...rollUp,
        frozenProgress: null,
        alignedObjectiveProgresses: () => [0.2, 0.6],
      });
      expect(progress).toBeCloseTo(0.4, 10);
    });
  });
  describe('when its cycle is closed', () => {
    it('keeps what the close froze and does not look at its aligned objectives', () => {
      const aligned = jest.fn(() => [1]);
      const progress = keyResultCascadedProgress({
        ...rollUp,
        frozenProgress: 0.3,
        alignedObjectiveProgresses: aligned,
      });
      expect(progress).toBe(0.3);
      expect(aligned).not.toHaveBeenCalled();
    });
  });
});

describe('cycleProgress', () => {
  describe('when the cycle has objectives', () => {
    it('is their mean', () => {
      expect(cycleProgress([0.1, 0.5, 0.9])).toBeCloseTo(0.5, 10);
    });
  });
  describe('when the cycle has none', () => {
    it('is 0', () => {
      expect(cycleProgress([])).toBe(0);
    });
  });
});
