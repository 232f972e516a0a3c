import { createTestDatabase } from '@okr-ledger/testing/test-database';
import type { TestDatabase } from '@okr-ledger/testing/test-database';
import { canCountEvents } from '../event-store.port';
import { START_POSITION } from '../positions';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore } from './postgres-event-store';
import type { PostgresEventStore } from './postgres-event-store';

describe('PostgresEventStore.countEvents', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('event_count');
    store = await createPostgresEventStore(database.url);
    await store.append('counted-1', [event('A'), event('B'), event('A')]);
    await store.append('counted-2', [event('A'), event('C')]);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('counts the whole log, or the events of some types', async () => {
    expect(canCountEvents(store)).toBe(true);
    expect((await store.countEvents()).count).toBe(5);
    expect((await store.countEvents({ eventTypes: ['A', 'C'] })).count).toBe(4);
  });

  it('counts after a position, capped in log order, with the earliest recorded time', async () => {
    const [first] = await store.readStream('counted-1');
    const after = (await store.countEvents({ after: first?.position, eventTypes: ['A'] })).count;
    expect(after).toBe(2);
    const capped = await store.countEvents({ after: START_POSITION, cap: 2 });
    expect(capped.count).toBe(2);
    expect(capped.oldestRecordedAt).toEqual(first?.recordedAt);
    expect(await store.countEvents({ eventTypes: ['none'] })).toEqual({
      count: 0,
      oldestRecordedAt: null,
    });
  });
});
