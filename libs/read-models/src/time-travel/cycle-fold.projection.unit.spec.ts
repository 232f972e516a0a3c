import type { RecordedEvent } from '@okr-ledger/event-store';
import { keyResultProgress } from '@okr-ledger/okr';
import {
  CycleFold,
  alignmentTreeOf,
  countsAtValidTime,
  crossCycleClosure,
  inLogOrder,
  mayRollUpAlignedObjectives,
} from './cycle-fold.projection';

const CYCLE = 'c1';
let revision = 0;

function event(
  type: string,
  data: Record<string, unknown>,
  options: { tenantId?: string; cycleId?: string; at?: string } = {},
): RecordedEvent {
  revision += 1;
  return {
    id: `e${revision}`,
    streamName: 'irrelevant-for-the-fold',
    revision,
    position: String(revision).padStart(8, '0'),
    type,
    data,
    metadata: {
      tenantId: options.tenantId ?? 'acme',
      actorId: 'ana',
      correlationId: 'c',
      causationId: null,
      schemaVersion: 1,
      source: 'test',
      cycleId: options.cycleId ?? CYCLE,
    },
    recordedAt: new Date(options.at ?? '2026-07-01T00:00:00Z'),
  };
}

const scheduled = () =>
  event('CycleScheduled', {
    cycleId: CYCLE,
    name: 'Q3',
    startsAt: '2026-07-01T00:00:00Z',
    endsAt: '2026-09-30T00:00:00Z',
  });
const objectiveSet = (objectiveId: string, parent: unknown = null, title = objectiveId) =>
  event('ObjectiveSet', {
    objectiveId,
    cycleId: CYCLE,
    title,
    description: null,
    ownerId: null,
    teamId: null,
    parent,
  });
const keyResultAdded = (
  keyResultId: string,
  objectiveId: string,
  extra: Record<string, unknown> = {},
) =>
  event('KeyResultAdded', {
    keyResultId,
    objectiveId,
    cycleId: CYCLE,
    title: keyResultId,
    ownerId: null,
    type: 'INCREASE',
    kind: 'OUTPUT',
    startValue: 0,
    targetValue: 10,
    unit: null,
    weight: 1,
    dataSourceUrl: null,
    scoring: 'OWN_VALUE',
    ...extra,
  });
const checkedIn = (keyResultId: string, value: number) =>
  event('KeyResultCheckedIn', {
    keyResultId,
    checkInId: `ci-${revision}`,
    value,
    previousValue: 0,
    confidence: null,
    plan: null,
    progress: null,
    problems: null,
    source: 'MANUAL',
    idempotencyKey: null,
    // Release 2's shape; all at one instant, so the later recorded is current, as before.
    measuredAt: '2026-07-01T00:00:00.000Z',
    dataSourceId: null,
    externalId: null,
    correctsCheckInId: null,
  });
const toKeyResult = (keyResultId: string, objectiveId: string) => ({
  kind: 'KEY_RESULT',
  keyResultId,
  objectiveId,
});

function foldOf(events: RecordedEvent[], relatedCycles: string[] = []): CycleFold {
  const fold = new CycleFold('acme', CYCLE, relatedCycles);
  for (const e of events) fold.apply(e);
  return fold;
}

/** The same events, each recorded one second after the one before. */
const oneSecondApart = (events: RecordedEvent[]): RecordedEvent[] =>
  events.map((e, i) => ({ ...e, recordedAt: new Date(Date.UTC(2026, 6, 1, 0, 0, i)) }));

const inCycle = (cycleId: string, e: RecordedEvent): RecordedEvent => ({
  ...e,
  data: { ...e.data, cycleId },
  metadata: { ...e.metadata, cycleId },
});

