import { health, type Health } from '@okr-ledger/okr';
import {
  InvalidCursor,
  type CycleView,
  type Page,
  type PageRequest,
} from '@okr-ledger/read-models';
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

/**
 * Pages a list computed in memory (as-of answers fold events, they have no SQL to page in).
 * Cursors are offsets into that list, valid for the same question at the same instant.
 */
export function offsetPage<T>(all: readonly T[], request: PageRequest): Page<T> {
  let start = 0;
  if (request.after) {
    const offset = /^asof:(\d+)$/.exec(Buffer.from(request.after, 'base64url').toString());
    if (!offset?.[1]) {
      throw new BadUserInputError([
        { path: 'after', constraint: 'cursor', message: `invalid cursor "${request.after}"` },
      ]);
    }
    start = Number(offset[1]) + 1;
  }
  const cursor = (i: number) => Buffer.from(`asof:${i}`).toString('base64url');
  const items = all
    .slice(start, start + request.first)
    .map((node, i) => ({ cursor: cursor(start + i), node }));
  return {
    items,
    hasNextPage: start + request.first < all.length,
    hasPreviousPage: start > 0,
    startCursor: items[0]?.cursor ?? null,
    endCursor: items.at(-1)?.cursor ?? null,
    totalCount: all.length,
  };
}
