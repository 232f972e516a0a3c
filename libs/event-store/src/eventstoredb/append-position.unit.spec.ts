import { appendPosition } from './append-position';

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
    });
  });
});
