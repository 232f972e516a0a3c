import { freePort } from '@okr-ledger/platform';
import { startFaultProxy, type FaultProxy } from '@okr-ledger/testing/fault-proxy';
import { createTestDatabase } from '@okr-ledger/testing/test-database';
import type { TestDatabase } from '@okr-ledger/testing/test-database';
import { AppendOutcomeUnknown, EventStoreUnavailable } from '../event-store.errors';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore, PostgresEventStore } from './postgres-event-store';

/** A loopback port with nothing listening (freePort closes its probe before answering). */
const closedPort = freePort;

describe('PostgresEventStore', () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let direct: PostgresEventStore;
  let proxied: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('event_store_faults');
    const real = new URL(database.url);
    proxy = await startFaultProxy({ host: real.hostname, port: Number(real.port) });
    direct = await createPostgresEventStore(database.url);
    proxied = new PostgresEventStore(proxy.urlFor(database.url));
  });
  afterAll(async () => {
    await proxied?.close();
    await direct?.close();
    await proxy?.close();
    await database?.drop();
  });

  describe('when no connection can be made', () => {
    it('rejects the append with EventStoreUnavailable: nothing was sent', async () => {
      const port = await closedPort();
      const url = new URL(database.url);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      const store = new PostgresEventStore(url.toString());
      try {
        await expect(
          store.append('team-unreachable', [event('TeamCreated')]),
        ).rejects.toBeInstanceOf(EventStoreUnavailable);
      } finally {
        await store.close();
      }
    });
  });

  describe.each([
    ['a new stream (the one-statement first append)', 1, 'no_stream' as const],
    ['the append function', 2, 'no_stream' as const],
  ])('when the connection drops after %s was sent', (_name, count, expectedState) => {
    it('rejects with AppendOutcomeUnknown; re-sending the same ids stores them once', async () => {
      const stream = `team-${count}-${Date.now()}`;
      const events = Array.from({ length: count }, (_, i) => event('TeamCreated', { i }));
      proxy.arm('event_store.append_');
      const lost = await proxied.append(stream, events, { expectedState }).then(
        () => null,
        (e: unknown) => e,
      );
      await proxy.tripped();
      expect(lost).toBeInstanceOf(AppendOutcomeUnknown);
      expect(await direct.readStream(stream)).toHaveLength(count);

      const retried = await proxied.append(stream, events, { expectedState });
      expect(retried.nextRevision).toBe(count - 1);
      const stored = await direct.readStream(stream);
      expect(stored.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(retried.position).toBe(stored.at(-1)?.position);
    });
  });
});