describe('CycleFold', () => {
  describe('when a key result rolls up its aligned objectives', () => {
    it('contributes their mean progress, ignoring archived ones', () => {
      const snapshot = foldOf([
        scheduled(),
        objectiveSet('top'),
        keyResultAdded('kr-top', 'top', { scoring: 'ALIGNED_OBJECTIVES' }),
        checkedIn('kr-top', 9),
        objectiveSet('a', toKeyResult('kr-top', 'top')),
        keyResultAdded('kr-a', 'a'),
        checkedIn('kr-a', 4),
        objectiveSet('b', toKeyResult('kr-top', 'top')),
        keyResultAdded('kr-b', 'b'),
        checkedIn('kr-b', 8),
        objectiveSet('gone', toKeyResult('kr-top', 'top')),
        event('ObjectiveArchived', { objectiveId: 'gone', reason: null }),
      ]).snapshot();
      expect(snapshot.keyResults.get('kr-top')?.progress).toBeCloseTo(0.6);
      expect(snapshot.objectives.get('top')?.progress).toBeCloseTo(0.6);
      // Cycle: mean of every non-archived objective (top 0.6, a 0.4, b 0.8).
      expect(snapshot.cycle?.progress).toBeCloseTo(0.6);
      expect(snapshot.objectives.get('gone')?.archived).toBe(true);
    });
  });

  describe('when an objective of a related cycle is aligned to a key result', () => {
    it('rolls it up, but neither lists it nor counts it in this cycle', () => {
      const snapshot = foldOf(
        [
          scheduled(),
          objectiveSet('top'),
          keyResultAdded('kr-top', 'top', { scoring: 'ALIGNED_OBJECTIVES' }),
          inCycle('c2', objectiveSet('next-quarter', toKeyResult('kr-top', 'top'))),
          inCycle('c2', keyResultAdded('kr-next', 'next-quarter')),
          inCycle('c2', checkedIn('kr-next', 3)),
        ],
        ['c2'],
      ).snapshot();
      expect(snapshot.keyResults.get('kr-top')?.progress).toBeCloseTo(0.3);
      expect([...snapshot.objectives.keys()]).toEqual(['top']);
      expect([...snapshot.keyResults.keys()]).toEqual(['kr-top']);
      expect(snapshot.cycle?.progress).toBeCloseTo(0.3);
    });
  });

  describe('when a key result is graduated into a health metric', () => {
    it('keeps its own progress but no longer counts for its objective', () => {
      const snapshot = foldOf([
        scheduled(),
        objectiveSet('o'),
        keyResultAdded('scored', 'o'),
        keyResultAdded('metric', 'o'),
        checkedIn('scored', 5),
        checkedIn('metric', 10),
        event('KeyResultGraduated', { keyResultId: 'metric', reason: 'a KPI now' }),
      ]).snapshot();
      expect(snapshot.keyResults.get('metric')).toMatchObject({ progress: 1, healthMetric: true });
      expect(snapshot.objectives.get('o')?.progress).toBe(0.5);
    });
  });

  describe('when events of another tenant or another cycle are applied', () => {
    it('ignores them', () => {
      const snapshot = foldOf([
        scheduled(),
        objectiveSet('o'),
        event(
          'ObjectiveRevised',
          { objectiveId: 'o', changes: [{ field: 'title', from: 'o', to: 'x' }], reason: null },
          { tenantId: 'globex' },
        ),
        event(
          'ObjectiveSet',
          {
            objectiveId: 'other',
            cycleId: 'c2',
            title: 'other',
            description: null,
            ownerId: null,
            teamId: null,
            parent: null,
          },
          { cycleId: 'c2' },
        ),
      ]).snapshot();
      expect([...snapshot.objectives.keys()]).toEqual(['o']);
      expect(snapshot.objectives.get('o')).toMatchObject({ title: 'o', version: 1 });
    });
  });

  describe('when a redefinition changes the target', () => {
    it('scores with keyResultProgress on the new definition and counts the version', () => {
      const snapshot = foldOf([
        scheduled(),
        objectiveSet('o'),
        keyResultAdded('kr', 'o'),
        checkedIn('kr', 5),
        event('KeyResultRedefined', {
          keyResultId: 'kr',
          changes: [{ field: 'targetValue', from: 10, to: 20 }],
          reason: 'bigger',
        }),
      ]).snapshot();
      expect(snapshot.keyResults.get('kr')).toMatchObject({
        targetValue: 20,
        version: 3,
        progress: keyResultProgress({
          type: 'INCREASE',
          startValue: 0,
          targetValue: 20,
          currentValue: 5,
        }),
      });
    });
  });

  describe('when frames are taken between events', () => {
    it('shows each one as the fold stood then, archived objectives left out', () => {
      const fold = foldOf([
        scheduled(),
        objectiveSet('o', null, 'Old title'),
        keyResultAdded('kr', 'o'),
      ]);
      const first = fold.frame(new Date('2026-07-02T00:00:00Z'));
      fold.apply(checkedIn('kr', 5));
      fold.apply(
        event('ObjectiveRevised', {
          objectiveId: 'o',
          changes: [{ field: 'title', from: 'Old title', to: 'New title' }],
          reason: null,
        }),
      );
      const second = fold.frame(new Date('2026-07-03T00:00:00Z'));
      fold.apply(event('ObjectiveArchived', { objectiveId: 'o', reason: null }));
      const third = fold.frame(new Date('2026-07-04T00:00:00Z'));
      expect(first.objectives[0]).toMatchObject({ title: 'Old title', progress: 0 });
      expect(second.objectives[0]).toMatchObject({ title: 'New title', progress: 0.5 });
      expect(second.progress).toBe(0.5);
      expect(third.objectives).toEqual([]);
    });

    it('shows the health each key result and objective had at that instant', () => {
      // A 91-day quarter; the key result stays at 3 of 10 while time passes.
      const fold = foldOf([scheduled(), objectiveSet('o'), keyResultAdded('kr', 'o')]);
      const healthAt = (at: string) => {
        const [objective] = fold.frame(new Date(at)).objectives;
        return [objective?.health, objective?.keyResults[0]?.health];
      };
      expect(healthAt('2026-07-02T00:00:00Z')).toEqual(['NOT_STARTED', 'NOT_STARTED']);
      fold.apply(checkedIn('kr', 3));
      // Expected progress 30/91: 0.3 is 91 % of it.
      expect(healthAt('2026-07-31T00:00:00Z')).toEqual(['ON_TRACK', 'ON_TRACK']);
      // 62/91 expected: 44 %.
      expect(healthAt('2026-09-01T00:00:00Z')).toEqual(['AT_RISK', 'AT_RISK']);
      // 90/91 expected: 30 %.
      expect(healthAt('2026-09-29T00:00:00Z')).toEqual(['OFF_TRACK', 'OFF_TRACK']);
      fold.apply(checkedIn('kr', 10));
      expect(healthAt('2026-09-29T00:00:00Z')).toEqual(['DONE', 'DONE']);
    });
  });
});

