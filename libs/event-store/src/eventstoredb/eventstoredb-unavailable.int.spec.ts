import { freePort } from '@okr-ledger/platform';
import { EventStoreUnavailable } from '../event-store.errors';
import { event } from '../testing/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/**
 * A loopback port with nothing listening (freePort closes its probe before answering): what
 * a stopped EventStoreDB looks like.
 */
const closedPort = freePort;

// Runs without a server: the real client against a closed port.
describe('EventStoreDbEventStore', () => {
  describe('when no server answers', () => {
    it('rejects appends and reads with EventStoreUnavailable, so the API reports a clear error', async () => {
      const port = await closedPort();
      const store = EventStoreDbEventStore.fromConnectionString(
        `esdb://127.0.0.1:${port}?tls=false&discoveryInterval=0&maxDiscoverAttempts=1`,
      );
      try {
        await expect(store.append(`team-${port}`, [event('TeamCreated')])).rejects.toBeInstanceOf(
          EventStoreUnavailable,
        );
        await expect(store.readStream(`team-${port}`)).rejects.toBeInstanceOf(
          EventStoreUnavailable,
        );
      } finally {
        await store.close();
      }
    }, 20_000);
  });
});
