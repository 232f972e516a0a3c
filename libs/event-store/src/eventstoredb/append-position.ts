/**
 * Where `AppendResult.position` comes from. `waitForPosition` waits until the projections pass
 * it, so it must be the `$all` position of the append's LAST event.
 *
 * The server answers an append with one position for the whole write: the commit position and
 * the transaction's (first) prepare position. For a single event that is exactly the event's
 * position in `$all`. For several events the later events share the commit position with
 * larger prepare positions, so the answer would sort before them and a projection that had
 * projected only the first event would count as caught up. A retried append that the server
 * deduplicated answers no position at all. In both cases the adapter reads the last event back
 * (one stream read of one event at the revision the server answered).
 */
export type AppendPosition =
  | { readonly kind: 'answered'; readonly commit: bigint; readonly prepare: bigint }
  | { readonly kind: 'read-back'; readonly revision: bigint };

export function appendPosition(
  eventCount: number,
  nextExpectedRevision: bigint,
  answered: { readonly commit: bigint; readonly prepare: bigint } | undefined,
): AppendPosition {
  if (eventCount === 1 && answered !== undefined && isKnown(answered)) {
    return { kind: 'answered', commit: answered.commit, prepare: answered.prepare };
  }
  return { kind: 'read-back', revision: nextExpectedRevision };
}

/**
 * The server writes "no position" as -1, which reaches the client as the largest unsigned
 * 64-bit number (its `Position.End`): real positions are byte offsets far below 2^63.
 */
export function isKnown(position: { readonly commit: bigint; readonly prepare: bigint }): boolean {
  const limit = 2n ** 63n;
  return position.commit >= 0n && position.commit < limit && position.prepare < limit;
}
