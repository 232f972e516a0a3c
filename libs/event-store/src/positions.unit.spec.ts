import { comparePositions, formatPosition, parsePosition, START_POSITION } from './positions';

describe('positions', () => {
  describe('when compared as plain strings', () => {
    it('agree with numeric order across digit counts', () => {
      const pairs: [bigint, bigint][] = [
        [9n, 99n],
        [10n, 1n],
        [10n, 2n],
        [123456789n, 0n],
        [2n ** 63n, 5n],
      ];
      const positions = pairs.map(([a, b]) => formatPosition(a, b));
      const numeric = [...pairs].sort(([a1, b1], [a2, b2]) =>
        a1 === a2 ? Number(b1 - b2) : a1 < a2 ? -1 : 1,
      );
      expect([...positions].sort()).toEqual(numeric.map(([a, b]) => formatPosition(a, b)));
      expect([...positions].sort(comparePositions)).toEqual([...positions].sort());
    });

    it('put START_POSITION before every position', () => {
      expect(comparePositions(START_POSITION, formatPosition(0, 1))).toBeLessThan(0);
      expect(comparePositions(START_POSITION, START_POSITION)).toBe(0);
    });
  });

  describe('when parsed', () => {
    it('round-trips and rejects malformed text', () => {
      expect(parsePosition(formatPosition(42n, 7n))).toEqual({ major: 42n, minor: 7n });
      expect(() => parsePosition('42-7')).toThrow(TypeError);
    });
  });
});
