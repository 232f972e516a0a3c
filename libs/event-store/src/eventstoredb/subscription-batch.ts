import { comparePositions } from '../positions';

/** What a subscription hands its handler: events in global order and the position reached. */
export interface Batch<E> {
  readonly events: E[];
  readonly checkpoint: string;
}

/**
 * Collects a subscription's records into batches. Pure: no timers, no client, so the batching
 * and checkpoint rules are unit-tested without a server.
 *
 * - An event adds to the batch; a record filtered out on this side, or a server checkpoint,
 *   only moves the checkpoint, so a batch can also be empty with a newer checkpoint.
 * - Anything at or before the checkpoint is ignored: after a reconnection the server may send
 *   again what was already delivered.
 */
export class BatchAccumulator<E> {
  private events: E[] = [];
  private reached: string;
  private handedOut: string;

  constructor(
    from: string,
    readonly batchSize: number,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
    }
    this.reached = from;
    this.handedOut = from;
  }

  /** The last checkpoint handed out: where a new server call resumes (exclusive). */
  get delivered(): string {
    return this.handedOut;
  }

  get size(): number {
    return this.events.length;
  }

  get full(): boolean {
    return this.events.length >= this.batchSize;
  }

  /** True when handing out now would tell the handler something new. */
  get pending(): boolean {
    return this.events.length > 0 || comparePositions(this.reached, this.handedOut) > 0;
  }

  /** `event` null: the record at `position` was examined and is not for this subscription. */
  record(position: string, event: E | null): boolean {
    if (comparePositions(position, this.reached) <= 0) return false;
    this.reached = position;
    if (event !== null) this.events.push(event);
    return true;
  }

  /** A server checkpoint: everything up to `position` was examined. */
  checkpoint(position: string): void {
    if (comparePositions(position, this.reached) > 0) this.reached = position;
  }

  take(): Batch<E> | null {
    if (!this.pending) return null;
    const batch = { events: this.events, checkpoint: this.reached };
    this.events = [];
    this.handedOut = this.reached;
    return batch;
  }

  /** After a dropped connection: what was not handed out is read again from the server. */
  discardUndelivered(): void {
    this.events = [];
    this.reached = this.handedOut;
  }
}

export interface FlushState {
  /** The batch holds batchSize events. */
  readonly full: boolean;
  /** Events or a newer checkpoint wait to be handed out. */
  readonly pending: boolean;
  /** The server said the subscription caught up (live from here on). */
  readonly live: boolean;
  /** Records the client already holds behind the one just taken. */
  readonly buffered: number;
}

/**
 * When to call the handler. During catch-up a batch fills up (the server sends faster than a
 * projection writes, so the client's buffer is rarely empty between two records, and waiting
 * for the buffer to be momentarily empty would hand out one event per PostgreSQL transaction);
 * once live, whatever arrived is handed out as soon as nothing more is buffered, so a write
 * is projected without delay. A caller also flushes a pending batch after a short idle linger
 * (servers before KurrentDB 23.10 never say they caught up).
 */
export function shouldFlush(state: FlushState): boolean {
  if (state.full) return true;
  return state.pending && state.live && state.buffered === 0;
}
