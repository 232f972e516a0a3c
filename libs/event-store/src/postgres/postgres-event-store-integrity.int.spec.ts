import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store';

const acme = { tenantId: 'acme' };
const globex = { tenantId: 'globex' };

describe('PostgresEventStore tamper evidence', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let admin: Client;

  beforeAll(async () => {
    database = await createTestDatabase('event_store_integrity');
    store = await createPostgresEventStore(database.url);
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await store.close();
    await database.drop();
  });

  /** What a superuser can do around the trigger: the chain must still tell. */
  async function tamper(sql: string, values: unknown[]): Promise<void> {
    await admin.query('BEGIN');
    await admin.query('ALTER TABLE event_store.events DISABLE TRIGGER events_are_immutable');
    await admin.query(sql, values);
    await admin.query('ALTER TABLE event_store.events ENABLE TRIGGER events_are_immutable');
    await admin.query('COMMIT');
  }

  async function appendStream(tenant: { tenantId: string }) {
    const stream = `key-result-${randomUUID()}`;
    // The single-statement first append, then the append function on an existing stream.
    await store.append(stream, [event('KeyResultAdded', { title: 'NPS' }, tenant)], {
      expectedState: 'no_stream',
    });
    await store.append(
      stream,
      [
        event('KeyResultCheckedIn', { value: 10 }, tenant),
        event('KeyResultCheckedIn', { value: 12 }, tenant),
      ],
      { expectedState: 0 },
    );
    return stream;
  }

  describe('when someone tries to change a recorded event', () => {
    it.each([
      ['UPDATE', `UPDATE event_store.events SET data = '{"value": 99}'`],
      ['DELETE', 'DELETE FROM event_store.events'],
      ['TRUNCATE', 'TRUNCATE event_store.events'],
    ])('refuses %s', async (_verb, sql) => {
      await appendStream(acme);
      await expect(admin.query(sql)).rejects.toMatchObject({
        code: 'EV002',
        message: 'recorded events are immutable: record a correcting event instead',
      });
    });
  });

  describe('when nothing was tampered with', () => {
    it('finds every link intact and digests the heads reproducibly', async () => {
      const streams = [await appendStream(acme), await appendStream(acme)];
      // The append function's own new-stream path (expected state any) links too.
      await store.append(`team-${randomUUID()}`, [event('TeamCreated', {}, acme)]);
      const report = await store.verifyIntegrity(acme);
      expect(report.problems).toEqual([]);
      expect(report.checkedEvents).toBeGreaterThanOrEqual(7);
      expect(report.streams).toBeGreaterThanOrEqual(3);
      expect(report.digest).toMatch(/^[0-9a-f]{64}$/);

      // Later events change today's digest, not the digest at the earlier position.
      await store.append(streams[0]!, [event('KeyResultCheckedIn', { value: 14 }, acme)]);
      const later = await store.verifyIntegrity(acme);
      expect(later.digest).not.toBe(report.digest);
      expect(later.checkedEvents).toBe(report.checkedEvents + 1);
      const again = await store.verifyIntegrity({ ...acme, upTo: report.position });
      expect(again.digest).toBe(report.digest);
      expect(again.checkedEvents).toBe(report.checkedEvents);
    });
  });

  describe('when an event was edited around the trigger', () => {
    it('names the stream and revision whose content no longer matches its link', async () => {
      const stream = await appendStream(globex);
      await tamper(
        `UPDATE event_store.events SET data = '{"value": 99}' WHERE stream_name = $1 AND revision = 1`,
        [stream],
      );
      const report = await store.verifyIntegrity(globex);
      expect(report.problems).toContainEqual({
        streamName: stream,
        revision: 1,
        problem: 'content does not match its hash',
      });
      // The other tenant's chains are not its concern, and still hold.
      expect((await store.verifyIntegrity(acme)).problems).toEqual([]);
    });

    it('notices a deleted event in the middle and at the head of a stream', async () => {
      const tenant = { tenantId: `t-${randomUUID()}` };
      const middle = await appendStream(tenant);
      const head = await appendStream(tenant);
      await tamper('DELETE FROM event_store.events WHERE stream_name = $1 AND revision = 1', [
        middle,
      ]);
      await tamper('DELETE FROM event_store.events WHERE stream_name = $1 AND revision = 2', [
        head,
      ]);
      const { problems } = await store.verifyIntegrity(tenant);
      expect(problems).toContainEqual({
        streamName: middle,
        revision: 2,
        problem: 'revision missing before',
      });
      expect(problems).toContainEqual({
        streamName: head,
        revision: 2,
        problem: 'head does not match the last event',
      });
    });

    it('notices a rewritten chain through a digest noted earlier', async () => {
      const tenant = { tenantId: `t-${randomUUID()}` };
      const stream = await appendStream(tenant);
      const noted = await store.verifyIntegrity(tenant);
      // A careful forger recomputes every link after the change and the head: the chain
      // holds again, but the digest noted before differs.
      await tamper(
        `UPDATE event_store.events e SET data = '{"value": 11}' WHERE stream_name = $1 AND revision = 1`,
        [stream],
      );
      await tamper(
        `WITH RECURSIVE chain AS (
           SELECT e.revision, e.hash FROM event_store.events e WHERE e.stream_name = $1 AND e.revision = 0
           UNION ALL
           SELECT e.revision, event_store.event_hash(c.hash, e.event_id, e.stream_name, e.revision,
                    e.type, e.data, e.metadata, e.recorded_at)
             FROM chain c JOIN event_store.events e ON e.stream_name = $1 AND e.revision = c.revision + 1)
         UPDATE event_store.events e SET hash = chain.hash FROM chain
          WHERE e.stream_name = $1 AND e.revision = chain.revision`,
        [stream],
      );
      await admin.query(
        `UPDATE event_store.streams s SET last_hash = e.hash FROM event_store.events e
          WHERE s.stream_name = $1 AND e.stream_name = $1 AND e.revision = s.revision`,
        [stream],
      );
      const now = await store.verifyIntegrity({ ...tenant, upTo: noted.position });
      expect(now.problems).toEqual([]);
      expect(now.digest).not.toBe(noted.digest);
    });
  });
});
