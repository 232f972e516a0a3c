/**
 * A stream's state as last folded by this process, and the revision it is at: passed back to
 * `handleCommand` as `from`, so the next command reads and folds only the events after it
 * instead of the whole stream (a key result's grows by every check-in).
 *
 * Exact, never stale: an entry is the fold of the tenant's recorded events 0..revision of the
 * stream, which never change (the log is append-only), and every command still reads what came
 * after it (`foldStream` drops the entry if another tenant's event follows, as a full read would
 * hide the stream), so it decides on the whole stream as a full read would, and the append's
 * expected revision still decides a race. Nothing but the stream's own events
 * goes into an entry (not another aggregate's state, not a membership), and a folded state is
 * never changed in place (the deciders' evolve returns a new one). Any entry of a stream is
 * right, an older one only costs a longer read, so entries from concurrent commands may land
 * in any order.
 */
export class FoldedStates<State> {
  private readonly entries = new Map<
    string,
    { readonly state: State; readonly revision: number }
  >();

  /** `capacity` streams at most; the one used longest ago goes first. */
  constructor(private readonly capacity = 5_000) {}

  private static key(tenantId: string, stream: string): string {
    return `${tenantId}\u0000${stream}`;
  }

  get(
    tenantId: string,
    stream: string,
  ): { readonly state: State; readonly revision: number } | undefined {
    const key = FoldedStates.key(tenantId, stream);
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Drops what is kept of the stream (a command on it failed in a way it cannot tell). */
  forget(tenantId: string, stream: string): void {
    this.entries.delete(FoldedStates.key(tenantId, stream));
  }

  /** Keeps the later of this and what is kept; a stream the tenant does not have is not kept. */
  set(
    tenantId: string,
    stream: string,
    folded: { readonly state: State; readonly revision: number },
  ): void {
    if (folded.revision < 0) return;
    const key = FoldedStates.key(tenantId, stream);
    const kept = this.entries.get(key);
    if (kept !== undefined && kept.revision >= folded.revision) return;
    this.entries.delete(key);
    this.entries.set(key, folded);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}