describe('CycleFold, when a cycle is closed', () => {
  const closed = (cycleId = CYCLE) => event('CycleClosed', { cycleId }, { cycleId });
  const second = (s: number): Date => new Date(Date.UTC(2026, 6, 1, 0, 0, s));
  /** c1's key result rolls up an objective of c2; both recorded one second apart from 00:00. */
  const crossCycle = () => [
    scheduled(),
    objectiveSet('top'),
    keyResultAdded('kr-top', 'top', { scoring: 'ALIGNED_OBJECTIVES' }),
    inCycle('c2', objectiveSet('next', toKeyResult('kr-top', 'top'))),
    inCycle('c2', keyResultAdded('kr-next', 'next')),
    inCycle('c2', checkedIn('kr-next', 3)),
  ];

  describe('when an objective of another cycle aligned to its key result moves after the close', () => {
    it('keeps the key result, objective and cycle progress of the close', () => {
      const fold = foldOf(
        oneSecondApart([
          ...crossCycle(),
          closed(),
          inCycle('c2', checkedIn('kr-next', 8)),
          inCycle('c2', objectiveSet('late', toKeyResult('kr-top', 'top'))),
          inCycle('c2', event('ObjectiveArchived', { objectiveId: 'next', reason: null })),
        ]),
        ['c2'],
      );
      const snapshot = fold.snapshot();
      expect(snapshot.cycle?.status).toBe('CLOSED');
      expect(snapshot.keyResults.get('kr-top')?.progress).toBeCloseTo(0.3, 12);
      expect(snapshot.objectives.get('top')?.progress).toBeCloseTo(0.3, 12);
      expect(snapshot.cycle?.progress).toBeCloseTo(0.3, 12);
    });

    it('moves with it before the close, and frames after the close are flat', () => {
      const events = oneSecondApart([
        ...crossCycle(),
        inCycle('c2', checkedIn('kr-next', 5)),
        closed(),
        inCycle('c2', checkedIn('kr-next', 9)),
      ]);
      // Replayed as cycleReplay does: each frame after the events recorded up to its instant.
      const fold = new CycleFold('acme', CYCLE, ['c2']);
      let next = 0;
      const progress = [5, 6, 7, 8].map((s) => {
        for (let e = events[next]; e && e.recordedAt <= second(s); e = events[++next]) {
          fold.apply(e);
        }
        return fold.frame(second(s)).progress;
      });
      // 00:05 check-in 3, 00:06 check-in 5, 00:07 closed, 00:08 check-in 9 after the close.
      expect(progress).toEqual([0.3, 0.5, 0.5, 0.5]);
    });
  });

  describe('when an event of another cycle follows the close in the log but was recorded before it', () => {
    it('leaves it out, as the live projection does: the log decides, not the recorded time', () => {
      const events = oneSecondApart([
        ...crossCycle(),
        inCycle('c2', checkedIn('kr-next', 6)),
        closed(),
      ]);
      const closedAt = events[events.length - 1]?.recordedAt ?? new Date(NaN);
      const recordedEarlier = {
        ...inCycle('c2', checkedIn('kr-next', 9)),
        recordedAt: new Date(closedAt.getTime() - 1),
      };
      const snapshot = foldOf([...events, recordedEarlier], ['c2']).snapshot();
      // The check-in of 6 before the close counts, the 9 after it does not.
      expect(snapshot.keyResults.get('kr-top')?.progress).toBeCloseTo(0.6, 12);
    });
  });

  describe('when a related cycle further down is closed', () => {
    it('freezes its key results, so the roll-up above it stops moving too', () => {
      // c1 kr-top ← c2 "mid" (kr-mid rolls up) ← c3 "leaf"; c2 closes, then the leaf moves.
      const snapshot = foldOf(
        oneSecondApart([
          scheduled(),
          objectiveSet('top'),
          keyResultAdded('kr-top', 'top', { scoring: 'ALIGNED_OBJECTIVES' }),
          inCycle('c2', objectiveSet('mid', toKeyResult('kr-top', 'top'))),
          inCycle('c2', keyResultAdded('kr-mid', 'mid', { scoring: 'ALIGNED_OBJECTIVES' })),
          inCycle('c3', objectiveSet('leaf', toKeyResult('kr-mid', 'mid'))),
          inCycle('c3', keyResultAdded('kr-leaf', 'leaf')),
          inCycle('c3', checkedIn('kr-leaf', 2)),
          closed('c2'),
          inCycle('c3', checkedIn('kr-leaf', 10)),
        ]),
        ['c2', 'c3'],
      ).snapshot();
      expect(snapshot.cycle?.status).toBe('PLANNING');
      expect(snapshot.keyResults.get('kr-top')?.progress).toBeCloseTo(0.2, 12);
      expect(snapshot.cycle?.progress).toBeCloseTo(0.2, 12);
    });
  });
});

