import fc from 'fast-check';
import {
  expectedProgress,
  expectedProgressAt,
  health,
  healthAt,
  healthAtExpected,
  HEALTH_VALUES,
  type HealthInput,
} from './health.score';

const cycle = { cycleStartsAt: '2025-01-01T00:00:00Z', cycleEndsAt: '2025-01-11T00:00:00Z' };
// Half way through the cycle: 0.5 progress is expected.
const halfway = { ...cycle, at: '2025-01-06T00:00:00Z', checkedIn: true };
const at = (input: Partial<HealthInput>) => health({ ...halfway, progress: 0, ...input });

describe('health', () => {
  describe('when nobody has checked in', () => {
    it('is NOT_STARTED, whatever the progress', () => {
      expect(at({ checkedIn: false, progress: 0 })).toBe('NOT_STARTED');
      expect(at({ checkedIn: false, progress: 1 })).toBe('NOT_STARTED');
    });
  });
  describe('when the target is reached', () => {
    it('is DONE', () => {
      expect(at({ progress: 1 })).toBe('DONE');
    });
  });
  describe('when compared with the linear expectation', () => {
    it.each([
      [0.35, 'ON_TRACK'], // r = 0.7
      [0.5, 'ON_TRACK'],
      [0.349, 'AT_RISK'],
      [0.2, 'AT_RISK'], // r = 0.4
      [0.199, 'OFF_TRACK'],
      [0, 'OFF_TRACK'],
    ])('progress %d half way is %s', (progress, expected) => {
      expect(at({ progress })).toBe(expected);
    });
  });
  describe('when nothing is expected yet', () => {
    it('is ON_TRACK at and before the start', () => {
      expect(at({ at: cycle.cycleStartsAt })).toBe('ON_TRACK');
      expect(at({ at: '2024-12-01T00:00:00Z' })).toBe('ON_TRACK');
    });
  });
  describe('when the cycle is over', () => {
    it('expects everything', () => {
      expect(at({ at: '2025-02-01T00:00:00Z', progress: 0.69 })).toBe('AT_RISK');
      expect(at({ at: '2025-02-01T00:00:00Z', progress: 0.7 })).toBe('ON_TRACK');
    });
  });
  describe('when inputs are arbitrary', () => {
    it('always answers one of the Health values', () => {
      fc.assert(
        fc.property(
          fc.double(),
          fc.boolean(),
          fc.date({ noInvalidDate: true }),
          (progress, checkedIn, date) => {
            const value = health({ ...cycle, progress, checkedIn, at: date.toISOString() });
            expect(HEALTH_VALUES).toContain(value);
          },
        ),
      );
    });
  });
});

describe('healthAt', () => {
  describe('when no cycle is known', () => {
    it('keeps NOT_STARTED and DONE, and otherwise nothing is expected yet: ON_TRACK', () => {
      const now = '2025-01-06T00:00:00Z';
      expect(healthAt({ progress: 1, checkedIn: false }, null, now)).toBe('NOT_STARTED');
      expect(healthAt({ progress: 1, checkedIn: true }, null, now)).toBe('DONE');
      expect(healthAt({ progress: 0, checkedIn: true }, null, now)).toBe('ON_TRACK');
    });
  });
  describe('when the cycle is known', () => {
    it('answers as health does', () => {
      const window = { startsAt: cycle.cycleStartsAt, endsAt: cycle.cycleEndsAt };
      expect(healthAt({ progress: 0.2, checkedIn: true }, window, halfway.at)).toBe('AT_RISK');
      expect(at({ progress: 0.2 })).toBe('AT_RISK');
    });
  });
});

describe('healthAtExpected', () => {
  describe('when given expectedProgressAt of the same instants in milliseconds', () => {
    it('answers as healthAt on their ISO strings', () => {
      const instant = fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) });
      fc.assert(
        fc.property(
          fc.oneof(fc.double(), fc.double({ min: 0, max: 1.2, noNaN: true })),
          fc.boolean(),
          instant,
          instant,
          instant,
          (progress, checkedIn, start, end, now) => {
            const window = { startsAt: start.toISOString(), endsAt: end.toISOString() };
            const expected = expectedProgressAt(start.getTime(), end.getTime(), now.getTime());
            expect(healthAtExpected(progress, checkedIn, expected)).toBe(
              healthAt({ progress, checkedIn }, window, now.toISOString()),
            );
          },
        ),
      );
    });
  });
});

describe('expectedProgress', () => {
  describe('when inside the cycle', () => {
    it('grows linearly from 0 to 1', () => {
      expect(
        expectedProgress(cycle.cycleStartsAt, cycle.cycleEndsAt, '2025-01-03T12:00:00Z'),
      ).toBeCloseTo(0.25, 10);
      expect(expectedProgress(cycle.cycleStartsAt, cycle.cycleEndsAt, '2030-01-01T00:00:00Z')).toBe(
        1,
      );
      expect(expectedProgress(cycle.cycleStartsAt, cycle.cycleEndsAt, '2020-01-01T00:00:00Z')).toBe(
        0,
      );
    });
  });
});
