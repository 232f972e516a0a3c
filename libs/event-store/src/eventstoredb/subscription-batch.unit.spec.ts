import { formatPosition, START_POSITION } from '../positions';
import { BatchAccumulator, shouldFlush } from './subscription-batch';

const at = (n: number): string => formatPosition(n, n);

describe('BatchAccumulator', () => {
  describe('when records arrive during catch-up', () => {
    it('fills a batch up to its size and hands it out with the last position', () => {
      const batches = new BatchAccumulator<string>(START_POSITION, 3);
      for (const n of [1, 2, 3]) batches.record(at(n), `e${n}`);
      expect(batches.full).toBe(true);
      expect(batches.take()).toEqual({ events: ['e1', 'e2', 'e3'], checkpoint: at(3) });
      expect(batches.delivered).toBe(at(3));
      expect(batches.take()).toBeNull();
    });
  });

  describe('when records are filtered out or the server sends a checkpoint', () => {
    it('moves the checkpoint past them with an empty batch', () => {
      const batches = new BatchAccumulator<string>(at(1), 10);
      batches.record(at(2), null);
      expect(batches.take()).toEqual({ events: [], checkpoint: at(2) });
      batches.checkpoint(at(9));
      expect(batches.pending).toBe(true);
      expect(batches.take()).toEqual({ events: [], checkpoint: at(9) });
    });

    it('never moves the checkpoint backwards', () => {
      const batches = new BatchAccumulator<string>(at(5), 10);
      batches.checkpoint(at(3));
      expect(batches.pending).toBe(false);
      expect(batches.take()).toBeNull();
    });
  });

  describe('when the server sends again what was delivered (after a reconnection)', () => {
    it('ignores records at or before the checkpoint', () => {
      const batches = new BatchAccumulator<string>(START_POSITION, 10);
      batches.record(at(1), 'e1');
      batches.record(at(2), 'e2');
      batches.take();
      expect(batches.record(at(2), 'again')).toBe(false);
      expect(batches.record(at(1), 'again')).toBe(false);
      expect(batches.record(at(3), 'e3')).toBe(true);
      expect(batches.take()?.events).toEqual(['e3']);
    });
  });

  describe('when the connection drops with a batch half filled', () => {
    it('forgets what was not handed out and resumes after what was', () => {
      const batches = new BatchAccumulator<string>(START_POSITION, 10);
      batches.record(at(1), 'e1');
      batches.take();
      batches.record(at(2), 'e2');
      batches.checkpoint(at(4));
      batches.discardUndelivered();
      expect(batches.delivered).toBe(at(1));
      expect(batches.pending).toBe(false);
      expect(batches.record(at(2), 'e2')).toBe(true);
      expect(batches.take()).toEqual({ events: ['e2'], checkpoint: at(2) });
    });
  });

  describe('when made with a batch size below one', () => {
    it('refuses it', () => {
      expect(() => new BatchAccumulator(START_POSITION, 0)).toThrow(RangeError);
      expect(() => new BatchAccumulator(START_POSITION, 1.5)).toThrow(RangeError);
    });
  });
});

describe('shouldFlush', () => {
  const state = { full: false, pending: true, live: false, buffered: 0 };

  describe('during catch-up', () => {
    it('waits for a full batch even when the client buffer is momentarily empty', () => {
      expect(shouldFlush(state)).toBe(false);
      expect(shouldFlush({ ...state, buffered: 40 })).toBe(false);
      expect(shouldFlush({ ...state, full: true, buffered: 40 })).toBe(true);
    });
  });

  describe('once live', () => {
    it('hands out what arrived as soon as nothing more is buffered', () => {
      expect(shouldFlush({ ...state, live: true })).toBe(true);
      expect(shouldFlush({ ...state, live: true, buffered: 2 })).toBe(false);
      expect(shouldFlush({ ...state, live: true, pending: false })).toBe(false);
    });
  });
});
