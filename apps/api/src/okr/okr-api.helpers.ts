import { health, type Health } from '@okr-ledger/okr';
import { InvalidCursor, type CycleView } from '@okr-ledger/read-models';
import { BadUserInputError, NotFoundError } from '../errors/api.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot exist, so lookups skip it instead of asking SQL. */
export const isUuid = (id: string): boolean => UUID.test(id);

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

/** A cursor this connection did not hand out is bad input on the `after` argument. */
export async function withCursorCheck<T>(page: Promise<T>, path = 'after'): Promise<T> {
  try {
    return await page;
  } catch (error) {
    if (error instanceof InvalidCursor) {
      throw new BadUserInputError([{ path, constraint: 'cursor', message: error.message }]);
    }
    throw error;
  }
}

/** The payload of a mutation: the read model row, which exists once the write was projected. */
export function found<T>(view: T | undefined | null, type: string, id: string): T {
  if (view === undefined || view === null) throw new NotFoundError(type, id);
  return view;
}