describe('inLogOrder', () => {
  describe('when events of several cycles are concatenated', () => {
    it('sorts them by position, whatever their recorded times, without mutating', () => {
      const at = (position: string, iso: string, id: string) => ({
        ...event('TeamCreated', { teamId: id }),
        id,
        position,
        recordedAt: new Date(`2026-07-01T${iso}Z`),
      });
      const events = [
        at('00000000000000000010-00000000000000000001', '10:00:00', 'a1'),
        at('00000000000000000012-00000000000000000004', '11:00:00', 'a2'),
        at('00000000000000000011-00000000000000000002', '12:00:00', 'b1'),
        at('00000000000000000012-00000000000000000005', '10:30:00', 'b2'),
      ];
      expect(inLogOrder(events).map((e) => e.id)).toEqual(['a1', 'b1', 'a2', 'b2']);
      expect(events.map((e) => e.id)).toEqual(['a1', 'a2', 'b1', 'b2']);
    });
  });
});

describe('alignmentTreeOf', () => {
  describe('when objectives are aligned to objectives and key results', () => {
    it('lists them in pre-order, roots first, parent = the key result objective', () => {
      const snapshot = foldOf(
        oneSecondApart([
          scheduled(),
          objectiveSet('root-a'),
          keyResultAdded('kr-a', 'root-a'),
          objectiveSet('root-b'),
          objectiveSet('a1', { kind: 'OBJECTIVE', objectiveId: 'root-a' }),
          objectiveSet('a1x', toKeyResult('kr-a', 'root-a')),
          objectiveSet('a1a', { kind: 'OBJECTIVE', objectiveId: 'a1' }),
          objectiveSet('archived', { kind: 'OBJECTIVE', objectiveId: 'root-b' }),
          event('ObjectiveArchived', { objectiveId: 'archived', reason: null }),
          objectiveSet('orphan', { kind: 'OBJECTIVE', objectiveId: 'archived' }),
        ]),
      ).snapshot();
      expect(alignmentTreeOf(snapshot).map((n) => [n.objectiveId, n.parentId, n.depth])).toEqual([
        ['root-a', null, 0],
        ['a1', 'root-a', 1],
        ['a1a', 'a1', 2],
        ['a1x', 'root-a', 1],
        ['root-b', null, 0],
        ['orphan', null, 0],
      ]);
    });
  });

  describe('when siblings were recorded at the same instant', () => {
    it('orders them by id, as the live query does', () => {
      const snapshot = foldOf([
        scheduled(),
        objectiveSet('b-root'),
        objectiveSet('a-root'),
        objectiveSet('z-child', { kind: 'OBJECTIVE', objectiveId: 'a-root' }),
        objectiveSet('c-child', { kind: 'OBJECTIVE', objectiveId: 'a-root' }),
      ]).snapshot();
      expect(alignmentTreeOf(snapshot).map((n) => n.objectiveId)).toEqual([
        'a-root',
        'c-child',
        'z-child',
        'b-root',
      ]);
    });
  });

  describe('when objectives form a loop', () => {
    it('leaves the loop and what hangs under it out, like the live query, and keeps the rest', () => {
      const snapshot = foldOf(
        oneSecondApart([
          scheduled(),
          objectiveSet('root'),
          objectiveSet('x', { kind: 'OBJECTIVE', objectiveId: 'y' }),
          objectiveSet('y', { kind: 'OBJECTIVE', objectiveId: 'x' }),
          objectiveSet('under-x', { kind: 'OBJECTIVE', objectiveId: 'x' }),
          objectiveSet('self', { kind: 'OBJECTIVE', objectiveId: 'self' }),
        ]),
      ).snapshot();
      expect(alignmentTreeOf(snapshot)).toEqual([
        { objectiveId: 'root', parentId: null, depth: 0, progress: 0 },
      ]);
      // Still folded and answered by id: only the tree leaves them out.
      expect(snapshot.objectives.has('x')).toBe(true);
    });
  });
});

