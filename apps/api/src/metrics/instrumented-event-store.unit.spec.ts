import {
  AppendOutcomeUnknown,
  EventStoreUnavailable,
  WrongExpectedVersion,
  type EventStore,
} from '@okr-ledger/event-store';
import { InstrumentedEventStore } from './instrumented-event-store';
import { OkrMetrics } from './okr-metrics';

const event = {
  type: 'CheckInRecorded',
  data: {},
  metadata: {
    tenantId: 't',
    actorId: 'a',
    correlationId: 'c',
    causationId: null,
    schemaVersion: 1,
    source: 'test',
  },
};

function fakeStore(append: EventStore['append']): EventStore {
  return {
    append,
    readStream: () => Promise.resolve([]),
    readAll: () => Promise.resolve({ events: [], checkpoint: 'c', isEnd: true }),
    subscribe: () => ({ stop: () => Promise.resolve(), done: Promise.resolve() }),
    headPosition: () => Promise.resolve('head'),
    close: () => Promise.resolve(),
  };
}

async function count(metrics: OkrMetrics, outcome: string): Promise<number> {
  const { values } = await metrics.appendDuration.get();
  return (
    values.find(
      (v) =>
        v.metricName === 'okr_event_store_append_duration_seconds_count' &&
        v.labels['outcome'] === outcome,
    )?.value ?? 0
  );
}

describe('InstrumentedEventStore', () => {
  it('times each append by outcome and counts the events of those that succeed', async () => {
    const metrics = new OkrMetrics();
    const store = new InstrumentedEventStore(
      fakeStore(() => Promise.resolve({ nextRevision: 1, position: 'p' })),
      metrics,
    );
    await expect(store.append('s', [event, event])).resolves.toEqual({
      nextRevision: 1,
      position: 'p',
    });
    expect(await count(metrics, 'ok')).toBe(1);
    expect((await metrics.appendedEvents.get()).values[0]?.value).toBe(2);
  });

  it.each([
    [new WrongExpectedVersion('s', 0, 1), 'conflict'],
    [new EventStoreUnavailable('down'), 'unavailable'],
    [new AppendOutcomeUnknown('s', 'reply lost'), 'unknown'],
    [new Error('bug'), 'error'],
  ])('rethrows %p and labels it %s', async (error, outcome) => {
    const metrics = new OkrMetrics();
    const store = new InstrumentedEventStore(
      fakeStore(() => Promise.reject(error)),
      metrics,
    );
    await expect(store.append('s', [event])).rejects.toBe(error);
    expect(await count(metrics, outcome)).toBe(1);
    expect((await metrics.appendedEvents.get()).values[0]?.value ?? 0).toBe(0);
  });

  it('passes reads through unchanged', async () => {
    const store = new InstrumentedEventStore(
      fakeStore(() => Promise.reject(new Error('unused'))),
      new OkrMetrics(),
    );
    await expect(store.headPosition()).resolves.toBe('head');
    await expect(store.readStream('s')).resolves.toEqual([]);
  });
});
