import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { chainLink, eventLeafHash } from '../ledger/canonical-event';
import { checkpointFile, verifyBundle, writeBundle } from '../ledger/evidence-bundle';
import { merkleRoot, verifyConsistency, verifyInclusion } from '../ledger/merkle-tree';
import { checkpointProblem } from '../ledger/signed-checkpoint';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store';
import {
  LedgerCheckpointMismatch,
  LedgerProofUnavailable,
  PostgresLedger,
} from './postgres-ledger';

const { privateKey } = generateKeyPairSync('ed25519');

describe('PostgresLedger', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let ledger: PostgresLedger;
  let admin: Client;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase('event_store_ledger');
    store = await createPostgresEventStore(database.url);
    ledger = new PostgresLedger(store.pool, privateKey);
    admin = new Client({ connectionString: database.url });
    await admin.connect();
    dir = await mkdtemp(join(tmpdir(), 'okr-ledger-'));
  });
  afterAll(async () => {
    await admin.end();
    await store.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function appendStream(tenantId: string, data: Record<string, unknown> = {}) {
    const stream = `key-result-${randomUUID()}`;
    await store.append(stream, [event('KeyResultAdded', { title: 'NPS', ...data }, { tenantId })], {
      expectedState: 'no_stream',
    });
    await store.append(
      stream,
      [
        event('KeyResultCheckedIn', { value: 10.5 }, { tenantId }),
        event('KeyResultCheckedIn', { value: 12, note: 'ünïcode "quoted"\n\ttab' }, { tenantId }),
      ],
      { expectedState: 0 },
    );
    return stream;
  }

  describe('when it reads an organisation’s log', () => {
    it('recomputes every stored chain link from the canonical events', async () => {
      const tenant = `t-${randomUUID()}`;
      await appendStream(tenant, {
        weird: { bb: [1, 2e-7, 1e21], a: null, é: true, '': '\u0001' },
      });
      await appendStream(tenant);
      const events = await ledger.events(tenant);
      expect(events).toHaveLength(6);
      const heads = new Map<string, string>();
      for (const e of events) {
        expect(chainLink(heads.get(e.stream) ?? null, e)).toBe(e.hash);
        heads.set(e.stream, e.hash);
      }
      // Exponents print otherwise in PostgreSQL: only that event keeps PostgreSQL's text.
      expect(events.filter((e) => e.jsonb).map((e) => e.type)).toEqual(['KeyResultAdded']);
    });
    it('leaves other organisations out', async () => {
      const tenant = `t-${randomUUID()}`;
      await appendStream(`other-${randomUUID()}`);
      await appendStream(tenant);
      const tenants = (await ledger.events(tenant)).map(
        (e) => (e.metadata as { tenantId: string }).tenantId,
      );
      expect(tenants).toEqual([tenant, tenant, tenant]);
    });
  });

  describe('when a checkpoint is taken', () => {
    it('signs the size, root and last position, keeps it and lists it newest first', async () => {
      const tenant = `t-${randomUUID()}`;
      await appendStream(tenant);
      const first = await ledger.takeCheckpoint(tenant);
      await appendStream(tenant);
      const second = await ledger.takeCheckpoint(tenant, 'cycle-closed');
      const events = await ledger.events(tenant);
      expect(first.size).toBe(3);
      expect(second).toMatchObject({ size: 6, reason: 'cycle-closed', organisation: tenant });
      expect(second.root).toBe(merkleRoot(events.map(eventLeafHash)).toString('hex'));
      expect(second.position).toBe(events[5]?.position);
      expect(checkpointProblem(second, ledger.publicKey)).toBeNull();
      const page = await ledger.checkpoints(tenant, { first: 1 });
      expect(page).toMatchObject({ hasNextPage: true, totalCount: 2 });
      expect(page.items.map((c) => c.size)).toEqual([6]);
      const next = await ledger.checkpoints(tenant, { first: 5, after: page.items[0]?.seq });
      expect(next.items.map((c) => c.size)).toEqual([3]);
      expect(next.hasNextPage).toBe(false);
    });
    it('keeps every checkpoint a prefix of the next while appends run beside it', async () => {
      const tenant = `t-${randomUUID()}`;
      const neighbour = `n-${randomUUID()}`;
      const taken = await Promise.all([
        ...Array.from({ length: 8 }, (_, i) => appendStream(i % 2 ? tenant : neighbour)),
        ...Array.from({ length: 4 }, () => ledger.takeCheckpoint(tenant)),
      ]).then((results) => results.filter((r) => typeof r !== 'string'));
      const last = await ledger.takeCheckpoint(tenant);
      expect(last.size).toBe(12);
      expect(await ledger.holds(last)).toBe(true);
      for (const checkpoint of taken) {
        const before = await ledger.holds(checkpoint);
        expect(before).toBe(true);
        if (checkpoint.size === 0) continue;
        const proof = await ledger.consistencyProof(tenant, checkpoint.size, last.size);
        expect(
          verifyConsistency(
            checkpoint.size,
            last.size,
            Buffer.from(checkpoint.root, 'hex'),
            Buffer.from(last.root, 'hex'),
            proof.hashes.map((h) => Buffer.from(h, 'hex')),
          ),
        ).toBe(true);
      }
    });
    it('lists more than ten newest first (by number, not text)', async () => {
      const tenant = `t-${randomUUID()}`;
      for (let i = 0; i < 11; i++) {
        await store.append(
          `team-${randomUUID()}`,
          [event('TeamCreated', {}, { tenantId: tenant })],
          {
            expectedState: 'no_stream',
          },
        );
        await ledger.takeCheckpoint(tenant);
      }
      const { items } = await ledger.checkpoints(tenant, { first: 20 });
      expect(items.map((c) => c.size)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      expect((await ledger.latestCheckpoint(tenant))?.size).toBe(11);
      expect((await ledger.checkpointOfSize(tenant, 10))?.size).toBe(10);
    });
    it('signs an empty log as size 0', async () => {
      const checkpoint = await ledger.takeCheckpoint(`t-${randomUUID()}`);
      expect(checkpoint).toMatchObject({
        size: 0,
        root: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      });
    });
    it('refuses to update, delete or truncate checkpoints and kept leaves', async () => {
      await ledger.takeCheckpoint(`t-${randomUUID()}`);
      for (const sql of [
        `UPDATE event_store.ledger_checkpoints SET root = 'x'`,
        'DELETE FROM event_store.ledger_checkpoints',
        'TRUNCATE event_store.ledger_checkpoints',
        `UPDATE event_store.ledger_leaves SET leaf_hash = 'x'`,
        'DELETE FROM event_store.ledger_leaves',
        'TRUNCATE event_store.ledger_leaves',
      ]) {
        await expect(admin.query(sql)).rejects.toMatchObject({ code: 'EV002' });
      }
    });
  });

  describe('when proofs are asked', () => {
    it('proves an event’s inclusion in the latest checkpoint and two checkpoints consistent', async () => {
      const tenant = `t-${randomUUID()}`;
      await appendStream(tenant);
      const from = await ledger.takeCheckpoint(tenant);
      await appendStream(tenant);
      await appendStream(tenant);
      const to = await ledger.takeCheckpoint(tenant);
      const events = await ledger.events(tenant);
      const target = events[4];
      if (!target) throw new Error('no event 4');
      const proof = await ledger.inclusionProof(tenant, target.position);
      expect(proof).toMatchObject({ leafIndex: 4, treeSize: 9, checkpoint: { seq: to.seq } });
      expect(
        verifyInclusion(
          proof.leafIndex,
          proof.treeSize,
          Buffer.from(proof.leafHash, 'hex'),
          proof.hashes.map((h) => Buffer.from(h, 'hex')),
          Buffer.from(to.root, 'hex'),
        ),
      ).toBe(true);
      const consistency = await ledger.consistencyProof(tenant, 3, 9);
      expect(
        verifyConsistency(
          3,
          9,
          Buffer.from(from.root, 'hex'),
          Buffer.from(to.root, 'hex'),
          consistency.hashes.map((h) => Buffer.from(h, 'hex')),
        ),
      ).toBe(true);
    });
    it('says why it cannot prove', async () => {
      const tenant = `t-${randomUUID()}`;
      await appendStream(tenant);
      const [e] = await ledger.events(tenant);
      await expect(ledger.inclusionProof(tenant, e?.position ?? '')).rejects.toMatchObject({
        reason: 'no-checkpoint',
      });
      await ledger.takeCheckpoint(tenant);
      const other = (await ledger.events(`other-${randomUUID()}`))[0]?.position;
      expect(other).toBeUndefined();
      await expect(
        ledger.inclusionProof(tenant, `${'0'.repeat(20)}-${'0'.repeat(19)}1`),
      ).rejects.toBeInstanceOf(LedgerProofUnavailable);
      await expect(ledger.consistencyProof(tenant, 2, 3)).rejects.toMatchObject({
        reason: 'no-checkpoint-of-size',
      });
    });
    it('refuses to prove an event changed after it was signed', async () => {
      const tenant = `t-${randomUUID()}`;
      const stream = await appendStream(tenant);
      await ledger.takeCheckpoint(tenant);
      // A superuser rewrites an event around the trigger and re-hashes nothing.
      await admin.query('BEGIN');
      await admin.query('ALTER TABLE event_store.events DISABLE TRIGGER events_are_immutable');
      await admin.query(
        `UPDATE event_store.events SET data = '{"value": 99}' WHERE stream_name = $1 AND revision = 1`,
        [stream],
      );
      await admin.query('ALTER TABLE event_store.events ENABLE TRIGGER events_are_immutable');
      await admin.query('COMMIT');
      const [first, changed] = await ledger.events(tenant);
      await expect(ledger.inclusionProof(tenant, changed?.position ?? '')).rejects.toBeInstanceOf(
        LedgerCheckpointMismatch,
      );
      // An untouched event is still proven: its leaf was signed and has not changed.
      await expect(ledger.inclusionProof(tenant, first?.position ?? '')).resolves.toMatchObject({
        leafIndex: 0,
      });
      const [latest] = (await ledger.checkpoints(tenant, { first: 1 })).items;
      expect(latest && (await ledger.holds(latest))).toBe(false);
    });
  });

  describe('when a whole stream is deleted around the trigger', () => {
    it('is named by verify_chains(tenant) once a checkpoint signed its events', async () => {
      const tenant = `t-${randomUUID()}`;
      const kept = await appendStream(tenant);
      const deleted = await appendStream(tenant);
      const unsigned = await appendStream(tenant);
      await ledger.takeCheckpoint(tenant);
      await admin.query('BEGIN');
      await admin.query('ALTER TABLE event_store.events DISABLE TRIGGER events_are_immutable');
      await admin.query(`DELETE FROM event_store.events WHERE stream_name = ANY($1)`, [
        [deleted, unsigned],
      ]);
      await admin.query(`DELETE FROM event_store.streams WHERE stream_name = $1`, [deleted]);
      await admin.query('ALTER TABLE event_store.events ENABLE TRIGGER events_are_immutable');
      await admin.query('COMMIT');
      const report = await store.verifyIntegrity({ tenantId: tenant });
      expect(report.problems).toEqual(
        [0, 1, 2]
          .flatMap((revision) => [
            { streamName: deleted, revision, problem: 'event signed in a checkpoint is missing' },
            { streamName: unsigned, revision, problem: 'event signed in a checkpoint is missing' },
          ])
          .sort((a, b) => a.streamName.localeCompare(b.streamName) || a.revision - b.revision),
      );
      expect(report.problems.some((p) => p.streamName === kept)).toBe(false);
      // Over every tenant, the stream row left without events is named as well.
      const { rows } = await admin.query<{ stream_name: string; problem: string }>(
        `SELECT stream_name, problem FROM event_store.verify_chains(NULL) WHERE stream_name = $1`,
        [unsigned],
      );
      expect(rows.map((r) => r.problem)).toContain('stream has no events left');
    });
  });

  describe('when the log is exported', () => {
    it('writes a bundle the offline verifier accepts, consistent with an earlier checkpoint', async () => {
      const tenant = `t-${randomUUID()}`;
      await appendStream(tenant, { weird: [1e21] });
      const earlier = await ledger.takeCheckpoint(tenant);
      await appendStream(tenant);
      const checkpoint = await ledger.takeCheckpoint(tenant);
      const out = join(dir, 'bundle');
      await writeBundle(
        out,
        {
          organisation: tenant,
          cycle: null,
          createdAt: new Date().toISOString(),
          events: await ledger.events(tenant, checkpoint.size),
          auditRows: [],
          checkpoint,
        },
        privateKey,
      );
      const trusted = join(dir, 'earlier.json');
      await writeFile(trusted, checkpointFile(earlier));
      const verdict = await verifyBundle(out, { trustedCheckpoint: trusted });
      expect(verdict).toMatchObject({ ok: true });
      expect(verdict.ok && verdict.summary).toMatch(/6 events in 2 streams/);
      expect(verdict.ok && verdict.summary).toMatch(
        /consistent with the trusted checkpoint of size 3/,
      );
    });
  });
});
