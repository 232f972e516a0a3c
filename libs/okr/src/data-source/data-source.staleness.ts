const HOUR_MS = 3_600_000;

/** What staleness looks at: how often a value is expected and when the last one came. */
export interface Freshness {
  readonly expectedIntervalHours: number;
  /** The instant of the latest value (its measuredAt); null before the first. */
  readonly lastValueAt: Date | null;
  /** When the feed began (the data source's registration): the clock runs from there. */
  readonly since: Date;
  /** A revoked source feeds nothing any more: neither it nor its key results are stale by it. */
  readonly revoked?: boolean;
}

/**
 * The staleness rule, the only one: stale once longer than the expected interval has passed
 * without a value (counted from the registration until the first value arrives). Exactly the
 * interval is still fresh. A data source and an integration-fed key result both use it.
 */
export function isStale(freshness: Freshness, now: Date): boolean {
  if (freshness.revoked === true) return false;
  const from = freshness.lastValueAt ?? freshness.since;
  return now.getTime() - from.getTime() > freshness.expectedIntervalHours * HOUR_MS;
}

/**
 * A key result fed by several sources: fresh while any of them keeps it fresh (each with its
 * own interval and the last value it sent); not integration-fed (no source that is not
 * revoked) is never stale.
 */
export function isFeedStale(feeds: readonly Freshness[], now: Date): boolean {
  const active = feeds.filter((feed) => feed.revoked !== true);
  return active.length > 0 && active.every((feed) => isStale(feed, now));
}
