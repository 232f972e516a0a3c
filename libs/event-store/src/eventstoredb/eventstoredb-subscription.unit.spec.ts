import { PassThrough } from 'node:stream';
import {
  AccessDeniedError,
  InvalidArgumentError,
  NotLeaderError,
  UnavailableError,
} from '@eventstore/db-client';
import type { EventStoreDBClient, Filter, Position } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store.port';
import { formatPosition, START_POSITION } from '../positions';
import { EventStoreDbEventStore, isTransient } from './eventstoredb-event-store';

/*
 * A stand-in for the client's subscribeToAll, because no EventStoreDB server can run where these
 * tests run (the contract suite covers a real server when EVENTSTORE_URL is set). It is the
 * client's own shape: an object-mode stream of resolved events with unsubscribe(), a
 * checkpointReached callback on the filter and a 'caughtUp' event. Only the subscription loop
 * is exercised here: reconnection, cancellation, batching and checkpoints.
 */
class FakeCall extends PassThrough {
  unsubscribed = 0;
  constructor(readonly options: { fromPosition: unknown; filter: Filter }) {
    super({ objectMode: true });
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed++;
    if (!this.writableEnded) this.end();
  }
  event(n: number, type = 'Wanted'): void {
    this.write({
      event: {
        id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        streamId: `objective-${n}`,
        revision: 0n,
        type,
        data: { n },
        metadata: { tenantId: 't', $recordedAt: '2026-01-05T09:00:00.000Z' },
        isJson: true,
        created: new Date(0),
        position: { commit: BigInt(n), prepare: BigInt(n) },
      },
    });
  }
  async checkpoint(n: number): Promise<void> {
    const position: Position = { commit: BigInt(n), prepare: BigInt(n) };
    await this.options.filter.checkpointReached?.(this, position);
  }
}

function fakeClient() {
  const calls: FakeCall[] = [];
  const client = {
    subscribeToAll: (options: { fromPosition: unknown; filter: Filter }) => {
      const call = new FakeCall(options);
      calls.push(call);
      return call;
    },
    dispose: async () => undefined,
  };
  return { client: client as unknown as EventStoreDBClient, calls };
}

