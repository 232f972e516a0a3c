import { health, type Health } from '@okr-ledger/okr';
import type { CycleView } from '@okr-ledger/read-models';

/** Health at read time (DESIGN §2): it depends on "now" (or the as-of instant), so never stored. */
export function healthAt(
  progress: number,
  checkedIn: boolean,
  cycle: CycleView | null,
  at: Date | null,
): Health {
  if (!cycle) return checkedIn ? (progress >= 1 ? 'DONE' : 'ON_TRACK') : 'NOT_STARTED';
  return health({
    progress,
    checkedIn,
    cycleStartsAt: cycle.startsAt.toISOString(),
    cycleEndsAt: cycle.endsAt.toISOString(),
    at: (at ?? new Date()).toISOString(),
  });
}
