import { expectedProgressAt, healthAtExpected, type Health } from '@okr-ledger/okr';
import type { CycleView, TimePoint } from '@okr-ledger/read-models';

/**
 * Health at read time (DESIGN §2): it depends on "now" (or the as-of instant, or the valid
 * time asked about), so it is never stored. The rule is libs/okr's `healthAt`; this only reads
 * the view's dates and the clock, as epoch milliseconds (a page asks it once per row, and
 * formatting three ISO strings for `healthAt` to parse back was most of its cost).
 */
export function healthAtReadTime(
  progress: number,
  checkedIn: boolean,
  cycle: CycleView | null,
  at: Date | TimePoint | null,
): Health {
  const instant = at instanceof Date ? at : (at?.validAt ?? at?.asOf ?? null);
  const expected = cycle
    ? expectedProgressAt(
        cycle.startsAt.getTime(),
        cycle.endsAt.getTime(),
        instant === null ? Date.now() : instant.getTime(),
      )
    : 0;
  return healthAtExpected(progress, checkedIn, expected);
}