describe('mayRollUpAlignedObjectives', () => {
  describe('when no key result ever scored ALIGNED_OBJECTIVES', () => {
    it('is false', () => {
      expect(
        mayRollUpAlignedObjectives([scheduled(), objectiveSet('o'), keyResultAdded('kr', 'o')]),
      ).toBe(false);
    });
  });

  describe('when a key result was added with it or redefined to it', () => {
    it('is true', () => {
      expect(
        mayRollUpAlignedObjectives([keyResultAdded('kr', 'o', { scoring: 'ALIGNED_OBJECTIVES' })]),
      ).toBe(true);
      expect(
        mayRollUpAlignedObjectives([
          keyResultAdded('kr', 'o'),
          event('KeyResultRedefined', {
            keyResultId: 'kr',
            changes: [{ field: 'scoring', from: 'OWN_VALUE', to: 'ALIGNED_OBJECTIVES' }],
            reason: null,
          }),
        ]),
      ).toBe(true);
    });
  });
});

describe('crossCycleClosure', () => {
  describe('when objectives of other cycles were aligned to key results, directly or further down', () => {
    it('answers every cycle below, ignoring parents above and same-cycle alignments', () => {
      const entries = new Map([
        ['top', { cycleId: 'c1', keyResultParentObjectiveIds: [] }],
        ['same', { cycleId: 'c1', keyResultParentObjectiveIds: ['top'] }],
        ['q2', { cycleId: 'c2', keyResultParentObjectiveIds: ['top'] }],
        ['q3', { cycleId: 'c3', keyResultParentObjectiveIds: ['q2'] }],
        ['above', { cycleId: 'c0', keyResultParentObjectiveIds: [] }],
        ['loop-back', { cycleId: 'c1', keyResultParentObjectiveIds: ['q3', 'above'] }],
      ]);
      expect([...crossCycleClosure('c1', entries)].sort()).toEqual(['c2', 'c3']);
      expect([...crossCycleClosure('c0', entries)].sort()).toEqual(['c1', 'c2', 'c3']);
      expect([...crossCycleClosure('c3', entries)]).toEqual(['c1', 'c2']);
    });
  });
});

