import { isFeedStale, isStale } from './data-source.staleness';

const registeredAt = new Date('2026-01-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

describe('isStale', () => {
  describe('when no value has come yet', () => {
    it('counts from the registration: fresh within the interval, stale after it', () => {
      const feed = { expectedIntervalHours: 24, lastValueAt: null, since: registeredAt };
      expect(isStale(feed, at('2026-01-01T23:59:59Z'))).toBe(false);
      expect(isStale(feed, at('2026-01-02T00:00:01Z'))).toBe(true);
    });
  });
  describe('when a value came', () => {
    it('counts from the last value, and exactly the interval is still fresh', () => {
      const feed = {
        expectedIntervalHours: 1.5,
        lastValueAt: at('2026-01-10T12:00:00Z'),
        since: registeredAt,
      };
      expect(isStale(feed, at('2026-01-10T13:30:00Z'))).toBe(false);
      expect(isStale(feed, at('2026-01-10T13:30:00.001Z'))).toBe(true);
    });
  });
  describe('when the source is revoked', () => {
    it('is never stale', () => {
      const feed = {
        expectedIntervalHours: 1,
        lastValueAt: null,
        since: registeredAt,
        revoked: true,
      };
      expect(isStale(feed, at('2027-01-01T00:00:00Z'))).toBe(false);
    });
  });
});

describe('isFeedStale', () => {
  const now = at('2026-01-03T00:00:00Z');
  const old = { expectedIntervalHours: 24, lastValueAt: null, since: registeredAt };
  const fresh = {
    expectedIntervalHours: 24,
    lastValueAt: at('2026-01-02T12:00:00Z'),
    since: registeredAt,
  };

  describe('when a key result has no data source', () => {
    it('is not stale', () => {
      expect(isFeedStale([], now)).toBe(false);
    });
  });
  describe('when several sources feed it', () => {
    it('is fresh while any keeps it fresh, stale when all are late', () => {
      expect(isFeedStale([old, fresh], now)).toBe(false);
      expect(isFeedStale([old, old], now)).toBe(true);
    });
    it('ignores revoked sources', () => {
      expect(isFeedStale([{ ...fresh, revoked: true }, old], now)).toBe(true);
      expect(isFeedStale([{ ...old, revoked: true }], now)).toBe(false);
    });
  });
});