const at = (n: number): string => formatPosition(n, n);

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for the condition');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('EventStoreDbEventStore', () => {
  let calls: FakeCall[];
  let store: EventStoreDbEventStore;
  const batches: { events: number[]; checkpoint: string }[] = [];
  const handler = async (batch: RecordedEvent[], checkpoint: string): Promise<void> => {
    batches.push({ events: batch.map((e) => Number(e.data.n)), checkpoint });
  };

  beforeEach(() => {
    const fake = fakeClient();
    calls = fake.calls;
    store = new EventStoreDbEventStore(fake.client, {
      reconnect: { initialMs: 1, maxMs: 4, random: () => 0 },
      lingerMs: 5,
    });
    batches.length = 0;
  });
  afterEach(async () => {
    await store.close();
  });

  /** A partly filled batch waits (practically) forever: only the batch rules hand it out. */
  function longLingerStore() {
    const fake = fakeClient();
    const patient = new EventStoreDbEventStore(fake.client, { lingerMs: 60_000 });
    return { store: patient, calls: fake.calls };
  }

  describe('when subscribing with event types', () => {
    it('asks the server to filter them, with checkpoints, from the given position', () => {
      const subscription = store.subscribe({ from: at(3), eventTypes: ['Wanted'], handler });
      const filter = calls[0]!.options.filter;
      expect(filter).toMatchObject({
        filterOn: 'eventType',
        regex: '^(?:Wanted)$',
        checkpointInterval: 1,
      });
      expect(typeof filter.checkpointReached).toBe('function');
      expect(calls[0]!.options.fromPosition).toEqual({ commit: 3n, prepare: 3n });
      return subscription.stop();
    });
  });

  describe('when catching up', () => {
    it('fills batches instead of handing out one event at a time', async () => {
      const subscription = store.subscribe({ batchSize: 2, eventTypes: ['Wanted'], handler });
      for (const n of [1, 2, 3, 4, 5]) calls[0]!.event(n);
      await until(() => batches.length === 3);
      expect(batches).toEqual([
        { events: [1, 2], checkpoint: at(2) },
        { events: [3, 4], checkpoint: at(4) },
        { events: [5], checkpoint: at(5) },
      ]);
      await subscription.stop();
    });

    it('waits for a full batch even when records arrive with pauses between them', async () => {
      const patient = longLingerStore();
      const subscription = patient.store.subscribe({ batchSize: 2, handler });
      patient.calls[0]!.event(1);
      await new Promise((r) => setTimeout(r, 30));
      expect(batches).toEqual([]);
      patient.calls[0]!.event(2);
      await until(() => batches.length === 1);
      expect(batches).toEqual([{ events: [1, 2], checkpoint: at(2) }]);
      await subscription.stop();
      await patient.store.close();
    });
  });

  describe('when the server sends a checkpoint past filtered-out events', () => {
    it('moves the checkpoint with the events before it, then alone in an empty batch', async () => {
      const subscription = store.subscribe({ eventTypes: ['Wanted'], handler });
      calls[0]!.event(1);
      calls[0]!.event(2, 'Unwanted');
      await calls[0]!.checkpoint(40);
      await until(() => batches.length === 1);
      await calls[0]!.checkpoint(50);
      await until(() => batches.length === 2);
      expect(batches).toEqual([
        { events: [1], checkpoint: at(40) },
        { events: [], checkpoint: at(50) },
      ]);
      await subscription.stop();
    });
  });

  describe('when live', () => {
    it('hands out an event as soon as it arrives', async () => {
      const subscription = store.subscribe({ from: at(1), handler });
      calls[0]!.emit('caughtUp');
      calls[0]!.event(2);
      await until(() => batches.length === 1);
      expect(batches).toEqual([{ events: [2], checkpoint: at(2) }]);
      await subscription.stop();
    });
  });

  describe('when the server says the subscription fell behind', () => {
    it('fills batches again until it is live once more', async () => {
      const patient = longLingerStore();
      const subscription = patient.store.subscribe({ batchSize: 2, from: at(1), handler });
      const call = patient.calls[0]!;
      call.emit('caughtUp');
      call.event(2);
      await until(() => batches.length === 1);
      call.emit('fellBehind');
      call.event(3);
      await new Promise((r) => setTimeout(r, 30));
      expect(batches).toHaveLength(1);
      call.event(4);
      await until(() => batches.length === 2);
      expect(batches.map((b) => b.events)).toEqual([[2], [3, 4]]);
      await subscription.stop();
      await patient.store.close();
    });
  });

  describe('when the connection drops', () => {
    it('reconnects with back-off after what was handed out, and goes on', async () => {
      const subscription = store.subscribe({ batchSize: 1, handler });
      calls[0]!.event(1);
      await until(() => batches.length === 1);
      calls[0]!.destroy(new UnavailableError(undefined, 'connection dropped'));
      await until(() => calls.length === 2);
      expect(calls[1]!.options.fromPosition).toEqual({ commit: 1n, prepare: 1n });
      expect(calls[0]!.unsubscribed).toBeGreaterThanOrEqual(1);
      calls[1]!.event(1); // sent again by the server: already delivered
      calls[1]!.event(2);
      await until(() => batches.length === 2);
      expect(batches.map((b) => b.events)).toEqual([[1], [2]]);
      await subscription.stop();
      await expect(subscription.done).resolves.toBeUndefined();
    });

    it('reconnects when the server ends the call', async () => {
      const subscription = store.subscribe({ handler });
      calls[0]!.end();
      await until(() => calls.length === 2);
      expect(calls[1]!.options.fromPosition).toBe('start');
      await subscription.stop();
    });
  });

  describe('when the handler throws', () => {
    it('cancels the server call and rejects done with the error, without reconnecting', async () => {
      const failure = new Error('projection failed');
      const subscription = store.subscribe({
        batchSize: 1,
        handler: async () => {
          throw failure;
        },
      });
      calls[0]!.event(1);
      await expect(subscription.done).rejects.toBe(failure);
      expect(calls[0]!.unsubscribed).toBe(1);
      await new Promise((r) => setTimeout(r, 20));
      expect(calls).toHaveLength(1);
    });
  });

  describe('when the server refuses the subscription for good', () => {
    it('rejects done and does not reconnect', async () => {
      const subscription = store.subscribe({ handler });
      const denied = new AccessDeniedError(undefined) as Error;
      calls[0]!.destroy(denied);
      await expect(subscription.done).rejects.toBe(denied);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.unsubscribed).toBe(1);
    });
  });

  describe('when stopped', () => {
    it('cancels the server call and resolves done', async () => {
      const subscription = store.subscribe({ from: START_POSITION, handler });
      await subscription.stop();
      await expect(subscription.done).resolves.toBeUndefined();
      expect(calls[0]!.unsubscribed).toBeGreaterThanOrEqual(1);
      expect(calls).toHaveLength(1);
    });
  });
});

describe('isTransient', () => {
  const grpc = (code: number): Error => Object.assign(new Error(`status ${code}`), { code });

  describe('when the connection dropped, timed out, or the leader changed', () => {
    it('is passing: the subscription reconnects', () => {
      expect(isTransient(new UnavailableError(undefined, 'down') as Error)).toBe(true);
      expect(isTransient(grpc(14))).toBe(true); // UNAVAILABLE
      expect(isTransient(grpc(4))).toBe(true); // DEADLINE_EXCEEDED
      expect(isTransient(grpc(1))).toBe(true); // CANCELLED by the server or a proxy
      expect(isTransient(grpc(13))).toBe(true); // INTERNAL: a reset stream
      const leader = Object.assign(grpc(5), {
        metadata: {
          getMap: () => ({ 'leader-endpoint-host': 'b', 'leader-endpoint-port': '2113' }),
        },
      });
      expect(isTransient(new NotLeaderError(leader as never))).toBe(true);
    });
  });

  describe('when retrying cannot help', () => {
    it('is fatal: access denied, an invalid request, anything unknown', () => {
      expect(isTransient(new AccessDeniedError(undefined) as Error)).toBe(false);
      expect(isTransient(new InvalidArgumentError(grpc(3) as never))).toBe(false);
      expect(isTransient(grpc(7))).toBe(false); // PERMISSION_DENIED
      expect(isTransient(new TypeError('a bug'))).toBe(false);
    });
  });
});
