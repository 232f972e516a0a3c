import type { ExpectedState } from './event-store.port';

/** The stream is not in the expected state; `actual` is its current revision. */
export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';

  constructor(
    readonly stream: string,
    readonly expected: ExpectedState,
    readonly actual: number | 'no_stream',
    detail?: string,
  ) {
    super(
      `Wrong expected version on stream "${stream}": expected ${String(expected)}, actual ${String(actual)}` +
        (detail ? ` (${detail})` : ''),
    );
  }
}

/** The store cannot be reached; the operation may be retried. */
export class EventStoreUnavailable extends Error {
  override readonly name = 'EventStoreUnavailable';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The stored log cannot be trusted by this server (e.g. restored from a dump). */
export class EventStoreIntegrityError extends Error {
  override readonly name = 'EventStoreIntegrityError';
}
