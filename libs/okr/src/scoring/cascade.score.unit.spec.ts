import {
  cascadeInMemory,
  cascadeProgress,
  type CascadeKeyResult,
  type CascadeNeed,
  type CascadeObjective,
  type CascadeTree,
} from './cascade.score';

type ObjectiveNode = CascadeObjective & { readonly archived?: boolean };

function keyResult(
  objectiveKey: string,
  overrides: Partial<CascadeKeyResult> = {},
): CascadeKeyResult {
  return {
    type: 'INCREASE',
    startValue: 0,
    targetValue: 100,
    currentValue: 0,
    objectiveKey,
    scoring: 'OWN_VALUE',
    weight: 1,
    healthMetric: false,
    frozenProgress: null,
    progress: 0,
    ...overrides,
  };
}

function objective(parentKeyResultKey: string | null = null, progress = 0): ObjectiveNode {
  return { parentKeyResultKey, progress };
}

/** A tree held as plain data, as a caller holding all of it would give it. */
function treeOf(
  keyResults: Record<string, CascadeKeyResult>,
  objectives: Record<string, ObjectiveNode>,
): CascadeTree {
  return {
    keyResult: (key) => keyResults[key],
    objective: (key) => objectives[key],
    keyResultsOf: (key) =>
      Object.keys(keyResults).filter((k) => keyResults[k]?.objectiveKey === key),
    alignedTo: (key) =>
      Object.keys(objectives).filter(
        (o) => objectives[o]?.parentKeyResultKey === key && !objectives[o]?.archived,
      ),
  };
}

/** The last score of every node the walk recomputed. */
function finalScores(updates: ReturnType<typeof cascadeInMemory>): Record<string, number> {
  return Object.fromEntries(updates.map((u) => [u.key, u.progress]));
}

describe('cascadeProgress', () => {
  describe('given an objective aligned to a rolled-up key result', () => {
    const tree = treeOf(
      {
        parentKr: keyResult('parent', { scoring: 'ALIGNED_OBJECTIVES', progress: 0 }),
        childKr: keyResult('child', { currentValue: 50 }),
      },
      { parent: objective(), child: objective('parentKr') },
    );

    describe('when the child key result is checked in', () => {
      it('moves the key result, its objective, the key result above and its objective, in order', () => {
        const updates = cascadeInMemory(tree, { keyResults: ['childKr'] });
        expect(updates).toEqual([
          { node: 'keyResult', key: 'childKr', ownProgress: 0.5, progress: 0.5 },
          { node: 'objective', key: 'child', progress: 0.5 },
          { node: 'keyResult', key: 'parentKr', ownProgress: 0, progress: 0.5 },
          { node: 'objective', key: 'parent', progress: 0.5 },
        ]);
      });
    });
  });

  describe('given an objective whose progress does not move', () => {
    const tree = treeOf(
      {
        parentKr: keyResult('parent', { scoring: 'ALIGNED_OBJECTIVES' }),
        childKr: keyResult('child', { currentValue: 50, progress: 0.5 }),
      },
      { parent: objective(), child: objective('parentKr', 0.5) },
    );

    describe('when its key result is recomputed', () => {
      it('stops there: the key result above is not recomputed', () => {
        const updates = cascadeInMemory(tree, { keyResults: ['childKr'] });
        expect(updates.map((u) => u.key)).toEqual(['childKr', 'child']);
      });
    });
  });

  describe('given a rolled-up key result whose cycle is closed', () => {
    const tree = treeOf(
      {
        parentKr: keyResult('parent', {
          scoring: 'ALIGNED_OBJECTIVES',
          frozenProgress: 0.2,
          progress: 0.2,
        }),
        childKr: keyResult('child', { currentValue: 100 }),
      },
      { parent: objective(null, 0.2), child: objective('parentKr') },
    );

    describe('when an objective aligned to it moves', () => {
      it('keeps the progress its close froze, and so does its objective', () => {
        const scores = finalScores(cascadeInMemory(tree, { keyResults: ['childKr'] }));
        expect(scores).toEqual({ childKr: 1, child: 1, parentKr: 0.2, parent: 0.2 });
      });
    });
  });

  describe('given archived aligned objectives and weighted key results', () => {
    const tree = treeOf(
      {
        parentKr: keyResult('parent', { scoring: 'ALIGNED_OBJECTIVES', weight: 3 }),
        ownKr: keyResult('parent', { currentValue: 100 }),
        metricKr: keyResult('parent', { healthMetric: true }),
        aKr: keyResult('a', { currentValue: 40 }),
        bKr: keyResult('b', { currentValue: 100 }),
      },
      {
        parent: objective(),
        a: objective('parentKr'),
        b: { ...objective('parentKr'), archived: true },
      },
    );

    describe('when every node is scored from nothing', () => {
      it('rolls up the non-archived objectives and weighs the scored key results', () => {
        const scores = finalScores(
          cascadeInMemory(tree, {
            keyResults: ['parentKr', 'ownKr', 'metricKr', 'aKr', 'bKr'],
            objectives: ['parent', 'a', 'b'],
          }),
        );
        expect(scores).toMatchObject({ a: 0.4, b: 1, parentKr: 0.4 });
        expect(scores.parent).toBeCloseTo((0.4 * 3 + 1) / 4);
      });
    });
  });

  describe('given a caller that holds only part of the tree', () => {
    const tree = treeOf(
      {
        parentKr: keyResult('parent', { scoring: 'ALIGNED_OBJECTIVES' }),
        childKr: keyResult('child', { currentValue: 50 }),
      },
      { parent: objective(), child: objective('parentKr') },
    );

    describe('when it walks the tree', () => {
      it('says what it will look up before each step', () => {
        const walk = cascadeProgress(tree, { keyResults: ['childKr'] });
        const needs: CascadeNeed[] = [];
        for (let step = walk.next(); !step.done; step = walk.next()) needs.push(step.value);
        expect(needs).toEqual([
          { kind: 'keyResults', keys: ['childKr'] },
          { kind: 'objectives', keys: ['child'] },
          { kind: 'keyResultsOf', keys: ['child'] },
          { kind: 'keyResults', keys: ['parentKr'] },
          { kind: 'alignedTo', keys: ['parentKr'] },
          { kind: 'objectives', keys: ['parent'] },
          { kind: 'keyResultsOf', keys: ['parent'] },
        ]);
      });
    });
  });

  describe('given nodes the tree does not hold', () => {
    describe('when they are recomputed', () => {
      it('skips them', () => {
        const tree = treeOf({}, {});
        expect(cascadeInMemory(tree, { keyResults: ['gone'], objectives: ['gone'] })).toEqual([]);
      });
    });
  });
});
