import { deciderSpec } from '../testing/decider-spec';
import {
  keyResultDecider,
  type AddKeyResult,
  type CheckInKeyResult,
  type KeyResultContext,
} from './key-result.decide';
import type { KeyResultAdded, KeyResultCheckedIn, KeyResultEvent } from './key-result.events';
import { keyResultStream } from './key-result.events';

const given = deciderSpec(keyResultDecider);
const keyResultId = 'd0000000-0000-4000-8000-000000000001';
const objectiveId = 'b0000000-0000-4000-8000-000000000001';
const cycleId = 'c0000000-0000-4000-8000-000000000001';
const objective = { objectiveId, cycleId, status: 'ACTIVE' as const };
const planning: KeyResultContext = { cycleStatus: 'PLANNING', objective };
const active: KeyResultContext = { cycleStatus: 'ACTIVE' };
const closed: KeyResultContext = { cycleStatus: 'CLOSED' };

const definition = {
  title: 'Raise NPS',
  ownerId: null,
  type: 'INCREASE',
  kind: 'OUTCOME',
  startValue: 20,
  targetValue: 50,
  unit: 'points',
  dataSourceUrl: null,
} as const;
const added: KeyResultAdded = {
  type: 'KeyResultAdded',
  data: {
    keyResultId,
    objectiveId,
    cycleId,
    ...definition,
    weight: 1,
    scoring: 'OWN_VALUE',
  },
};
const add = (data: Partial<AddKeyResult['data']> = {}): AddKeyResult => ({
  type: 'AddKeyResult',
  data: { keyResultId, objectiveId, ...definition, ...data },
});
const checkIn = (data: Partial<CheckInKeyResult['data']> = {}): CheckInKeyResult => ({
  type: 'CheckInKeyResult',
  data: {
    keyResultId,
    checkInId: 'e0000000-0000-4000-8000-000000000001',
    value: 30,
    confidence: 0.6,
    plan: 'survey',
    progress: null,
    problems: ' ',
    source: 'MANUAL',
    idempotencyKey: 'k1',
    ...data,
  },
});
const checkedIn: KeyResultCheckedIn = {
  type: 'KeyResultCheckedIn',
  data: {
    keyResultId,
    checkInId: 'e0000000-0000-4000-8000-000000000001',
    value: 30,
    previousValue: 20,
    confidence: 0.6,
    plan: 'survey',
    progress: null,
    problems: null,
    source: 'MANUAL',
    idempotencyKey: 'k1',
  },
};
const graduated: KeyResultEvent = {
  type: 'KeyResultGraduated',
  data: { keyResultId, reason: 'KPI' },
};
const milestone: KeyResultAdded = {
  type: 'KeyResultAdded',
  data: { ...added.data, type: 'MILESTONE', startValue: 0, targetValue: 1 },
};

