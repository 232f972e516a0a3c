import { randomUUID } from 'node:crypto';
import type { EventMetadata, EventStore, NewEvent, RecordedEvent } from '../event-store.port';
import { WrongExpectedVersion } from '../event-store.errors';
import { comparePositions, isPosition, START_POSITION } from '../positions';
import { UpcasterRegistry } from '../upcasters';

/** What the contract needs from an adapter: a store on a controllable clock. */
export interface ContractStoreOptions {
  clock: () => Date;
  upcasters?: UpcasterRegistry;
}
export type ContractStoreFactory = (options: ContractStoreOptions) => Promise<EventStore>;

export function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    tenantId: 'tenant-a',
    actorId: 'user-1',
    correlationId: randomUUID(),
    causationId: null,
    schemaVersion: 1,
    source: 'contract-test',
    ...overrides,
  };
}

export function event(
  type: string,
  data: Record<string, unknown> = {},
  meta?: Partial<EventMetadata>,
): NewEvent {
  return { id: randomUUID(), type, data, metadata: metadata(meta) };
}

async function expectWrongVersion(
  attempt: Promise<unknown>,
  expected: WrongExpectedVersion['expected'],
  actual: WrongExpectedVersion['actual'],
): Promise<void> {
  const error = await attempt.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersion);
  expect(error).toMatchObject({ expected, actual });
}

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for the condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One behaviour for every adapter (DESIGN §1). Streams are named per test and global reads
 * start at the head seen before the test, so the suite also runs on a shared server.
 *
 * Idempotency, as both adapters guarantee it: the same events (same ids, same order) sent again
 * to the same stream with the expected state of the first attempt (an exact revision now
 * behind, `no_stream`, or `any`) store nothing and answer the first attempt's result, position
 * included. What only the PostgreSQL store refuses (overlaps, ids of another stream) is tested
 * by its own suite.
 */
