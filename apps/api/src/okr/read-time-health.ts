import { healthAt, type Health } from '@okr-ledger/okr';
import type { CycleView, TimePoint } from '@okr-ledger/read-models';

/**
 * Health at read time (DESIGN §2): it depends on "now" (or the as-of instant, or the valid
 * time asked about), so it is never stored. The rule is libs/okr's `healthAt`; this only reads
 * the view's dates and the clock.
 */
export function healthAtReadTime(
  progress: number,
  checkedIn: boolean,
  cycle: CycleView | null,
  at: Date | TimePoint | null,
): Health {
  const window = cycle
    ? { startsAt: cycle.startsAt.toISOString(), endsAt: cycle.endsAt.toISOString() }
    : null;
  const instant = at instanceof Date ? at : (at?.validAt ?? at?.asOf ?? null);
  return healthAt({ progress, checkedIn }, window, (instant ?? new Date()).toISOString());
}
