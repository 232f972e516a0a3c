import type {
  ReadAllOptions,
  ReadAllResult,
  SubscribeOptions,
  Subscription,
} from './event-store.port';
import { EventStoreUnavailable } from './event-store.errors';
import { START_POSITION } from './positions';

/**
 * Wake-ups for subscriptions. The generation counter closes the race between "read found
 * nothing" and "start waiting": a wake-up in between is not lost.
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

export interface PollingSubscriptionDeps {
  readAll(options: ReadAllOptions): Promise<ReadAllResult>;
  wakeUps: WakeUps;
  pollIntervalMs: number;
  /** Called before each read, e.g. to re-establish a lost LISTEN connection. */
  beforeRead?: () => Promise<void>;
  onStopped?: () => void;
}

/** Catch-up then live by repeated `readAll`; the handler runs sequentially. */
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
    while (!this.stopped) {
      const seen = this.deps.wakeUps.current;
      let page: ReadAllResult;
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
      if (page.isEnd) await this.deps.wakeUps.wait(seen, this.deps.pollIntervalMs);
    }
  }
}
