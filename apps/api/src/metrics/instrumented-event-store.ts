import type {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '@okr-ledger/event-store';
import { appendOutcome, type OkrMetrics } from './okr-metrics';

/**
 * The EventStore port with append latency and outcomes recorded; everything else passes
 * through. It wraps the store the commands write with, not the EVENT_STORE provider itself:
 * the projector and the audit trail look at the concrete adapter (`instanceof
 * PostgresEventStore` for cheap lag counts and rebuild reads, `verifyIntegrity`).
 */
export class InstrumentedEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly metrics: OkrMetrics,
  ) {}

  async append(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const end = this.metrics.appendDuration.startTimer();
    try {
      const result = await this.inner.append(stream, events, options);
      end({ outcome: 'ok' });
      this.metrics.appendedEvents.inc(events.length);
      return result;
    } catch (error) {
      end({ outcome: appendOutcome(error) });
      throw error;
    }
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(stream, options);
  }

  readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    return this.inner.readAll(options);
  }

  subscribe(options: SubscribeOptions): Subscription {
    return this.inner.subscribe(options);
  }

  headPosition(): Promise<string> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
