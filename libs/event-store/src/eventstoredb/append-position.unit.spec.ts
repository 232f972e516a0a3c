import { appendPosition, isKnown } from './append-position';

describe('appendPosition', () => {
  describe('when one event was appended and the server answered a position', () => {
    it('is that position: the event’s own in $all', () => {
      expect(appendPosition(1, 4n, { commit: 900n, prepare: 900n })).toEqual({
        kind: 'answered',
        commit: 900n,
        prepare: 900n,
      });
    });
  });

  describe('when several events were appended', () => {
    it('reads the last one back: the answered position is the write’s first prepare', () => {
      expect(appendPosition(3, 7n, { commit: 900n, prepare: 700n })).toEqual({
        kind: 'read-back',
        revision: 7n,
      });
    });
  });

  describe('when the server deduplicated a retry and answered no position', () => {
    it('reads the original last event back at the revision it answered', () => {
      expect(appendPosition(1, 2n, undefined)).toEqual({ kind: 'read-back', revision: 2n });
      expect(appendPosition(1, 2n, { commit: -1n, prepare: -1n })).toEqual({
        kind: 'read-back',
        revision: 2n,
      });
      // -1 on the server reaches the client as the largest unsigned 64-bit number.
      const none = 2n ** 64n - 1n;
      expect(appendPosition(1, 2n, { commit: none, prepare: none })).toEqual({
        kind: 'read-back',
        revision: 2n,
      });
    });
  });
});

describe('isKnown', () => {
  describe('when a position is a real offset or the server’s "none"', () => {
    it('tells them apart', () => {
      expect(isKnown({ commit: 0n, prepare: 0n })).toBe(true);
      expect(isKnown({ commit: 123_456n, prepare: 123_400n })).toBe(true);
      expect(isKnown({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n })).toBe(false);
      expect(isKnown({ commit: 5n, prepare: 2n ** 64n - 1n })).toBe(false);
    });
  });
});