describe('countsAtValidTime', () => {
  const validAt = new Date('2026-07-15T00:00:00Z');
  const value = (measuredAt: string, at: string) =>
    event('KeyResultCheckedIn', { keyResultId: 'k', value: 1, measuredAt }, { at });
  describe('when a value was measured by the valid time', () => {
    it('counts it, however late it was recorded', () => {
      expect(
        countsAtValidTime(value('2026-07-14T00:00:00Z', '2026-08-01T00:00:00Z'), validAt),
      ).toBe(true);
    });
  });
  describe('when a value was measured after it', () => {
    it('leaves it out, even if recorded before', () => {
      expect(
        countsAtValidTime(value('2026-07-16T00:00:00Z', '2026-07-10T00:00:00Z'), validAt),
      ).toBe(false);
    });
  });
  describe('when the event is a definition or structure', () => {
    it('counts it when recorded by the valid time', () => {
      expect(countsAtValidTime(objectiveSet('o', null), validAt)).toBe(true);
      const later = event(
        'ObjectiveArchived',
        { objectiveId: 'o' },
        { at: '2026-07-15T00:00:01Z' },
      );
      expect(countsAtValidTime(later, validAt)).toBe(false);
    });
  });
  describe('when no valid time is asked', () => {
    it('counts every event', () => {
      expect(countsAtValidTime(value('2099-01-01T00:00:00Z', '2099-01-01T00:00:00Z'), null)).toBe(
        true,
      );
    });
  });
});
