import {
  currentMeasured,
  measuredBy,
  measuredValidAt,
  replacesCurrent,
  type Measured,
} from './valid-time.score';

const at = (measuredAt: string, value: number) => ({ measuredAt, value });

describe('valid time', () => {
  describe('replacesCurrent', () => {
    describe('when nothing is current yet', () => {
      it('makes the first value current', () => {
        expect(replacesCurrent(at('2026-07-01T00:00:00Z', 1), null)).toBe(true);
      });
    });
    describe('when the new value was measured later', () => {
      it('replaces the current one', () => {
        expect(replacesCurrent(at('2026-07-02T00:00:00Z', 1), at('2026-07-01T00:00:00Z', 2))).toBe(
          true,
        );
      });
    });
    describe('when the new value was measured earlier (a late value)', () => {
      it('does not replace the current one', () => {
        expect(replacesCurrent(at('2026-06-30T00:00:00Z', 1), at('2026-07-01T00:00:00Z', 2))).toBe(
          false,
        );
      });
    });
    describe('when both were measured at the same instant, written differently', () => {
      it('lets the later recorded win (a correction)', () => {
        expect(
          replacesCurrent(at('2026-07-01T00:00:00.000Z', 1), at('2026-07-01T00:00:00Z', 2)),
        ).toBe(true);
      });
    });
  });

  describe('measuredBy', () => {
    it('counts a value measured at or before the instant, not after', () => {
      const value: Measured = { measuredAt: '2026-07-01T12:00:00Z' };
      expect(measuredBy(value, '2026-07-01T12:00:00.000Z')).toBe(true);
      expect(measuredBy(value, '2026-07-02T00:00:00Z')).toBe(true);
      expect(measuredBy(value, '2026-07-01T11:59:59.999Z')).toBe(false);
    });
  });

  describe('currentMeasured', () => {
    describe('given values in recorded order, one of them late', () => {
      const values = [
        at('2026-07-01T00:00:00Z', 10),
        at('2026-07-08T00:00:00Z', 20),
        at('2026-07-03T00:00:00Z', 15), // recorded last, measured between the two
      ];
      it('answers the latest measured, not the last recorded', () => {
        expect(currentMeasured(values)).toEqual(at('2026-07-08T00:00:00Z', 20));
      });
    });
    describe('given two values for the same instant', () => {
      it('answers the later recorded', () => {
        expect(
          currentMeasured([at('2026-07-08T00:00:00Z', 20), at('2026-07-08T00:00:00Z', 21)]),
        ).toEqual(at('2026-07-08T00:00:00Z', 21));
      });
    });
    describe('given no values', () => {
      it('answers null', () => {
        expect(currentMeasured([])).toBeNull();
      });
    });
  });

  describe('measuredValidAt', () => {
    const values = [
      at('2026-07-01T00:00:00Z', 10),
      at('2026-07-08T00:00:00Z', 20),
      at('2026-07-03T00:00:00Z', 15),
    ];
    describe('when asked between two measurements', () => {
      it('answers the latest measured by then, whenever it was recorded', () => {
        expect(measuredValidAt(values, '2026-07-05T00:00:00Z')).toEqual(
          at('2026-07-03T00:00:00Z', 15),
        );
      });
    });
    describe('when asked exactly at a measurement', () => {
      it('includes it', () => {
        expect(measuredValidAt(values, '2026-07-08T00:00:00Z')).toEqual(
          at('2026-07-08T00:00:00Z', 20),
        );
      });
    });
    describe('when asked before every measurement', () => {
      it('answers null', () => {
        expect(measuredValidAt(values, '2026-06-30T23:59:59Z')).toBeNull();
      });
    });
    describe('when asked after every measurement', () => {
      it('answers what currentMeasured answers', () => {
        expect(measuredValidAt(values, '2027-01-01T00:00:00Z')).toEqual(currentMeasured(values));
      });
    });
  });
});
