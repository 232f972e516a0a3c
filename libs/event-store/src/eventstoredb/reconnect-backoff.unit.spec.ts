import { reconnectDelay } from './reconnect-backoff';

describe('reconnectDelay', () => {
  describe('when attempts follow each other', () => {
    it('doubles from the initial delay up to the cap (upper bound of the jitter)', () => {
      const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8, 50, 5000].map((attempt) =>
        reconnectDelay(attempt, { initialMs: 100, maxMs: 10_000, random: () => 1 }),
      );
      expect(delays).toEqual([
        100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000, 10_000,
      ]);
    });

    it('waits at least half of each step (lower bound of the jitter)', () => {
      const delays = [0, 3, 20].map((attempt) =>
        reconnectDelay(attempt, { initialMs: 100, maxMs: 10_000, random: () => 0 }),
      );
      expect(delays).toEqual([50, 400, 5000]);
    });
  });

  describe('with the defaults', () => {
    it('starts within 50-100 ms and never exceeds 10 s', () => {
      expect(reconnectDelay(0)).toBeGreaterThanOrEqual(50);
      expect(reconnectDelay(0)).toBeLessThanOrEqual(100);
      expect(reconnectDelay(1000)).toBeLessThanOrEqual(10_000);
    });
  });

  describe('when the attempt is not a whole number ≥ 0', () => {
    it('refuses it', () => {
      expect(() => reconnectDelay(-1)).toThrow(RangeError);
      expect(() => reconnectDelay(0.5)).toThrow(RangeError);
    });
  });
});
