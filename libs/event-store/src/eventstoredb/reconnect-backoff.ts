/**
 * Delays between attempts to reopen a subscription after its connection dropped: exponential
 * from `initialMs`, capped at `maxMs`, with "equal jitter" (half fixed, half random) so the
 * API instances and projectors of a cluster do not all reconnect in the same instant after a
 * leader election. `random` is injectable for tests.
 */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly random?: () => number;
}

export function reconnectDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 100;
  const max = options.maxMs ?? 10_000;
  const random = options.random ?? Math.random;
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be a whole number ≥ 0, got ${attempt}`);
  }
  // 2 ** attempt overflows to Infinity long after the cap applies; min() handles it.
  const ceiling = Math.min(max, initial * 2 ** attempt);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
