import { eventStoreContract } from '../testing/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const url = process.env.EVENTSTORE_URL;

if (url) {
  eventStoreContract('EventStoreDB', async ({ clock, upcasters }) =>
    EventStoreDbEventStore.fromConnectionString(url, { clock, upcasters }),
  );
} else {
  // Skipped because no EventStoreDB/KurrentDB server can run where this usually runs (no Docker
  // engine, no server package); the GitHub workflow and `docker compose up` provide one and set
  // EVENTSTORE_URL. Said plainly: a silent skip would read as "EventStoreDB passes".
  console.warn('EventStoreDB contract suite skipped: EVENTSTORE_URL is not set.');
  describe.skip('EventStore contract: EventStoreDB (skipped: EVENTSTORE_URL not set)', () => {
    it('runs the contract suite against EventStoreDB', () => undefined);
  });
}
