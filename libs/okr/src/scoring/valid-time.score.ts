/**
 * Valid time (ADR 0014): every value carries `measuredAt`, when it was true, beside the time the
 * ledger recorded it. The current value is the one with the latest `measuredAt`; of values for
 * the same instant the later recorded wins (a correction). A late value for an earlier instant
 * fills history without overriding a newer one. The fold, the projections and time travel all
 * decide with these functions, so a value is current in exactly one way.
 */

/** Anything that was true at an instant (an ISO-8601 UTC string). */
export interface Measured {
  readonly measuredAt: string;
}

const instantOf = (iso: string): number => Date.parse(iso);

/**
 * Whether `next`, recorded after `current`, becomes the current value: unless it was measured
 * earlier, it does (nothing current yet, the same instant, later). An instant that cannot be
 * read falls back to recorded order, release 1's rule.
 */
export function replacesCurrent(next: Measured, current: Measured | null): boolean {
  return current === null || !(instantOf(next.measuredAt) < instantOf(current.measuredAt));
}

/** Whether a value counts for what was true at `validAt`: it was measured at or before it. */
export function measuredBy(value: Measured, validAt: string): boolean {
  return instantOf(value.measuredAt) <= instantOf(validAt);
}

/** The current value among values given in recorded order; null when there are none. */
export function currentMeasured<T extends Measured>(inRecordedOrder: Iterable<T>): T | null {
  let current: T | null = null;
  for (const value of inRecordedOrder) if (replacesCurrent(value, current)) current = value;
  return current;
}

/**
 * The value true at `validAt` among values given in recorded order (those known): the latest
 * measured at or before it, whenever it was recorded; null when none was measured by then.
 */
export function measuredValidAt<T extends Measured>(
  inRecordedOrder: Iterable<T>,
  validAt: string,
): T | null {
  let current: T | null = null;
  for (const value of inRecordedOrder) {
    if (measuredBy(value, validAt) && replacesCurrent(value, current)) current = value;
  }
  return current;
}
