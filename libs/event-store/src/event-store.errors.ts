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

/**
 * The append was sent but its reply was lost (the connection dropped during the statement or
 * its commit): the events may or may not be stored. Retrying with the same event ids (a keyed
 * command derives them from its idempotency key) stores them at most once.
 */
export class AppendOutcomeUnknown extends Error {
  override readonly name = 'AppendOutcomeUnknown';

  constructor(
    readonly stream: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An idempotency key already used by this tenant for a different request. */
export class IdempotencyKeyReused extends Error {
  override readonly name = 'IdempotencyKeyReused';

  constructor(
    readonly key: string,
    /** Where the key was found; null when it is stored in another stream than the one asked. */
    readonly stream: string | null,
  ) {
    super(
      `The idempotency key "${key}" was already used for a different request; use a new key for a new request.`,
    );
  }
}
