import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@okr-ledger/testing/test-database';
import type { TestDatabase } from '@okr-ledger/testing/test-database';
import { IdempotencyKeyReused, WrongExpectedVersion } from './event-store.errors';
import { requestHash } from './idempotency';
import { handleCommand } from './handle-command';
import type { StreamDecider } from './handle-command';
import { createPostgresEventStore } from './postgres/postgres-event-store';
import type { PostgresEventStore } from './postgres/postgres-event-store';
import { metadata } from './testing/event-store.contract';

type Command = { kind: 'add'; amount: number } | { kind: 'noop' };
type Added = { type: 'Added'; data: { amount: number } };
interface Total {
  total: number;
}

const counter: StreamDecider<Total, Command, Added, { limit: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, e) => ({ total: state.total + e.data.amount }),
  decide: (command, state, context) => {
    if (command.kind === 'noop') return [];
    if (state.total + command.amount > context.limit) throw new Error('over the limit');
    return [{ type: 'Added', data: { amount: command.amount } }];
  },
};

describe('handleCommand', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const context = { limit: 1000 };

  beforeAll(async () => {
    database = await createTestDatabase('handle_command');
    store = await createPostgresEventStore(database.url);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  describe('when the decider emits events', () => {
    it('appends them after the revision read and returns the new state and position', async () => {
      const stream = `counter-${randomUUID()}`;
      const meta = metadata({ cycleId: 'q1' });
      await handleCommand(store, stream, counter, { kind: 'add', amount: 2 }, context, {
        metadata: meta,
      });
      const result = await handleCommand(
        store,
        stream,
        counter,
        { kind: 'add', amount: 3 },
        context,
        {
          metadata: meta,
        },
      );
      expect(result.state).toEqual({ total: 5 });
      expect(result.nextRevision).toBe(1);
      expect(result.events).toMatchObject([{ type: 'Added', revision: 1, data: { amount: 3 } }]);
      const stored = await store.readStream(stream);
      expect(stored.at(-1)?.position).toBe(result.position);
      expect(stored.at(-1)?.metadata.cycleId).toBe('q1');
    });
  });

  describe('when the caller keeps the folded state', () => {
    it('answers the recorded state before the new events, which as `from` decides the same', async () => {
      const stream = `counter-${randomUUID()}`;
      const first = await handleCommand(
        store,
        stream,
        counter,
        { kind: 'add', amount: 2 },
        context,
        {
          metadata: metadata(),
        },
      );
      expect(first.folded).toEqual({ state: { total: 0 }, revision: -1 });
      const second = await handleCommand(
        store,
        stream,
        counter,
        { kind: 'add', amount: 3 },
        context,
        {
          metadata: metadata(),
        },
      );
      expect(second.folded).toEqual({ state: { total: 2 }, revision: 0 });
      // Kept from before the second command: only the later event is read and folded onto it.
      const tight = { limit: 9 };
      const third = await handleCommand(store, stream, counter, { kind: 'add', amount: 4 }, tight, {
        metadata: metadata(),
        from: second.folded,
      });
      expect(third).toMatchObject({
        nextRevision: 2,
        state: { total: 9 },
        folded: { revision: 1 },
      });
      expect(third.history.map((e) => e.revision)).toEqual([1]);
      await expect(
        handleCommand(store, stream, counter, { kind: 'add', amount: 1 }, tight, {
          metadata: metadata(),
          from: second.folded,
        }),
      ).rejects.toThrow('over the limit');
    });
  });

  describe('when the decider emits nothing', () => {
    it('appends nothing and returns the current revision without a position', async () => {
      const stream = `counter-${randomUUID()}`;
      await handleCommand(store, stream, counter, { kind: 'add', amount: 1 }, context, {
        metadata: metadata(),
      });
      const result = await handleCommand(store, stream, counter, { kind: 'noop' }, context, {
        metadata: metadata(),
      });
      expect(result).toMatchObject({
        events: [],
        nextRevision: 0,
        position: null,
        state: { total: 1 },
        replayed: false,
      });
      expect(await store.readStream(stream)).toHaveLength(1);
    });
  });

  describe("when the caller's expected revision is stale", () => {
    it('fails with the current revision and does not retry', async () => {
      const stream = `counter-${randomUUID()}`;
      for (let i = 0; i < 3; i++) {
        await handleCommand(store, stream, counter, { kind: 'add', amount: 1 }, context, {
          metadata: metadata(),
        });
      }
      const attempt = handleCommand(store, stream, counter, { kind: 'add', amount: 1 }, context, {
        metadata: metadata(),
        expectedRevision: 0,
        retryOnConflict: 5,
      });
      await expect(attempt).rejects.toMatchObject({ expected: 0, actual: 2 });
      expect(await store.readStream(stream)).toHaveLength(3);
    });
  });

  describe('when concurrent commands conflict', () => {
    it('retries commutative commands when allowed, so none is lost', async () => {
      const stream = `counter-${randomUUID()}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          handleCommand(store, stream, counter, { kind: 'add', amount: 1 }, context, {
            metadata: metadata(),
            retryOnConflict: 20,
          }),
        ),
      );
      expect(results.map((r) => r.nextRevision).sort((a, b) => a - b)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7,
      ]);
      expect(Math.max(...results.map((r) => r.state.total))).toBe(8);
    });

    it('surfaces the conflict when retries are not allowed', async () => {
      const stream = `counter-${randomUUID()}`;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          handleCommand(store, stream, counter, { kind: 'add', amount: 1 }, context, {
            metadata: metadata(),
          }),
        ),
      );
      const failures = outcomes.filter((o) => o.status === 'rejected');
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) expect(f.reason).toBeInstanceOf(WrongExpectedVersion);
      const stored = await store.readStream(stream);
      expect(stored).toHaveLength(outcomes.length - failures.length);
    });
  });

  describe('when a command carries an idempotency key', () => {
    const add = (amount: number) => ({ kind: 'add' as const, amount });
    const keyed = (key: string, amount: number) => ({
      metadata: metadata(),
      idempotency: { key, requestHash: requestHash('add', { amount }) },
    });

    it('records the key and hash on its events, and a retry answers the first result', async () => {
      const stream = `counter-${randomUUID()}`;
      const first = await handleCommand(store, stream, counter, add(2), context, keyed('k1', 2));
      await handleCommand(store, stream, counter, add(5), context, { metadata: metadata() });
      const again = await handleCommand(store, stream, counter, add(2), context, keyed('k1', 2));
      expect(again).toMatchObject({
        replayed: true,
        events: [],
        nextRevision: first.nextRevision,
        position: first.position,
        state: { total: 2 },
      });
      const stored = await store.readStream(stream);
      expect(stored.map((e) => e.data.amount)).toEqual([2, 5]);
      expect(stored[0]?.metadata).toMatchObject({
        idempotencyKey: 'k1',
        requestHash: requestHash('add', { amount: 2 }),
      });
    });

    it('refuses the same key with another request, recording nothing', async () => {
      const stream = `counter-${randomUUID()}`;
      await handleCommand(store, stream, counter, add(2), context, keyed('k2', 2));
      await expect(
        handleCommand(store, stream, counter, add(3), context, keyed('k2', 3)),
      ).rejects.toBeInstanceOf(IdempotencyKeyReused);
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('answers the first result to a retry with a revision that is stale since, not a conflict', async () => {
      const stream = `counter-${randomUUID()}`;
      await handleCommand(store, stream, counter, add(1), context, { metadata: metadata() });
      const options = { ...keyed('k3', 2), expectedRevision: 0 };
      const first = await handleCommand(store, stream, counter, add(2), context, options);
      const again = await handleCommand(store, stream, counter, add(2), context, options);
      expect(again).toMatchObject({ replayed: true, position: first.position, nextRevision: 1 });
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('records concurrent identical requests once and answers each the same result', async () => {
      const stream = `counter-${randomUUID()}`;
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          handleCommand(store, stream, counter, add(4), context, keyed('k4', 4)),
        ),
      );
      expect(new Set(results.map((r) => r.position)).size).toBe(1);
      expect(results.every((r) => r.nextRevision === 0)).toBe(true);
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('refuses one of two concurrent requests with one key but different inputs', async () => {
      for (let round = 0; round < 5; round++) {
        const stream = `counter-${randomUUID()}`;
        const outcomes = await Promise.allSettled([
          handleCommand(store, stream, counter, add(1), context, keyed(`k8-${round}`, 1)),
          handleCommand(store, stream, counter, add(2), context, keyed(`k8-${round}`, 2)),
        ]);
        const refused = outcomes.filter((o) => o.status === 'rejected');
        expect(refused).toHaveLength(1);
        expect(refused[0]?.reason).toBeInstanceOf(IdempotencyKeyReused);
        expect(await store.readStream(stream)).toHaveLength(1);
      }
    });

    it('refuses the key used before for another stream of the tenant (unique event ids)', async () => {
      const used = `counter-${randomUUID()}`;
      await handleCommand(store, used, counter, add(1), context, keyed('k5', 1));
      const other = `counter-${randomUUID()}`;
      await expect(
        handleCommand(store, other, counter, add(1), context, keyed('k5', 1)),
      ).rejects.toBeInstanceOf(IdempotencyKeyReused);
      expect(await store.readStream(other)).toHaveLength(0);
    });

    it('keys of another tenant do not collide', async () => {
      const stream = `counter-${randomUUID()}`;
      await handleCommand(store, stream, counter, add(1), context, keyed('k6', 1));
      const elsewhere = `counter-${randomUUID()}`;
      const theirs = await handleCommand(store, elsewhere, counter, add(1), context, {
        ...keyed('k6', 1),
        metadata: metadata({ tenantId: 'tenant-b' }),
      });
      expect(theirs.replayed).toBe(false);
      expect(await store.readStream(elsewhere)).toHaveLength(1);
    });

    it('reads events recorded before keys existed (no key in their metadata) as before', async () => {
      const stream = `counter-${randomUUID()}`;
      await handleCommand(store, stream, counter, add(1), context, { metadata: metadata() });
      const keyedResult = await handleCommand(
        store,
        stream,
        counter,
        add(2),
        context,
        keyed('k7', 2),
      );
      expect(keyedResult).toMatchObject({ replayed: false, nextRevision: 1, state: { total: 3 } });
    });
  });
});
