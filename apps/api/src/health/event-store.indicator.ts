import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { EventStore } from '@okr-ledger/event-store';
import type { AppConfig } from '@okr-ledger/platform';
import { APP_CONFIG } from '../app.tokens';
import { EVENT_STORE } from '../okr/okr-api.tokens';

// A store that takes longer than this to say where its log ends is as good as down for writes.
const TIMEOUT_MS = 1500;

/**
 * `eventStore` in /health: whether the store that takes every write answers, and where its log
 * ends. With EventStoreDB that is another server than the database above.
 */
@Injectable()
export class EventStoreIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(key = 'eventStore') {
    const indicator = this.indicators.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      const head = await Promise.race([
        this.store.headPosition(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)),
            TIMEOUT_MS,
          );
        }),
      ]);
      return indicator.up({ kind: this.config.eventStore, head });
    } catch (error) {
      return indicator.down({
        kind: this.config.eventStore,
        message: error instanceof Error ? error.message : String(error),
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
