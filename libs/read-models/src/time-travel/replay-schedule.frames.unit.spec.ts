import { replayInstants } from './replay-schedule.frames';
import { InvalidReplayRange, TooManyReplayFrames } from './time-travel.errors';

const d = (iso: string): Date => new Date(`${iso}Z`);
function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
const iso = (dates: Date[]): string[] => dates.map((x) => x.toISOString().slice(0, 16));

describe('replayInstants', () => {
  describe('when from equals to', () => {
    it('gives exactly one instant', () => {
      expect(iso(replayInstants(d('2026-07-01T10:00'), d('2026-07-01T10:00'), 'WEEK'))).toEqual([
        '2026-07-01T10:00',
      ]);
    });
  });

  describe('when to falls between two steps', () => {
    it('adds a last instant at to', () => {
      expect(iso(replayInstants(d('2026-07-01T00:00'), d('2026-07-16T12:00'), 'WEEK'))).toEqual([
        '2026-07-01T00:00',
        '2026-07-08T00:00',
        '2026-07-15T00:00',
        '2026-07-16T12:00',
      ]);
    });
  });

  describe('when a step lands exactly on to', () => {
    it('does not repeat it', () => {
      expect(iso(replayInstants(d('2026-07-01T00:00'), d('2026-07-03T00:00'), 'DAY'))).toEqual([
        '2026-07-01T00:00',
        '2026-07-02T00:00',
        '2026-07-03T00:00',
      ]);
    });
  });

  describe('when the range crosses a daylight-saving change', () => {
    it('keeps steps of exactly 24 hours in UTC', () => {
      const instants = replayInstants(d('2026-10-24T00:00'), d('2026-10-27T00:00'), 'DAY');
      expect(instants.map((x) => x.getUTCHours())).toEqual([0, 0, 0, 0]);
    });
  });

  describe('when to is before from or not a date', () => {
    it('throws InvalidReplayRange naming the field to', () => {
      expect(() => replayInstants(d('2026-07-02T00:00'), d('2026-07-01T00:00'), 'DAY')).toThrow(
        InvalidReplayRange,
      );
      expect(
        thrownBy(() => replayInstants(d('2026-07-02T00:00'), new Date(Number.NaN), 'DAY')),
      ).toMatchObject({
        rule: 'INVALID_VALUE',
        field: 'to',
      });
    });
  });

  describe('when the range needs more frames than allowed', () => {
    it('throws TooManyReplayFrames with the count, and accepts the count at the cap', () => {
      const from = d('2026-01-01T00:00');
      const to = d('2026-01-10T00:00');
      expect(replayInstants(from, to, 'DAY', 10)).toHaveLength(10);
      expect(thrownBy(() => replayInstants(from, to, 'DAY', 9))).toMatchObject({
        frames: 10,
        maxFrames: 9,
      });
      expect(() => replayInstants(from, to, 'DAY', 9)).toThrow(TooManyReplayFrames);
    });
  });
});
