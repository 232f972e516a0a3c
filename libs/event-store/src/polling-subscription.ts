import type {
  ReadAllOptions,
  ReadAllResult,
  SubscribeOptions,
  Subscription,
} from './event-store.port';
import { EventStoreUnavailable } from './event-store.errors';
import { START_POSITION } from './positions';

/**
 * Wake-ups for subscriptions (and for the projector's waitForPosition). The generation
 * counter closes the race between "read found nothing" and "start waiting": a wake-up in
 * between is not lost.
 */
export class WakeUps {
  private generation = 0;
  private waiters = new Set<() => void>();

  get current(): number {
    return this.generation;
  }

  wake(): void {
    this.generation++;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const resolve of waiters) resolve();
  }

  /** Resolves on a wake-up after `seen`, or after `timeoutMs` (the polling fallback). */
  wait(seen: number, timeoutMs: number): Promise<void> {
    if (this.generation !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }
}

export interface PollingPage extends ReadAllResult {
  /**
   * Whether committed events are not readable yet because an older transaction is still open
   * (PostgreSQL's xmin horizon): they become readable when it ends, and no wake-up says so.
   * Known in the read's own snapshot: asked afterwards, that transaction may have ended in
   * between, the answer would be "nothing waits", and the events would wait a poll interval.
   */
  heldBack?: boolean;
}

export interface PollingSubscriptionDeps {
  readAll(options: ReadAllOptions): Promise<PollingPage>;
  wakeUps: WakeUps;
  pollIntervalMs: number;
  /** Called before each read, e.g. to re-establish a lost LISTEN connection. */
  beforeRead?: () => Promise<void>;
  onStopped?: () => void;
}

// After a wake-up whose read found nothing new, the next reads come this soon, doubling.
const FAST_POLL_FIRST_MS = 10;
// While events wait beyond the horizon, reads come at least this often: a late-visible
// event is delivered within about this much of becoming readable.
const FAST_POLL_MAX_MS = 100;

/**
 * Catch-up then live by repeated `readAll`; the handler runs sequentially. A wake-up (an
 * append here, or a NOTIFY) can arrive before its event is readable: in PostgreSQL, while any
 * older transaction with an id is open. Then the read finds nothing and nothing wakes again,
 * so reads follow quickly (10, 20, 40, 80, then every 100 ms) for as long as the store says
 * events wait beyond the horizon (the read says so); without that hint, doubling up to the poll
 * interval.
 */
export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;

  constructor(
    private readonly options: SubscribeOptions,
    private readonly deps: PollingSubscriptionDeps,
  ) {
    this.done = this.run().finally(() => deps.onStopped?.());
    // The caller may never await `done`; a fatal error must not become an unhandled rejection.
    this.done.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.wakeUps.wake();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { handler, batchSize = 500, eventTypes, streamPrefix } = this.options;
    let checkpoint = this.options.from ?? START_POSITION;
    // 0 outside a fast re-poll; else the wait before the next read.
    let fastMs = 0;
    // Whether this read follows a wake-up (rather than a poll's timeout).
    let wokeUp = false;
    while (!this.stopped) {
      const seen = this.deps.wakeUps.current;
      let page: PollingPage;
      try {
        await this.deps.beforeRead?.();
        page = await this.deps.readAll({
          after: checkpoint,
          limit: batchSize,
          eventTypes,
          streamPrefix,
        });
      } catch (error) {
        // An outage is waited out; anything else (bad SQL, bad options) is fatal.
        if (!(error instanceof EventStoreUnavailable)) throw error;
        await this.deps.wakeUps.wait(seen, this.deps.pollIntervalMs);
        continue;
      }
      if (this.stopped) return;
      if (page.events.length > 0 || page.checkpoint !== checkpoint) {
        await handler(page.events, page.checkpoint);
        checkpoint = page.checkpoint;
      }
      if (!page.isEnd) continue;
      if (this.deps.wakeUps.current !== seen) {
        // Woken during the read: read again at once.
        wokeUp = true;
        continue;
      }
      if (wokeUp || fastMs > 0) fastMs = this.nextFastPoll(fastMs, page.heldBack);
      await this.deps.wakeUps.wait(seen, fastMs > 0 ? fastMs : this.deps.pollIntervalMs);
      wokeUp = this.deps.wakeUps.current !== seen;
    }
  }

  /** The wait before the next read of a fast re-poll, or 0 when there is nothing to wait for. */
  private nextFastPoll(previousMs: number, heldBack: boolean | undefined): number {
    const next = previousMs === 0 ? FAST_POLL_FIRST_MS : previousMs * 2;
    if (heldBack === undefined) return next < this.deps.pollIntervalMs ? next : 0;
    return heldBack ? Math.min(next, FAST_POLL_MAX_MS) : 0;
  }
}
