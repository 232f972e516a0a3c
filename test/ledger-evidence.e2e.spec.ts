import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { Client } from 'pg';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkpointFile,
  checkpointText,
  eventLeafHash,
  merkleRoot,
  signCheckpoint,
  verifyConsistency,
  verifyInclusion,
  writeBundle,
  type LedgerEvent,
  type SignedCheckpoint,
} from '@okr-ledger/event-store';
import { DEVELOPMENT_LEDGER_SIGNING_KEY, parseLedgerSigningKey } from '@okr-ledger/platform';
import {
  checkIn,
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  launch,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

const CHECKPOINT_FIELDS = 'organisation size root position at signature keyFingerprint reason';
const TAKE = `mutation { takeLedgerCheckpoint { ${CHECKPOINT_FIELDS} } }`;
const LIST = `query ($first: Int, $after: String) { ledgerCheckpoints(first: $first, after: $after) {
  totalCount edges { cursor node { ${CHECKPOINT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const INCLUSION = `query ($position: String!) { ledgerInclusionProof(position: $position) {
  position leafHash leafIndex treeSize hashes checkpoint { ${CHECKPOINT_FIELDS} } } }`;
const CONSISTENCY = `query ($from: Int!, $to: Int!) { ledgerConsistencyProof(fromSize: $from, toSize: $to) {
  from { size root } to { size root } hashes } }`;
const POSITIONS = `{ auditTrail(first: 100) { edges { node { position eventType } } } }`;

type Checkpoint = SignedCheckpoint & { reason: string };
const hex = (s: string) => Buffer.from(s, 'hex');
const CLI = 'apps/projector/src/okr.cli.ts';

describe('Ledger evidence', () => {
  let testApp: TestApp;
  let admin: GraphqlClient;
  let auditor: GraphqlClient;
  let member: GraphqlClient;
  let other: GraphqlClient;
  let cycleId: string;
  let dir: string;

  async function take(client: GraphqlClient = admin): Promise<Checkpoint> {
    return (await client.data<{ takeLedgerCheckpoint: Checkpoint }>(TAKE)).takeLedgerCheckpoint;
  }
  async function positions(client: GraphqlClient = admin) {
    const data = await client.data<{
      auditTrail: { edges: { node: { position: string; eventType: string } }[] };
    }>(POSITIONS);
    return data.auditTrail.edges.map((e) => e.node);
  }
  async function okr(args: string[]): Promise<{ code: number | null; output: string }> {
    const run = launch(CLI, { DATABASE_URL: testApp.database.url }, args);
    const code = await run.exited;
    return { code, output: run.output() };
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    auditor = await GraphqlClient.as(testApp.url, { sub: 'ida', org: 'acme', roles: ['AUDITOR'] });
    member = await GraphqlClient.as(testApp.url, { sub: 'ben', org: 'acme', roles: ['MEMBER'] });
    other = await GraphqlClient.as(testApp.url, { sub: 'zoe', org: 'globex' });
    cycleId = (await createCycle(admin)).id;
    // The MEMBER checks in on a key result of hers, of an objective she may see (ADR 0017).
    const objective = await createObjective(admin, { cycleId, visibility: 'PUBLIC' });
    const keyResult = await createKeyResult(admin, { objectiveId: objective.id, ownerId: 'ben' });
    await checkIn(member, { keyResultId: keyResult.id, value: 20 });
    await createCycle(other);
    dir = await mkdtemp(join(tmpdir(), 'okr-evidence-'));
  });
  afterAll(async () => {
    await testApp.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('when a checkpoint is taken', () => {
    it('signs the size, root and last position of the organisation’s log with the served key', async () => {
      const checkpoint = await take();
      const events = await positions();
      expect(checkpoint).toMatchObject({
        organisation: 'acme',
        size: events.length,
        position: events[events.length - 1]?.position,
        reason: 'requested',
      });
      const { ledgerPublicKey } = await auditor.data<{
        ledgerPublicKey: { pem: string; fingerprint: string };
      }>('{ ledgerPublicKey { pem fingerprint } }');
      expect(checkpoint.keyFingerprint).toBe(ledgerPublicKey.fingerprint);
      const key = createPublicKey(ledgerPublicKey.pem);
      const text = Buffer.from(checkpointText(checkpoint));
      expect(verify(null, text, key, Buffer.from(checkpoint.signature, 'base64'))).toBe(true);
      const forged = Buffer.from(checkpointText({ ...checkpoint, size: checkpoint.size + 1 }));
      expect(verify(null, forged, key, Buffer.from(checkpoint.signature, 'base64'))).toBe(false);
    });
    it('lets an AUDITOR take one and refuses a MEMBER', async () => {
      expect((await take(auditor)).organisation).toBe('acme');
      const refused = await member.error(TAKE);
      expect(refused.extensions?.code).toBe('FORBIDDEN');
      const mixed = await auditor.error(
        `mutation { takeLedgerCheckpoint { size } startCycle(id: "${cycleId}") { id } }`,
      );
      expect(mixed.extensions?.code).toBe('FORBIDDEN');
    });
    it('lists them newest first, a page at a time, for the organisation only', async () => {
      await take();
      const first = (await admin.data(LIST, { first: 2 })).ledgerCheckpoints;
      const rest = (await admin.data(LIST, { first: 100, after: first.pageInfo.endCursor }))
        .ledgerCheckpoints;
      expect(first.pageInfo.hasNextPage).toBe(true);
      const all = [...first.edges, ...rest.edges] as { node: Checkpoint }[];
      expect(all).toHaveLength(first.totalCount as number);
      const times = all.map((e) => e.node.at);
      expect([...times].sort().reverse()).toEqual(times);
      expect(all.every((e) => e.node.organisation === 'acme')).toBe(true);
      expect((await other.data(LIST)).ledgerCheckpoints.totalCount).toBe(0);
      const bad = await admin.error(LIST, { after: 'not-a-cursor' });
      expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    });
    it('is reported by ledgerIntegrity as the latest, still holding', async () => {
      const checkpoint = await take();
      const { ledgerIntegrity } = await auditor.data(
        '{ ledgerIntegrity { problems { problem } latestCheckpoint { size root } latestCheckpointHolds } }',
      );
      expect(ledgerIntegrity).toEqual({
        problems: [],
        latestCheckpoint: { size: checkpoint.size, root: checkpoint.root },
        latestCheckpointHolds: true,
      });
    });
  });

  describe('when proofs are asked', () => {
    it('proves an audit entry’s event in the latest checkpoint', async () => {
      const checkpoint = await take();
      const [, second] = await positions();
      const { ledgerInclusionProof: proof } = await auditor.data<{
        ledgerInclusionProof: {
          leafHash: string;
          leafIndex: number;
          treeSize: number;
          hashes: string[];
          checkpoint: Checkpoint;
        };
      }>(INCLUSION, { position: second?.position });
      expect(proof).toMatchObject({ leafIndex: 1, treeSize: checkpoint.size });
      expect(proof.checkpoint.root).toBe(checkpoint.root);
      const hashes = proof.hashes.map(hex);
      expect(
        verifyInclusion(1, proof.treeSize, hex(proof.leafHash), hashes, hex(checkpoint.root)),
      ).toBe(true);
      expect(
        verifyInclusion(0, proof.treeSize, hex(proof.leafHash), hashes, hex(checkpoint.root)),
      ).toBe(false);
    });
    it('proves an earlier checkpoint consistent with a later one', async () => {
      const earlier = await take();
      await createCycle(admin, { start: false });
      const later = await take();
      expect(later.size).toBeGreaterThan(earlier.size);
      const { ledgerConsistencyProof: proof } = await auditor.data(CONSISTENCY, {
        from: earlier.size,
        to: later.size,
      });
      expect(proof.from).toEqual({ size: earlier.size, root: earlier.root });
      expect(
        verifyConsistency(
          earlier.size,
          later.size,
          hex(earlier.root),
          hex(later.root),
          (proof.hashes as string[]).map(hex),
        ),
      ).toBe(true);
    });
    it('names what it cannot prove', async () => {
      await take();
      const [first] = await positions();
      const foreign = await other.error(INCLUSION, { position: first?.position });
      expect(foreign.extensions?.code).toBe('NOT_FOUND');
      const bad = await admin.error(INCLUSION, { position: 'yesterday' });
      expect(bad.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [expect.objectContaining({ path: 'position' })],
      });
      const zero = await admin.error(CONSISTENCY, { from: 0, to: 3 });
      expect(zero.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [expect.objectContaining({ path: 'fromSize' })],
      });
      const unknown = await admin.error(CONSISTENCY, { from: 1, to: 100000 });
      expect(unknown.extensions).toMatchObject({
        code: 'NOT_FOUND',
        reason: 'no-checkpoint-of-size',
      });
    });
  });

  describe('when a cycle closes', () => {
    it('takes a checkpoint that includes the close', async () => {
      const cycle = await createCycle(admin);
      await admin.data(`mutation ($id: ID!) { closeCycle(id: $id) { id } }`, { id: cycle.id });
      const close = (await positions()).filter((e) => e.eventType === 'CycleClosed').pop();
      const latest = (await admin.data(LIST, { first: 1 })).ledgerCheckpoints.edges[0]
        ?.node as Checkpoint;
      expect(latest.reason).toBe('cycle-closed');
      expect(latest.position >= (close?.position ?? 'z')).toBe(true);
    });
  });

  describe('when the organisation’s evidence is exported and verified offline', () => {
    let bundle: string;
    let trusted: string;

    beforeAll(async () => {
      const earlier = await take();
      trusted = join(dir, 'trusted-checkpoint.json');
      await writeFile(trusted, checkpointFile(earlier));
      const objective = await createObjective(admin, { cycleId, visibility: 'PUBLIC' });
      const keyResult = await createKeyResult(admin, {
        objectiveId: objective.id,
        ownerId: 'ben',
      });
      // Two check-ins: a stream with revisions 0, 1 and 2.
      await checkIn(member, { keyResultId: keyResult.id, value: 7 });
      await checkIn(member, { keyResultId: keyResult.id, value: 9 });
      bundle = join(dir, 'bundle');
      const exported = await okr(['export', '--org', 'acme', '--out', bundle]);
      expect(exported).toMatchObject({ code: 0 });
    }, 120_000);

    async function tampered(
      name: string,
      change: (files: { text: string }) => void,
      file = 'events.ndjson',
    ): Promise<string> {
      const copy = join(dir, name);
      await cp(bundle, copy, { recursive: true });
      const holder = { text: await readFile(join(copy, file), 'latin1') };
      change(holder);
      await writeFile(join(copy, file), holder.text, 'latin1');
      return copy;
    }
    const lines = (text: string) => text.split('\n').slice(0, -1);

    it('writes every file and verifies, consistent with the earlier checkpoint', async () => {
      const csv = await readFile(join(bundle, 'audit-trail.csv'), 'utf8');
      expect(csv.split('\r\n')[0]).toBe(
        'when,who,aggregate type,aggregate id,event,position,field,before,after,reason,source,mid-cycle',
      );
      expect(csv).toMatch(
        /,ben,KeyResult,[0-9a-f-]{36},KeyResultCheckedIn,\d{20}-\d{20},currentValue,/,
      );
      const events = lines(await readFile(join(bundle, 'events.ndjson'), 'utf8')).map(
        (l) => JSON.parse(l) as LedgerEvent,
      );
      const checkpoint = JSON.parse(
        await readFile(join(bundle, 'checkpoint.json'), 'utf8'),
      ) as SignedCheckpoint;
      expect(checkpoint.size).toBe(events.length);
      const result = await okr(['verify', bundle, '--trusted-checkpoint', trusted]);
      expect(result.code).toBe(0);
      expect(result.output).toMatch(/^VERIFIED\n/);
      expect(result.output).toMatch(
        new RegExp(`${events.length} events in \\d+ streams: every hash chain link holds`),
      );
      expect(result.output).toMatch(/consistent with the trusted checkpoint of size \d+/);
    }, 60_000);

    it('limits the audit trail to a cycle, and refuses a cycle of another organisation', async () => {
      const one = join(dir, 'one-cycle');
      expect((await okr(['export', '--org', 'acme', '--cycle', cycleId, '--out', one])).code).toBe(
        0,
      );
      const rows = (await readFile(join(one, 'audit-trail.csv'), 'utf8'))
        .split('\r\n')
        .slice(1, -1);
      expect(rows.length).toBeGreaterThan(0);
      const manifest = JSON.parse(await readFile(join(one, 'manifest.json'), 'utf8')) as {
        cycle: string;
      };
      expect(manifest.cycle).toBe(cycleId);
      expect((await okr(['verify', one])).output).toMatch(new RegExp(`cycle ${cycleId}`));
      const refused = await okr(['export', '--org', 'globex', '--cycle', cycleId, '--out', one]);
      expect(refused).toMatchObject({ code: 1 });
      expect(refused.output).toMatch(`globex has no cycle ${cycleId}`);
    }, 60_000);

    it.each([
      'events.ndjson',
      'audit-trail.csv',
      'checkpoint.json',
      'public-key.pem',
      'manifest.json',
    ])(
      'refuses a bundle with one byte of %s flipped, naming it',
      async (file) => {
        const copy = await tampered(
          `flipped-${file}`,
          (f) => {
            const at = Math.floor(f.text.length / 2);
            f.text =
              f.text.slice(0, at) +
              String.fromCharCode(f.text.charCodeAt(at) ^ 1) +
              f.text.slice(at + 1);
          },
          file,
        );
        const result = await okr(['verify', copy]);
        expect(result.code).toBe(1);
        const named =
          file === 'public-key.pem'
            ? /NOT VERIFIED: (public-key\.pem|checkpoint\.json: keyFingerprint)/
            : new RegExp(`NOT VERIFIED: .*${file.replace('.', '\\.')}`);
        expect(result.output).toMatch(named);
      },
      60_000,
    );

    it('names the event after one deleted from the middle of a stream', async () => {
      const copy = await tampered('deleted', (f) => {
        const all = lines(f.text);
        const events = all.map((l) => JSON.parse(l) as LedgerEvent);
        // Revision 1 of a stream that goes on: the next one names the gap.
        const index = events.findIndex(
          (e) => e.revision === 1 && events.some((n) => n.stream === e.stream && n.revision === 2),
        );
        expect(index).toBeGreaterThanOrEqual(0);
        f.text = all
          .filter((_, i) => i !== index)
          .map((l) => `${l}\n`)
          .join('');
      });
      const result = await okr(['verify', copy]);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(
        /NOT VERIFIED: event [0-9a-f-]{36} \(events\.ndjson line \d+, stream \S+ revision 2\): revision 1 of the stream is missing before it/,
      );
    }, 60_000);

    it('names the event where two were swapped', async () => {
      const copy = await tampered('reordered', (f) => {
        const all = lines(f.text);
        [all[1], all[2]] = [all[2] ?? '', all[1] ?? ''];
        f.text = all.map((l) => `${l}\n`).join('');
      });
      const result = await okr(['verify', copy]);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(
        /NOT VERIFIED: event \S+ \(events\.ndjson line 3, .*\): position \S+ is not after the previous event's/,
      );
    }, 60_000);

    it('names a truncated events file', async () => {
      const copy = await tampered('truncated', (f) => {
        f.text = f.text.slice(0, f.text.length - 40);
      });
      const result = await okr(['verify', copy]);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/NOT VERIFIED: events\.ndjson: truncated/);
    }, 60_000);

    it('names the last event removed whole (the checkpoint’s size and root)', async () => {
      const copy = await tampered('last-removed', (f) => {
        f.text = lines(f.text)
          .slice(0, -1)
          .map((l) => `${l}\n`)
          .join('');
      });
      const result = await okr(['verify', copy]);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(
        /NOT VERIFIED: events\.ndjson: holds \d+ events, checkpoint\.json field size signs \d+/,
      );
    }, 60_000);

    it('refuses another key in place of ours, and one that re-signed everything against the trusted checkpoint', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const swapped = await tampered(
        'swapped-key',
        (f) => {
          f.text = publicKey.export({ type: 'spki', format: 'pem' }).toString();
        },
        'public-key.pem',
      );
      const plain = await okr(['verify', swapped]);
      expect(plain.code).toBe(1);
      expect(plain.output).toMatch(
        /NOT VERIFIED: checkpoint\.json: keyFingerprint is not the fingerprint of the public key/,
      );

      // A forger with the whole bundle and a key of their own: everything re-signed holds
      // together, but not with the checkpoint the auditor kept.
      const events = lines(await readFile(join(bundle, 'events.ndjson'), 'utf8')).map(
        (l) => JSON.parse(l) as LedgerEvent,
      );
      const ours = JSON.parse(
        await readFile(join(bundle, 'checkpoint.json'), 'utf8'),
      ) as SignedCheckpoint;
      const forged = join(dir, 'forged');
      await writeBundle(
        forged,
        {
          organisation: 'acme',
          cycle: null,
          createdAt: new Date().toISOString(),
          events,
          auditRows: [],
          checkpoint: signCheckpoint(ours, privateKey),
        },
        privateKey,
      );
      expect((await okr(['verify', forged])).code).toBe(0);
      const against = await okr(['verify', forged, '--trusted-checkpoint', trusted]);
      expect(against.code).toBe(1);
      expect(against.output).toMatch(
        /NOT VERIFIED: trusted checkpoint .*: keyFingerprint is not the fingerprint of the public key/,
      );
    }, 120_000);
  });

  // Last: it rewrites acme's log.
  describe('when a superuser rewrites an event and re-hashes its chain after a checkpoint', () => {
    it('passes the chains but not the signed root, online and offline', async () => {
      const before = await take();
      const trustedBefore = join(dir, 'before-rewrite.json');
      await writeFile(trustedBefore, checkpointFile(before));
      const admin_ = new Client({ connectionString: testApp.database.url });
      await admin_.connect();
      try {
        const { rows } = await admin_.query<{ stream_name: string; position: string }>(
          `SELECT stream_name, lpad(transaction_id::text, 20, '0') || '-' || lpad(global_position::text, 20, '0') AS position
             FROM (SELECT DISTINCT ON (stream_name) * FROM event_store.events
                    WHERE tenant_id = 'acme' ORDER BY stream_name, revision DESC) heads
            WHERE type = 'KeyResultCheckedIn' LIMIT 1`,
        );
        const target = rows[0];
        if (!target) throw new Error('no check-in at the head of a stream');
        await admin_.query('BEGIN');
        await admin_.query('ALTER TABLE event_store.events DISABLE TRIGGER events_are_immutable');
        const { rows: rehashed } = await admin_.query<{ hash: Buffer }>(
          `UPDATE event_store.events e
              SET data = jsonb_set(e.data, '{value}', '999'),
                  hash = event_store.event_hash(
                    (SELECT p.hash FROM event_store.events p
                      WHERE p.stream_name = e.stream_name AND p.revision = e.revision - 1),
                    e.event_id, e.stream_name, e.revision, e.type,
                    jsonb_set(e.data, '{value}', '999'), e.metadata, e.recorded_at)
            WHERE e.stream_name = $1
              AND e.revision = (SELECT max(revision) FROM event_store.events WHERE stream_name = $1)
            RETURNING e.hash`,
          [target.stream_name],
        );
        await admin_.query('UPDATE event_store.streams SET last_hash = $2 WHERE stream_name = $1', [
          target.stream_name,
          rehashed[0]?.hash,
        ]);
        await admin_.query('ALTER TABLE event_store.events ENABLE TRIGGER events_are_immutable');
        await admin_.query('COMMIT');

        const { ledgerIntegrity } = await auditor.data(
          '{ ledgerIntegrity { problems { problem } latestCheckpoint { size } latestCheckpointHolds } }',
        );
        expect(ledgerIntegrity).toEqual({
          problems: [],
          latestCheckpoint: { size: before.size },
          latestCheckpointHolds: false,
        });
        const proof = await auditor.error(INCLUSION, { position: target.position });
        expect(proof.extensions).toMatchObject({
          code: 'LEDGER_CHECKPOINT_MISMATCH',
          checkpoint: { size: before.size, root: before.root },
        });

        // The export names the rewritten event; its bundle does not verify.
        const rewritten = join(dir, 'rewritten');
        const exported = await okr(['export', '--org', 'acme', '--out', rewritten]);
        expect(exported.code).toBe(1);
        expect(exported.output).toMatch(
          new RegExp(`position ${target.position}, event \\S+ in ${target.stream_name}`),
        );
        const verified = await okr(['verify', rewritten]);
        expect(verified.code).toBe(1);
        expect(verified.output).toMatch(
          /NOT VERIFIED: events\.ndjson: Merkle root \w+ is not the root checkpoint\.json signs/,
        );

        // Whoever holds the server's key can sign a fresh tree over the rewritten log: that
        // bundle verifies alone, but not against the checkpoint the auditor kept.
        const text = await readFile(join(rewritten, 'events.ndjson'), 'utf8');
        const events = text
          .split('\n')
          .slice(0, -1)
          .map((l) => JSON.parse(l) as LedgerEvent);
        const key = parseLedgerSigningKey(DEVELOPMENT_LEDGER_SIGNING_KEY);
        const resigned = join(dir, 'resigned');
        await writeBundle(
          resigned,
          {
            organisation: 'acme',
            cycle: null,
            createdAt: new Date().toISOString(),
            events,
            auditRows: [],
            checkpoint: signCheckpoint(
              {
                organisation: 'acme',
                size: events.length,
                root: merkleRoot(events.map(eventLeafHash)).toString('hex'),
                position: events[events.length - 1]?.position ?? '',
                at: new Date().toISOString(),
              },
              key,
            ),
          },
          key,
        );
        expect((await okr(['verify', resigned])).code).toBe(0);
        const against = await okr(['verify', resigned, '--trusted-checkpoint', trustedBefore]);
        expect(against.code).toBe(1);
        expect(against.output).toMatch(
          new RegExp(
            `NOT VERIFIED: trusted checkpoint .*: the first ${before.size} events do not give its root`,
          ),
        );
      } finally {
        await admin_.end();
      }
    }, 120_000);
  });
});
