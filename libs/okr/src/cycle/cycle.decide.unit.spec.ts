import { deciderSpec } from '../testing/decider-spec';
import { cycleDecider } from './cycle.decide';
import type { CycleEvent, CycleScheduled } from './cycle.events';
import { cycleStream } from './cycle.events';
import { evolveCycle, initialCycleState } from './cycle.state';

const given = deciderSpec(cycleDecider);
const cycleId = 'c0000000-0000-4000-8000-000000000001';
const scheduled: CycleScheduled = {
  type: 'CycleScheduled',
  data: { cycleId, name: 'Q1', startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-04-01T00:00:00Z' },
};
const started: CycleEvent = { type: 'CycleStarted', data: { cycleId } };
const closed: CycleEvent = { type: 'CycleClosed', data: { cycleId } };
const schedule = (startsAt: string, endsAt: string) =>
  ({ type: 'ScheduleCycle', data: { cycleId, name: 'Q1', startsAt, endsAt } }) as const;

describe('cycleDecider', () => {
  describe('when a cycle is scheduled', () => {
    it('records CycleScheduled', () => {
      given([]).when(schedule('2025-01-01T00:00:00Z', '2025-04-01T00:00:00Z')).then([scheduled]);
    });
    it('refuses an end before the start', () => {
      given([])
        .when(schedule('2025-04-01T00:00:00Z', '2025-01-01T00:00:00Z'))
        .thenThrows('INVALID_CYCLE_DATES', 'endsAt');
    });
    it('refuses an end equal to the start', () => {
      given([])
        .when(schedule('2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'))
        .thenThrows('INVALID_CYCLE_DATES');
    });
    it.each([
      ['2025-01-01', 'startsAt'],
      ['2025-01-01T00:00:00+02:00', 'startsAt'],
      ['2025-02-30T00:00:00Z', 'startsAt'],
      ['yesterday', 'startsAt'],
    ])('refuses %s as a start that is no UTC instant', (startsAt, field) => {
      given([]).when(schedule(startsAt, '2025-04-01T00:00:00Z')).thenThrows('INVALID_VALUE', field);
    });
    it('refuses scheduling it twice', () => {
      given([scheduled])
        .when(schedule('2025-01-01T00:00:00Z', '2025-04-01T00:00:00Z'))
        .thenThrows('ALREADY_EXISTS');
    });
  });

  describe('when a cycle is started', () => {
    it('moves PLANNING to ACTIVE', () => {
      given([scheduled]).when({ type: 'StartCycle', data: { cycleId } }).then([started]);
    });
    it('refuses starting it again', () => {
      given([scheduled, started])
        .when({ type: 'StartCycle', data: { cycleId } })
        .thenThrows('INVALID_CYCLE_TRANSITION');
    });
    it('refuses starting a closed cycle', () => {
      given([scheduled, started, closed])
        .when({ type: 'StartCycle', data: { cycleId } })
        .thenThrows('INVALID_CYCLE_TRANSITION');
    });
    it('reports a cycle that does not exist', () => {
      given([]).when({ type: 'StartCycle', data: { cycleId } }).thenNotFound('Cycle', cycleId);
    });
  });

  describe('when a cycle is closed', () => {
    it('moves ACTIVE to CLOSED', () => {
      given([scheduled, started]).when({ type: 'CloseCycle', data: { cycleId } }).then([closed]);
    });
    it('refuses closing a cycle still in PLANNING', () => {
      given([scheduled])
        .when({ type: 'CloseCycle', data: { cycleId } })
        .thenThrows('INVALID_CYCLE_TRANSITION');
    });
    it('refuses closing it twice', () => {
      given([scheduled, started, closed])
        .when({ type: 'CloseCycle', data: { cycleId } })
        .thenThrows('INVALID_CYCLE_TRANSITION');
    });
  });

  describe('when folding its events', () => {
    it('follows the status', () => {
      const fold = (events: CycleEvent[]) => events.reduce(evolveCycle, initialCycleState());
      expect(fold([scheduled])?.status).toBe('PLANNING');
      expect(fold([scheduled, started])?.status).toBe('ACTIVE');
      expect(fold([scheduled, started, closed])).toEqual({ ...scheduled.data, status: 'CLOSED' });
      expect(cycleStream(cycleId)).toBe(`cycle-${cycleId}`);
    });
  });
});