export function eventStoreContract(adapterName: string, createStore: ContractStoreFactory): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let now = new Date('2026-01-05T09:00:00.000Z');
    const clock = (): Date => now;
    let store: EventStore;
    const renamed = new UpcasterRegistry().register('ContractRenamed', 1, (data) => {
      const { title, ...rest } = data;
      return { ...rest, name: title };
    });

    beforeAll(async () => {
      store = await createStore({ clock, upcasters: renamed });
    });
    afterAll(async () => {
      await store?.close();
    });

    const stream = (category = 'contract'): string => `${category}-${randomUUID()}`;

    describe('when appending with an expected state', () => {
      it('creates a stream with no_stream and reports the last revision and its position', async () => {
        const s = stream();
        const result = await store.append(s, [event('A'), event('B')], {
          expectedState: 'no_stream',
        });
        expect(result.nextRevision).toBe(1);
        expect(isPosition(result.position)).toBe(true);
        expect(comparePositions(result.position, START_POSITION)).toBeGreaterThan(0);
      });

      it('rejects no_stream on an existing stream with its actual revision', async () => {
        const s = stream();
        await store.append(s, [event('A'), event('B'), event('C')]);
        await expectWrongVersion(
          store.append(s, [event('D')], { expectedState: 'no_stream' }),
          'no_stream',
          2,
        );
      });

      it('rejects stream_exists on a missing stream and accepts it on an existing one', async () => {
        const s = stream();
        await expectWrongVersion(
          store.append(s, [event('A')], { expectedState: 'stream_exists' }),
          'stream_exists',
          'no_stream',
        );
        expect(await store.readStream(s)).toEqual([]);
        await store.append(s, [event('A')]);
        const result = await store.append(s, [event('B')], { expectedState: 'stream_exists' });
        expect(result.nextRevision).toBe(1);
      });

      it('accepts the exact current revision and rejects a stale one with the actual revision', async () => {
        const s = stream();
        await store.append(s, [event('A'), event('B')], { expectedState: 'no_stream' });
        const result = await store.append(s, [event('C')], { expectedState: 1 });
        expect(result.nextRevision).toBe(2);
        await expectWrongVersion(store.append(s, [event('D')], { expectedState: 1 }), 1, 2);
        await expectWrongVersion(store.append(s, [event('D')], { expectedState: 7 }), 7, 2);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('rejects an exact revision on a missing stream with no_stream', async () => {
        await expectWrongVersion(
          store.append(stream(), [event('A')], { expectedState: 0 }),
          0,
          'no_stream',
        );
      });

      it('appends with any whatever the stream state, in increasing positions', async () => {
        const s = stream();
        const first = await store.append(s, [event('A')], { expectedState: 'any' });
        const second = await store.append(s, [event('B')]);
        expect([first.nextRevision, second.nextRevision]).toEqual([0, 1]);
        expect(comparePositions(second.position, first.position)).toBeGreaterThan(0);
      });

      it('reports the position of the last event appended, as reads show it', async () => {
        // waitForPosition waits for the projections to pass this position: it must not sort
        // before any event of the append.
        const from = await store.headPosition();
        const s = stream();
        const result = await store.append(s, [event('A'), event('B'), event('C')]);
        const read = await store.readStream(s);
        expect(read.at(-1)?.position).toBe(result.position);
        expect(read.every((e) => comparePositions(e.position, result.position) <= 0)).toBe(true);
        const { events } = await store.readAll({ after: from, streamPrefix: s });
        expect(events.map((e) => e.position)).toEqual(read.map((e) => e.position));
      });
    });

    describe('when the same events are sent again', () => {
      it('returns the original result and stores nothing twice', async () => {
        const s = stream();
        const events = [event('A'), event('B')];
        await store.append(s, [event('Zero')]);
        const original = await store.append(s, events, { expectedState: 0 });
        const again = await store.append(s, events, { expectedState: 0 });
        expect(again).toEqual(original);
        const againAny = await store.append(s, events);
        expect(againAny).toEqual(original);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['Zero', 'A', 'B']);
      });

      it('returns the original result when the first append of a stream is sent again', async () => {
        const s = stream();
        const events = [event('Created'), event('Renamed')];
        const original = await store.append(s, events, { expectedState: 'no_stream' });
        const again = await store.append(s, events, { expectedState: 'no_stream' });
        expect(again).toEqual(original);
        expect(await store.readStream(s)).toHaveLength(2);
      });

      // "A partial overlap" and "ids already stored in another stream" are refused by the
      // PostgreSQL store only: EventStoreDB checks ids within one stream, and only when the
      // expected revision is behind the stream's or `any` (see NewEvent.id in the port). They
      // run in postgres/postgres-event-store-idempotency.int.spec.ts.
    });

    describe('when reading a stream', () => {
      let s: string;
      beforeAll(async () => {
        s = stream();
        for (const type of ['E0', 'E1', 'E2', 'E3', 'E4']) await store.append(s, [event(type)]);
      });

      it('reads forwards from the start', async () => {
        const events = await store.readStream(s);
        expect(events.map((e) => [e.type, e.revision])).toEqual([
          ['E0', 0],
          ['E1', 1],
          ['E2', 2],
          ['E3', 3],
          ['E4', 4],
        ]);
        expect(events.every((e) => e.streamName === s)).toBe(true);
      });

      it('reads backwards from the end', async () => {
        const events = await store.readStream(s, { direction: 'backwards' });
        expect(events.map((e) => e.revision)).toEqual([4, 3, 2, 1, 0]);
      });

      it('reads from a revision with a limit in both directions', async () => {
        const forwards = await store.readStream(s, { fromRevision: 2, limit: 2 });
        expect(forwards.map((e) => e.revision)).toEqual([2, 3]);
        const backwards = await store.readStream(s, {
          direction: 'backwards',
          fromRevision: 2,
          limit: 2,
        });
        expect(backwards.map((e) => e.revision)).toEqual([2, 1]);
      });

      it('returns [] for a stream that does not exist', async () => {
        expect(await store.readStream(stream())).toEqual([]);
      });
    });

    describe('when recording time and metadata', () => {
      it('takes the recorded time from the injected clock and reads as of a moment', async () => {
        const s = stream();
        now = new Date('2026-02-01T10:00:00.000Z');
        await store.append(s, [event('Early')]);
        now = new Date('2026-03-01T10:00:00.000Z');
        await store.append(s, [event('Late')]);
        const events = await store.readStream(s);
        expect(events.map((e) => e.recordedAt.toISOString())).toEqual([
          '2026-02-01T10:00:00.000Z',
          '2026-03-01T10:00:00.000Z',
        ]);
        const asOf = await store.readStream(s, {
          recordedUpTo: new Date('2026-02-15T00:00:00.000Z'),
        });
        expect(asOf.map((e) => e.type)).toEqual(['Early']);
      });

      it('round-trips tenant metadata, extra keys and the event id', async () => {
        const s = stream();
        const sent = event(
          'WithMeta',
          { nested: { n: 1, list: ['x'] } },
          {
            tenantId: 'tenant-z',
            causationId: 'cause-1',
            cycleId: 'cycle-9',
          },
        );
        await store.append(s, [sent]);
        const [read] = await store.readStream(s);
        expect(read).toMatchObject({
          id: sent.id,
          type: 'WithMeta',
          data: sent.data,
          metadata: sent.metadata,
        });
      });
    });

    describe('when reading all events', () => {
      let from: string;
      const tenant = `tenant-${randomUUID()}`;
      const prefix = `rall${randomUUID().slice(0, 8)}`;
      let appended: string[];
      beforeAll(async () => {
        from = await store.headPosition();
        appended = [];
        const specs: [string, string, Record<string, string>][] = [
          [`${prefix}a-1`, 'Created', { cycleId: 'q1' }],
          [`${prefix}b-1`, 'Renamed', { cycleId: 'q1' }],
          [`${prefix}a-2`, 'Created', { cycleId: 'q2' }],
          [`${prefix}a-1`, 'CheckedIn', { cycleId: 'q1' }],
          [`${prefix}b-2`, 'CheckedIn', { cycleId: 'q2' }],
        ];
        for (const [s, type, extra] of specs) {
          const e = event(type, {}, { tenantId: tenant, ...extra });
          await store.append(s, [e]);
          appended.push(e.id!);
        }
      });

      async function ours(options: Parameters<EventStore['readAll']>[0]): Promise<RecordedEvent[]> {
        const { events } = await store.readAll({ after: from, limit: 100, ...options });
        return events.filter((e) => e.streamName.startsWith(prefix));
      }

      it('pages after an exclusive position in global order', async () => {
        const first = await store.readAll({ after: from, limit: 2, streamPrefix: prefix });
        expect(first.events.map((e) => e.id)).toEqual(appended.slice(0, 2));
        expect(first.isEnd).toBe(false);
        expect(first.checkpoint).toBe(first.events[1]!.position);
        const rest = await store.readAll({
          after: first.checkpoint,
          limit: 10,
          streamPrefix: prefix,
        });
        expect(rest.events.map((e) => e.id)).toEqual(appended.slice(2));
        expect(rest.isEnd).toBe(true);
        const positions = [...first.events, ...rest.events].map((e) => e.position);
        expect([...positions].sort(comparePositions)).toEqual(positions);
      });

      it('filters by event type, stream prefix and metadata equality', async () => {
        expect((await ours({ eventTypes: ['CheckedIn'] })).map((e) => e.id)).toEqual([
          appended[3],
          appended[4],
        ]);
        expect((await ours({ streamPrefix: `${prefix}b-` })).map((e) => e.id)).toEqual([
          appended[1],
          appended[4],
        ]);
        const q1 = await store.readAll({
          after: from,
          metadata: { tenantId: tenant, cycleId: 'q1' },
        });
        expect(q1.events.map((e) => e.id)).toEqual([appended[0], appended[1], appended[3]]);
      });

      it('reads one cycle of a tenant across its streams in global order, page by page', async () => {
        // How time travel and cycle replays read (EventStoreDB: from the adapter's cycle index).
        const cycle = { after: from, metadata: { tenantId: tenant, cycleId: 'q1' } };
        const first = await store.readAll({ ...cycle, limit: 2 });
        expect(first.events.map((e) => e.id)).toEqual([appended[0], appended[1]]);
        expect(first.isEnd).toBe(false);
        const rest = await store.readAll({ ...cycle, after: first.checkpoint, limit: 2 });
        expect(rest.events.map((e) => e.id)).toEqual([appended[3]]);
        expect(rest.isEnd).toBe(true);
        const checkedIn = await store.readAll({ ...cycle, eventTypes: ['CheckedIn'] });
        expect(checkedIn.events.map((e) => e.id)).toEqual([appended[3]]);
        const otherTenant = await store.readAll({
          after: from,
          metadata: { tenantId: `${tenant}-other`, cycleId: 'q1' },
        });
        expect(otherTenant.events).toEqual([]);
      });

      it('advances the checkpoint past filtered-out events', async () => {
        const result = await store.readAll({ after: from, eventTypes: ['NothingMatches'] });
        expect(result.events).toEqual([]);
        expect(result.isEnd).toBe(true);
        const head = await store.headPosition();
        expect(comparePositions(result.checkpoint, head)).toBeGreaterThanOrEqual(0);
        expect(comparePositions(result.checkpoint, from)).toBeGreaterThan(0);
      });

      it('reads as of a recorded time', async () => {
        const all = await store.readAll({ after: from, metadata: { tenantId: tenant } });
        expect(all.events).toHaveLength(5);
        const none = await store.readAll({
          after: from,
          metadata: { tenantId: tenant },
          recordedUpTo: new Date(now.getTime() - 1),
        });
        expect(none.events).toEqual([]);
      });
    });

    describe('when subscribing', () => {
      it('catches up, then receives live events, in global order, past filtered events', async () => {
        const from = await store.headPosition();
        const prefix = `sub${randomUUID().slice(0, 8)}`;
        const before = [event('Sub'), event('Sub')];
        await store.append(`${prefix}-1`, before);
        await store.append(`other-${randomUUID()}`, [event('Sub')]);
        const received: RecordedEvent[] = [];
        const checkpoints: string[] = [];
        const subscription = store.subscribe({
          from,
          streamPrefix: prefix,
          batchSize: 1,
          handler: async (batch, checkpoint) => {
            received.push(...batch);
            checkpoints.push(checkpoint);
          },
        });
        try {
          await waitFor(() => received.length === 2);
          const live = event('Sub');
          await store.append(`${prefix}-2`, [live]);
          await waitFor(() => received.length === 3);
          expect(received.map((e) => e.id)).toEqual([...before.map((e) => e.id), live.id]);
          expect([...checkpoints].sort(comparePositions)).toEqual(checkpoints);
          expect(checkpoints.at(-1)! >= received[2]!.position).toBe(true);
        } finally {
          await subscription.stop();
        }
        await expect(subscription.done).resolves.toBeUndefined();
      });

      it('moves its checkpoint past events its filter skips', async () => {
        const from = await store.headPosition();
        const checkpoints: string[] = [];
        const received: RecordedEvent[] = [];
        const subscription = store.subscribe({
          from,
          eventTypes: [`NothingMatches${randomUUID()}`],
          handler: async (batch, checkpoint) => {
            received.push(...batch);
            checkpoints.push(checkpoint);
          },
        });
        try {
          // 2 × 40 events: more than EventStoreDB's checkpoint window of 32 records.
          const first = await store.append(
            stream(),
            Array.from({ length: 40 }, () => event('Other')),
          );
          await store.append(
            stream(),
            Array.from({ length: 40 }, () => event('Other')),
          );
          await waitFor(() => checkpoints.some((c) => comparePositions(c, first.position) >= 0));
          expect(received).toEqual([]);
          expect([...checkpoints].sort(comparePositions)).toEqual(checkpoints);
        } finally {
          await subscription.stop();
        }
      });
    });

    describe('when an upcaster is registered', () => {
      it('upcasts a renamed field on every read without rewriting the log', async () => {
        const from = await store.headPosition();
        const s = stream('upcast');
        await store.append(s, [event('ContractRenamed', { title: 'Grow' })]);
        const [fromStream] = await store.readStream(s);
        expect(fromStream?.data).toEqual({ name: 'Grow' });
        expect(fromStream?.metadata.schemaVersion).toBe(2);
        const { events } = await store.readAll({ after: from, streamPrefix: s });
        expect(events[0]?.data).toEqual({ name: 'Grow' });
        const seen: RecordedEvent[] = [];
        const subscription = store.subscribe({
          from,
          streamPrefix: s,
          handler: async (batch) => {
            seen.push(...batch);
          },
        });
        await waitFor(() => seen.length === 1);
        await subscription.stop();
        expect(seen[0]?.data).toEqual({ name: 'Grow' });
      });
    });
  });
}
