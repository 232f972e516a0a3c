import { InvalidCursor, type Page, type PageRequest } from '@okr-ledger/read-models';
import { BadUserInputError } from '../errors/api.errors';

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