describe('keyResultDecider', () => {
  describe('when a key result is added', () => {
    it('records KeyResultAdded with weight 1, OWN_VALUE scoring and the objective’s cycle', () => {
      given([]).when(add(), planning).then([added]);
    });
    it('keeps an explicit weight and scoring', () => {
      given([])
        .when(add({ weight: 2, scoring: 'ALIGNED_OBJECTIVES' }), planning)
        .then([{ ...added, data: { ...added.data, weight: 2, scoring: 'ALIGNED_OBJECTIVES' } }]);
    });
    it('reports an objective that does not exist', () => {
      given([]).when(add(), { cycleStatus: 'PLANNING' }).thenNotFound('Objective', objectiveId);
    });
    it('refuses an archived objective', () => {
      given([])
        .when(add(), { cycleStatus: 'ACTIVE', objective: { ...objective, status: 'ARCHIVED' } })
        .thenThrows('OBJECTIVE_ARCHIVED');
    });
    it('refuses a CLOSED cycle', () => {
      given([]).when(add(), { cycleStatus: 'CLOSED', objective }).thenThrows('CYCLE_CLOSED');
    });
    it('refuses adding it twice', () => {
      given([added]).when(add(), planning).thenThrows('ALREADY_EXISTS');
    });
    it.each([
      [{ weight: 0 }, 'weight'],
      [{ weight: -1 }, 'weight'],
      [{ weight: Number.NaN }, 'weight'],
      [{ startValue: Number.POSITIVE_INFINITY }, 'startValue'],
      [{ targetValue: Number.NaN }, 'targetValue'],
      [{ title: '  ' }, 'title'],
      [{ dataSourceUrl: 'ftp://x' }, 'dataSourceUrl'],
      [{ type: 'MILESTONE' as const }, 'startValue'],
      [{ type: 'MILESTONE' as const, startValue: 0, targetValue: 5 }, 'targetValue'],
      [{ type: 'SIDEWAYS' as never }, 'type'],
    ])('refuses %j naming %s', (data, field) => {
      given([]).when(add(data), planning).thenThrows('INVALID_VALUE', field);
    });
    it('accepts a MILESTONE from 0 to 1', () => {
      given([])
        .when(add({ type: 'MILESTONE', startValue: 0, targetValue: 1 }), planning)
        .then([milestone]);
    });
  });

  describe('when a key result is redefined', () => {
    const redefine = (changes: object, reason: string | null = 'scope changed') =>
      ({ type: 'RedefineKeyResult', data: { keyResultId, changes, reason } }) as const;

    it('lists only the fields that really change', () => {
      given([added])
        .when(redefine({ title: 'Raise NPS', targetValue: 60, weight: 1, unit: null }), active)
        .then([
          {
            type: 'KeyResultRedefined',
            data: {
              keyResultId,
              changes: [
                { field: 'targetValue', from: 50, to: 60 },
                { field: 'unit', from: 'points', to: null },
              ],
              reason: 'scope changed',
            },
          },
        ]);
    });
    it('refuses a redefinition that changes nothing', () => {
      given([added])
        .when(redefine({ title: ' Raise NPS ' }), active)
        .thenThrows('NOTHING_CHANGED');
    });
    it('needs a reason once the cycle is ACTIVE', () => {
      given([added])
        .when(redefine({ targetValue: 60 }, '  '), active)
        .thenThrows('REASON_REQUIRED');
    });
    it('needs no reason while the cycle is PLANNING', () => {
      given([added])
        .when(redefine({ targetValue: 60 }, null), planning)
        .then([
          {
            type: 'KeyResultRedefined',
            data: {
              keyResultId,
              changes: [{ field: 'targetValue', from: 50, to: 60 }],
              reason: null,
            },
          },
        ]);
    });
    it('refuses a redefinition in a CLOSED cycle', () => {
      given([added])
        .when(redefine({ targetValue: 60 }), closed)
        .thenThrows('CYCLE_CLOSED');
    });
    it('refuses a redefinition of a graduated key result', () => {
      given([added, graduated])
        .when(redefine({ targetValue: 60 }), active)
        .thenThrows('KEY_RESULT_GRADUATED');
    });
    it('refuses turning it into a MILESTONE that does not go from 0 to 1', () => {
      given([added])
        .when(redefine({ type: 'MILESTONE' }), active)
        .thenThrows('INVALID_VALUE', 'startValue');
    });
    it('refuses a zero weight', () => {
      given([added])
        .when(redefine({ weight: 0 }), active)
        .thenThrows('INVALID_VALUE', 'weight');
    });
    it('reports a key result that does not exist', () => {
      given([])
        .when(redefine({ weight: 2 }), active)
        .thenNotFound('KeyResult', keyResultId);
    });
  });

  describe('when someone checks in', () => {
    it('records value, previous value, confidence and the note, blank parts as null', () => {
      given([added]).when(checkIn(), active).then([checkedIn]);
    });
    it('records nothing for an idempotency key already used', () => {
      given([added, checkedIn])
        .when(checkIn({ value: 45, checkInId: 'other' }), active)
        .then([]);
    });
    it('answers a repeated key with nothing even after the cycle closed', () => {
      given([added, checkedIn]).when(checkIn(), closed).then([]);
    });
    it('records a check-in without an idempotency key every time', () => {
      const withoutKey = checkIn({ idempotencyKey: null });
      given([added, { ...checkedIn, data: { ...checkedIn.data, idempotencyKey: null } }])
        .when(withoutKey, active)
        .then([
          { ...checkedIn, data: { ...checkedIn.data, idempotencyKey: null, previousValue: 30 } },
        ]);
    });
    it('refuses a check-in in a CLOSED cycle', () => {
      given([added]).when(checkIn(), closed).thenThrows('CYCLE_CLOSED');
    });
    it('still accepts check-ins on a graduated key result (a monitored metric)', () => {
      given([added, graduated]).when(checkIn(), active).then([checkedIn]);
    });
    it.each([
      [{ value: Number.NaN }, 'value'],
      [{ value: Number.NEGATIVE_INFINITY }, 'value'],
      [{ confidence: 1.01 }, 'confidence'],
      [{ confidence: -0.1 }, 'confidence'],
      [{ confidence: Number.NaN }, 'confidence'],
      [{ source: 'EMAIL' as never }, 'source'],
    ])('refuses %j naming %s', (data, field) => {
      given([added]).when(checkIn(data), active).thenThrows('INVALID_VALUE', field);
    });
    it('refuses a MILESTONE value other than 0 or 1', () => {
      given([milestone])
        .when(checkIn({ value: 0.5 }), active)
        .thenThrows('INVALID_VALUE', 'value');
    });
    it('reports a key result that does not exist', () => {
      given([]).when(checkIn(), active).thenNotFound('KeyResult', keyResultId);
    });
  });

  describe('when a key result graduates', () => {
    const graduate = (reason: string | null) =>
      ({ type: 'GraduateKeyResult', data: { keyResultId, reason } }) as const;
    it('records KeyResultGraduated', () => {
      given([added]).when(graduate('KPI'), active).then([graduated]);
    });
    it('needs a reason once the cycle is ACTIVE', () => {
      given([added]).when(graduate(null), active).thenThrows('REASON_REQUIRED');
    });
    it('refuses graduating twice', () => {
      given([added, graduated]).when(graduate('again'), active).thenThrows('KEY_RESULT_GRADUATED');
    });
    it('refuses graduating in a CLOSED cycle', () => {
      given([added]).when(graduate('KPI'), closed).thenThrows('CYCLE_CLOSED');
    });
  });

  describe('when initiatives are added and completed', () => {
    const initiativeId = 'f0000000-0000-4000-8000-000000000001';
    const addInitiative = (dueDate: string | null) =>
      ({
        type: 'AddInitiative',
        data: { keyResultId, initiativeId, title: 'Survey', dueDate },
      }) as const;
    const initiativeAdded: KeyResultEvent = {
      type: 'InitiativeAdded',
      data: { keyResultId, initiativeId, title: 'Survey', dueDate: '2025-02-01' },
    };
    const complete = { type: 'CompleteInitiative', data: { keyResultId, initiativeId } } as const;

    it('records InitiativeAdded', () => {
      given([added]).when(addInitiative('2025-02-01'), active).then([initiativeAdded]);
    });
    it('refuses a due date that is no ISO date', () => {
      given([added])
        .when(addInitiative('01/02/2025'), active)
        .thenThrows('INVALID_VALUE', 'dueDate');
    });
    it('refuses the same initiative twice', () => {
      given([added, initiativeAdded])
        .when(addInitiative(null), active)
        .thenThrows('ALREADY_EXISTS', 'initiativeId');
    });
    it('records InitiativeCompleted', () => {
      given([added, initiativeAdded])
        .when(complete, active)
        .then([{ type: 'InitiativeCompleted', data: { keyResultId, initiativeId } }]);
    });
    it('refuses completing it twice', () => {
      given([
        added,
        initiativeAdded,
        { type: 'InitiativeCompleted', data: { keyResultId, initiativeId } },
      ])
        .when(complete, active)
        .thenThrows('NOTHING_CHANGED');
    });
    it('reports an initiative that does not exist', () => {
      given([added]).when(complete, active).thenNotFound('Initiative', initiativeId);
    });
    it('refuses initiatives in a CLOSED cycle', () => {
      given([added]).when(addInitiative(null), closed).thenThrows('CYCLE_CLOSED');
    });
    it('never moves the current value', () => {
      const state = [added, initiativeAdded].reduce(
        keyResultDecider.evolve,
        keyResultDecider.initialState(),
      );
      expect(state?.currentValue).toBe(20);
      expect(state?.initiatives.get(initiativeId)?.completed).toBe(false);
    });
  });

  describe('when folding its events', () => {
    it('starts at the start value, follows it until the first check-in, then the check-ins', () => {
      const fold = (events: KeyResultEvent[]) =>
        events.reduce(keyResultDecider.evolve, keyResultDecider.initialState());
      const restarted: KeyResultEvent = {
        type: 'KeyResultRedefined',
        data: { keyResultId, changes: [{ field: 'startValue', from: 20, to: 25 }], reason: null },
      };
      expect(fold([added])?.currentValue).toBe(20);
      expect(fold([added, restarted])?.currentValue).toBe(25);
      const after = fold([added, checkedIn, restarted]);
      expect(after?.currentValue).toBe(30);
      expect(after?.startValue).toBe(25);
      expect(after?.checkInIdsByIdempotencyKey.get('k1')).toBe(checkedIn.data.checkInId);
      expect(keyResultStream(keyResultId)).toBe(`key-result-${keyResultId}`);
    });
    it('keeps the last stated confidence when a check-in states none', () => {
      const quiet: KeyResultEvent = {
        ...checkedIn,
        data: { ...checkedIn.data, confidence: null, idempotencyKey: null, checkInId: 'x' },
      };
      const state = [added, checkedIn, quiet].reduce(
        keyResultDecider.evolve,
        keyResultDecider.initialState(),
      );
      expect(state?.confidence).toBe(0.6);
      expect(state?.checkInCount).toBe(2);
      expect(state?.lastCheckInId).toBe('x');
    });
  });
});
