import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@okr-ledger/testing/test-database';
import type { TestDatabase } from '@okr-ledger/testing/test-database';
import type { EventStore } from '../event-store.port';
import { WrongExpectedVersion } from '../event-store.errors';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore } from './postgres-event-store';

/*
 * The PostgreSQL store's idempotency is stronger than the contract's (event-store.contract.ts):
 * an event id is unique in the whole log, and any overlap that is not an exact re-send is
 * refused. These tests were part of the contract and moved here because EventStoreDB cannot
 * pass them: it checks ids within one stream only, and only when the expected revision is
 * behind the stream's or `any` (best effort, from a cache) — with the current revision it
 * writes the ids again, and another stream never sees them (see NewEvent.id in the port).
 */
describe('PostgresEventStore', () => {
  let database: TestDatabase;
  let store: EventStore;
  const stream = (): string => `contract-${randomUUID()}`;

  beforeAll(async () => {
    database = await createTestDatabase('event_store_idempotency');
    store = await createPostgresEventStore(database.url, { pollIntervalMs: 200 });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  describe('when an append partly overlaps events already stored', () => {
    it('rejects it with WrongExpectedVersion and stores nothing', async () => {
      const s = stream();
      const a = event('A');
      const b = event('B');
      await store.append(s, [a, b], { expectedState: 'no_stream' });
      const attempt = store.append(s, [b, event('C')], { expectedState: 1 });
      await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersion);
      expect(await store.readStream(s)).toHaveLength(2);
    });
  });

  describe('when event ids are already stored in another stream', () => {
    it('rejects the append with WrongExpectedVersion and stores nothing', async () => {
      const a = event('A');
      await store.append(stream(), [a]);
      const other = stream();
      await expect(store.append(other, [a], { expectedState: 'no_stream' })).rejects.toBeInstanceOf(
        WrongExpectedVersion,
      );
      expect(await store.readStream(other)).toEqual([]);
    });
  });
});
