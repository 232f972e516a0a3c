import { createServer } from 'node:net';
import { EventStoreUnavailable } from '../event-store.errors';
import { event } from '../testing/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/** A loopback port with nothing listening: what a stopped EventStoreDB looks like. */
function closedPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

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
