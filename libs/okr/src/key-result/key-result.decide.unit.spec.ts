import { deciderSpec } from '../testing/decider-spec';
import {
  assessMeasurement,
  keyResultDecider,
  type AddKeyResult,
  type CheckInKeyResult,
  type KeyResultContext,
  type KeyResultMeasurement,
  type RecordMeasurements,
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
    measuredAt: '2026-07-10T09:00:00Z',
    now: '2026-07-10T09:00:00Z',
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
    measuredAt: '2026-07-10T09:00:00.000Z',
    dataSourceId: null,
    externalId: null,
    correctsCheckInId: null,
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
    it('records a measuredAt in the past as stated, as an ISO-8601 UTC instant', () => {
      given([added])
        .when(checkIn({ measuredAt: '2026-07-03T12:00:00Z' }), active)
        .then([
          { ...checkedIn, data: { ...checkedIn.data, measuredAt: '2026-07-03T12:00:00.000Z' } },
        ]);
    });
    it('accepts a measuredAt ahead of now by the clock skew', () => {
      given([added])
        .when(checkIn({ measuredAt: '2026-07-10T09:05:00Z' }), active)
        .then([
          { ...checkedIn, data: { ...checkedIn.data, measuredAt: '2026-07-10T09:05:00.000Z' } },
        ]);
    });
    it('refuses a measuredAt further in the future, naming the field', () => {
      given([added])
        .when(checkIn({ measuredAt: '2026-07-10T09:05:00.001Z' }), active)
        .thenThrows('MEASURED_IN_FUTURE', 'measuredAt');
    });
    it('refuses a measuredAt that is no UTC instant', () => {
      given([added])
        .when(checkIn({ measuredAt: '2026-02-30T00:00:00Z' }), active)
        .thenThrows('INVALID_VALUE', 'measuredAt');
    });
  });

  describe('when a data source records measurements', () => {
    const dataSourceId = 'a0000000-0000-4000-8000-00000000000d';
    const now = '2026-07-10T12:00:00.000Z';
    const measurement = (data: Partial<KeyResultMeasurement> = {}): KeyResultMeasurement => ({
      checkInId: 'e0000000-0000-4000-8000-0000000000a1',
      value: 35,
      measuredAt: '2026-07-10T00:00:00Z',
      externalId: 'ext-1',
      note: ' nightly import ',
      ...data,
    });
    const record = (...measurements: KeyResultMeasurement[]): RecordMeasurements => ({
      type: 'RecordMeasurements',
      data: { keyResultId, dataSourceId, measurements, now },
    });
    const measured = (data: Partial<KeyResultCheckedIn['data']> = {}): KeyResultCheckedIn => ({
      type: 'KeyResultCheckedIn',
      data: {
        keyResultId,
        checkInId: 'e0000000-0000-4000-8000-0000000000a1',
        value: 35,
        previousValue: 20,
        confidence: null,
        plan: null,
        progress: 'nightly import',
        problems: null,
        source: 'INTEGRATION',
        idempotencyKey: null,
        measuredAt: '2026-07-10T00:00:00.000Z',
        dataSourceId,
        externalId: 'ext-1',
        correctsCheckInId: null,
        ...data,
      },
    });
    const closedAt = '2026-07-10T06:00:00.000Z';
    const closedWithTime: KeyResultContext = { cycleStatus: 'CLOSED', cycleClosedAt: closedAt };

    it('records one INTEGRATION check-in per new value, the note as its progress note', () => {
      given([added])
        .when(
          record(
            measurement(),
            measurement({
              checkInId: 'b2',
              value: 40,
              measuredAt: '2026-07-10T01:00:00Z',
              note: null,
            }),
          ),
          active,
        )
        .then([
          measured(),
          measured({
            checkInId: 'b2',
            value: 40,
            previousValue: 35,
            measuredAt: '2026-07-10T01:00:00.000Z',
            progress: null,
          }),
        ]);
    });
    it('records nothing for the same value at the same instant again (written another way)', () => {
      given([added, measured()])
        .when(
          record(measurement({ checkInId: 'again', measuredAt: '2026-07-10T00:00:00.000Z' })),
          active,
        )
        .then([]);
    });
    it('records another value for the same instant as a correction of the first', () => {
      given([added, measured()])
        .when(record(measurement({ checkInId: 'fix', value: 36 })), active)
        .then([
          measured({
            checkInId: 'fix',
            value: 36,
            previousValue: 35,
            correctsCheckInId: 'e0000000-0000-4000-8000-0000000000a1',
          }),
        ]);
    });
    it('corrects the latest value of that instant, and answers a resend of it with nothing', () => {
      const fix = measured({
        checkInId: 'fix',
        value: 36,
        correctsCheckInId: measured().data.checkInId,
      });
      given([added, measured(), fix])
        .when(
          record(
            measurement({ checkInId: 'back', value: 35 }),
            measurement({ checkInId: 'x', value: 35 }),
          ),
          active,
        )
        .then([measured({ checkInId: 'back', previousValue: 36, correctsCheckInId: 'fix' })]);
    });
    it('does not take another data source’s value for the same instant as a correction', () => {
      const other = measured({ dataSourceId: 'other-source', checkInId: 'o1' });
      given([added, other])
        .when(record(measurement({ checkInId: 'mine', value: 37 })), active)
        .then([measured({ checkInId: 'mine', value: 37, previousValue: 35 })]);
    });
    it('records a late value (measured before the current one) with the current value as previous', () => {
      given([added, measured()])
        .when(
          record(measurement({ checkInId: 'late', value: 25, measuredAt: '2026-07-01T00:00:00Z' })),
          active,
        )
        .then([
          measured({
            checkInId: 'late',
            value: 25,
            previousValue: 35,
            measuredAt: '2026-07-01T00:00:00.000Z',
          }),
        ]);
    });
    it('refuses each bad measurement on its own and records the others', () => {
      given([added])
        .when(
          record(
            measurement({ checkInId: 'f', measuredAt: '2026-07-10T12:05:00.001Z' }),
            measurement({ checkInId: 'n', value: Number.NaN }),
            measurement({ checkInId: 'i', measuredAt: 'yesterday' }),
            measurement(),
          ),
          active,
        )
        .then([measured()]);
    });
    it('accepts in a CLOSED cycle a value measured by the close, as a late value', () => {
      given([added])
        .when(record(measurement({ measuredAt: closedAt })), closedWithTime)
        .then([measured({ measuredAt: closedAt })]);
    });
    it('refuses in a CLOSED cycle a value measured after the close', () => {
      given([added])
        .when(record(measurement({ measuredAt: '2026-07-10T06:00:00.001Z' })), closedWithTime)
        .then([]);
    });
    it('refuses everything in a CLOSED cycle whose close time is not known', () => {
      given([added]).when(record(measurement()), closed).then([]);
    });
    it('reports a key result that does not exist', () => {
      given([]).when(record(measurement()), active).thenNotFound('KeyResult', keyResultId);
    });
    it('refuses a blank data source id', () => {
      given([added])
        .when({ ...record(measurement()), data: { ...record().data, dataSourceId: ' ' } }, active)
        .thenThrows('INVALID_VALUE', 'dataSourceId');
    });

    describe('assessMeasurement', () => {
      const fold = (events: KeyResultEvent[]) => {
        const state = events.reduce(keyResultDecider.evolve, keyResultDecider.initialState());
        if (state === null) throw new Error('no key result');
        return state;
      };
      const open = { status: 'ACTIVE', closedAt: null } as const;
      const assess = (
        events: KeyResultEvent[],
        data: Partial<KeyResultMeasurement>,
        cycle: Parameters<typeof assessMeasurement>[1] = open,
      ) => assessMeasurement(fold(events), cycle, { ...measurement(data), dataSourceId }, now);

      it('accepts and records a new value', () => {
        expect(assess([added], {})).toEqual({
          accepted: true,
          checkInId: measurement().checkInId,
          recorded: true,
          correctsCheckInId: null,
        });
      });
      it('accepts a repeated value without recording it, answering the first check-in', () => {
        expect(assess([added, measured()], { checkInId: 'again' })).toEqual({
          accepted: true,
          checkInId: measured().data.checkInId,
          recorded: false,
          correctsCheckInId: null,
        });
      });
      it('answers a repeated value even after the cycle closed before its instant', () => {
        expect(
          assess([added, measured()], {}, { status: 'CLOSED', closedAt: '2026-07-09T00:00:00Z' }),
        ).toMatchObject({ accepted: true, recorded: false });
      });
      it('names the value it corrects', () => {
        expect(assess([added, measured()], { checkInId: 'fix', value: 1 })).toEqual({
          accepted: true,
          checkInId: 'fix',
          recorded: true,
          correctsCheckInId: measured().data.checkInId,
        });
      });
      it.each([
        [{ measuredAt: '2026-07-10' }, 'MEASURED_AT_INVALID'],
        [{ measuredAt: '2026-07-10T12:05:00.001Z' }, 'MEASURED_IN_FUTURE'],
        [{ value: Number.POSITIVE_INFINITY }, 'VALUE_NOT_FINITE'],
      ] as const)('refuses %j as %s', (data, reason) => {
        expect(assess([added], data)).toEqual({ accepted: false, reason });
      });
      it('refuses a MILESTONE value other than 0 or 1 as VALUE_NOT_MILESTONE', () => {
        expect(assess([milestone], { value: 2 })).toEqual({
          accepted: false,
          reason: 'VALUE_NOT_MILESTONE',
        });
      });
      it('refuses a value measured after the close as CYCLE_CLOSED', () => {
        expect(
          assess([added], {}, { status: 'CLOSED', closedAt: '2026-07-09T23:59:59.999Z' }),
        ).toEqual({ accepted: false, reason: 'CYCLE_CLOSED' });
      });
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
    it('keeps the value with the latest measuredAt: a late value fills history only', () => {
      const late: KeyResultEvent = {
        ...checkedIn,
        data: {
          ...checkedIn.data,
          checkInId: 'late',
          value: 25,
          idempotencyKey: null,
          measuredAt: '2026-07-01T00:00:00.000Z',
        },
      };
      const state = [added, checkedIn, late].reduce(
        keyResultDecider.evolve,
        keyResultDecider.initialState(),
      );
      expect(state?.currentValue).toBe(30);
      expect(state?.currentMeasuredAt).toBe('2026-07-10T09:00:00.000Z');
      expect(state?.checkInCount).toBe(2);
      expect(state?.lastCheckInId).toBe('late');
    });
    it('lets the later recorded of two values for the same instant be current', () => {
      const same: KeyResultEvent = {
        ...checkedIn,
        data: { ...checkedIn.data, checkInId: 'same', value: 33, idempotencyKey: null },
      };
      const state = [added, checkedIn, same].reduce(
        keyResultDecider.evolve,
        keyResultDecider.initialState(),
      );
      expect(state?.currentValue).toBe(33);
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
