import { StreamNotFoundError } from '@eventstore/db-client';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { formatPosition, START_POSITION } from '../positions';
import { event } from '../testing/event-store.contract';
import { cycleIndexStream } from './cycle-index';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/*
 * A stand-in for the client's appendToStream and readStream over an in-memory log, because no
 * EventStoreDB server can run where these tests run (the contract suite covers a real server
 * when EVENTSTORE_URL is set). It answers like the server does (read from the client's source
 * and the server's): a write answers its FIRST prepare position, reads carry each event's
 * position, a missing stream throws StreamNotFoundError. It refuses reads of $all, so a test
 * fails if a cycle read scans the log.
 */
interface Stored {
  id: string;
  streamId: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  isJson: true;
  created: Date;
  position: { commit: bigint; prepare: bigint };
}

function inMemoryClient(behaviour: { positionsInStreamReads?: boolean } = {}) {
  const log: Stored[] = [];
  const none = { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n };
  const calls: string[] = [];
  let next = 1n;
  const client = {
    appendToStream: async (
      streamId: string,
      sent: { id: string; type: string; data: unknown; metadata: unknown } | object[],
    ) => {
      calls.push(`append ${streamId}`);
      const events = (Array.isArray(sent) ? sent : [sent]) as {
        id: string;
        type: string;
        data: unknown;
        metadata: unknown;
      }[];
      let revision = BigInt(log.filter((e) => e.streamId === streamId).length) - 1n;
      const commit = next;
      for (const e of events) {
        log.push({
          ...e,
          streamId,
          revision: ++revision,
          isJson: true,
          created: new Date(0),
          position: { commit, prepare: next++ },
        });
      }
      return {
        success: true,
        nextExpectedRevision: revision,
        position: { commit, prepare: commit },
      };
    },
    readStream: (
      streamId: string,
      options: { fromRevision?: bigint | string; maxCount?: bigint },
    ) => {
      calls.push(`read ${streamId}`);
      const from = typeof options.fromRevision === 'bigint' ? options.fromRevision : 0n;
      const events = log.filter((e) => e.streamId === streamId);
      return (async function* () {
        if (events.length === 0) throw new StreamNotFoundError(undefined, streamId);
        const wanted = events.filter((e) => e.revision >= from);
        for (const e of wanted.slice(0, Number(options.maxCount ?? BigInt(wanted.length)))) {
          yield {
            event: behaviour.positionsInStreamReads === false ? { ...e, position: none } : e,
          };
        }
      })();
    },
    readAll: () => {
      throw new Error('a cycle read must not read $all');
    },
    subscribeToAll: () => {
      throw new Error('not used here');
    },
    dispose: async () => undefined,
  };
  return { client: client as unknown as EventStoreDBClient, log, calls };
}

describe('EventStoreDbEventStore', () => {
  describe('when events carry a tenant and a cycle', () => {
    it('indexes the stream for that cycle before the events, once per stream', async () => {
      const { client, calls, log } = inMemoryClient();
      const store = new EventStoreDbEventStore(client);
      const meta = { tenantId: 'acme', cycleId: 'q1' };
      await store.append('objective-1', [event('ObjectiveSet', {}, meta)]);
      await store.append('objective-1', [event('ObjectiveRevised', {}, meta)]);
      const index = cycleIndexStream(meta);
      expect(calls.filter((c) => c.startsWith('append'))).toEqual([
        `append ${index}`,
        'append objective-1',
        'append objective-1',
      ]);
      expect(log.filter((e) => e.streamId === index).map((e) => e.data)).toEqual([
        { stream: 'objective-1' },
      ]);
    });

    it('does not index events without a cycle', async () => {
      const { client, calls } = inMemoryClient();
      const store = new EventStoreDbEventStore(client);
      await store.append('team-1', [event('TeamCreated', {}, { tenantId: 'acme' })]);
      expect(calls).toEqual(['append team-1']);
    });
  });

  describe('when reading one cycle of a tenant', () => {
    it('reads its index and only the streams it names, in global order, never $all', async () => {
      const { client, calls } = inMemoryClient();
      const store = new EventStoreDbEventStore(client);
      const q1 = { tenantId: 'acme', cycleId: 'q1' };
      const q2 = { tenantId: 'acme', cycleId: 'q2' };
      const a = event('ObjectiveSet', {}, q1);
      const b = event('ObjectiveSet', {}, q2);
      const c = event('KeyResultAdded', {}, q1);
      const d = event('KeyResultCheckedIn', {}, q1);
      await store.append('objective-1', [a]);
      await store.append('objective-2', [b]);
      await store.append('key-result-1', [c, d]);
      calls.length = 0;

      const page = await store.readAll({ metadata: q1 });
      expect(page.events.map((e) => e.id)).toEqual([a.id, c.id, d.id]);
      expect(page.isEnd).toBe(true);
      expect(calls).toEqual([
        `read ${cycleIndexStream(q1)}`,
        'read objective-1',
        'read key-result-1',
      ]);
      const positions = page.events.map((e) => e.position);
      expect([...positions].sort()).toEqual(positions);
    });

    it('pages after a position and answers [] for a cycle nobody wrote to', async () => {
      const { client } = inMemoryClient();
      const store = new EventStoreDbEventStore(client);
      const q1 = { tenantId: 'acme', cycleId: 'q1' };
      const events = [event('A', {}, q1), event('B', {}, q1), event('C', {}, q1)];
      for (const e of events) await store.append('objective-1', [e]);
      const first = await store.readAll({ metadata: q1, limit: 2 });
      expect(first.events.map((e) => e.type)).toEqual(['A', 'B']);
      expect(first.isEnd).toBe(false);
      const rest = await store.readAll({ metadata: q1, after: first.checkpoint, limit: 2 });
      expect(rest.events.map((e) => e.type)).toEqual(['C']);
      expect(rest.isEnd).toBe(true);
      const none = await store.readAll({ metadata: { tenantId: 'acme', cycleId: 'q9' } });
      expect(none).toEqual({ events: [], checkpoint: START_POSITION, isEnd: true });
    });
  });

  describe('when the server reports no positions in stream reads (older servers)', () => {
    it('falls back to the filtered read of $all instead of ordering by unknown positions', async () => {
      const { client } = inMemoryClient({ positionsInStreamReads: false });
      const store = new EventStoreDbEventStore(client);
      const q1 = { tenantId: 'acme', cycleId: 'q1' };
      await store.append('objective-1', [event('A', {}, q1)]);
      await expect(store.readAll({ metadata: q1 })).rejects.toThrow(
        'a cycle read must not read $all',
      );
    });
  });

  describe('when several events are appended at once', () => {
    it('answers the position of the last one, read back, not the write’s first prepare', async () => {
      const { client, log } = inMemoryClient();
      const store = new EventStoreDbEventStore(client);
      const result = await store.append('objective-1', [event('A'), event('B'), event('C')]);
      const last = log.at(-1)!.position;
      expect(result).toEqual({
        nextRevision: 2,
        position: formatPosition(last.commit, last.prepare),
      });
      const single = await store.append('objective-1', [event('D')]);
      const d = log.at(-1)!.position;
      expect(single.position).toBe(formatPosition(d.commit, d.prepare));
    });
  });
});
