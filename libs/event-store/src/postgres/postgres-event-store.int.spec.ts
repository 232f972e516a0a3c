import { createTestDatabase } from '@okr-ledger/testing/test-database';
import type { TestDatabase } from '@okr-ledger/testing/test-database';
import { eventStoreContract } from '../testing/event-store.contract';
import { createPostgresEventStore } from './postgres-event-store';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('event_store_contract');
});
afterAll(async () => {
  await database?.drop();
});

eventStoreContract('PostgreSQL', ({ clock, upcasters }) =>
  createPostgresEventStore(database.url, { simulatedClock: clock, upcasters, pollIntervalMs: 200 }),
);
