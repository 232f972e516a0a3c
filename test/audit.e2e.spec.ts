import { Client } from 'pg';
import {
  checkIn,
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

const AUDIT = `query ($filter: AuditFilter, $first: Int, $after: String) {
  auditTrail(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node {
      id position occurredAt actorId aggregateType aggregateId cycleId eventType
      changes { field from to } reason source duringActiveCycle } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Entry {
  eventType: string;
  position: string;
  aggregateId: string;
  changes: { field: string; from: string | null; to: string | null }[];
  reason: string | null;
  source: string | null;
  actorId: string;
  duringActiveCycle: boolean;
}
const nodes = (data: unknown) =>
  (data as { auditTrail: { edges: { node: Entry }[] } }).auditTrail.edges.map((e) => e.node);

describe('AuditTrail', () => {
  let testApp: TestApp;
  let ana: GraphqlClient;
  let ben: GraphqlClient;
  let otherTenant: GraphqlClient;
  let cycleId: string;
  let keyResultId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    ben = await GraphqlClient.as(testApp.url, { sub: 'ben', org: 'acme', roles: ['MEMBER'] });
    otherTenant = await GraphqlClient.as(testApp.url, { sub: 'zoe', org: 'globex' });
    // Planned, then redefined before the start, then started and redefined mid-cycle.
    cycleId = (await createCycle(ana, { start: false })).id;
    // ben owns the objective, so the MEMBER may change its key results (ADR 0017); PUBLIC, as
    // a teamless objective would be PRIVATE to its owner.
    const objective = await createObjective(ana, { cycleId, ownerId: 'ben', visibility: 'PUBLIC' });
    keyResultId = (await createKeyResult(ana, { objectiveId: objective.id })).id;
    await ana.data(
      `mutation ($input: RedefineKeyResultInput!) { redefineKeyResult(input: $input) { id } }`,
      { input: { keyResultId, title: 'Net promoter score' } },
    );
    await ana.data(`mutation ($id: ID!) { startCycle(id: $id) { id } }`, { id: cycleId });
    await ben.data(
      `mutation ($input: RedefineKeyResultInput!) { redefineKeyResult(input: $input) { id } }`,
      { input: { keyResultId, targetValue: 80, unit: 'points', reason: 'market shifted' } },
    );
    await checkIn(ben, { keyResultId, value: 20 });
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when the trail of a key result is read', () => {
    it('lists its events oldest first with actor, source and reason', async () => {
      const entries = nodes(await ana.data(AUDIT, { filter: { aggregateId: keyResultId } }));
      expect(entries.map((e) => e.eventType)).toEqual([
        'KeyResultAdded',
        'KeyResultRedefined',
        'KeyResultRedefined',
        'KeyResultCheckedIn',
      ]);
      const positions = entries.map((e) => e.position);
      expect([...positions].sort()).toEqual(positions);
      expect(entries[2]).toMatchObject({
        actorId: 'ben',
        source: 'graphql',
        reason: 'market shifted',
      });
    });

    it('shows each redefined field before and after, JSON-encoded', async () => {
      const entries = nodes(
        await ana.data(AUDIT, {
          filter: { aggregateId: keyResultId, eventTypes: ['KeyResultRedefined'] },
        }),
      );
      expect(entries[0]!.changes).toEqual([
        { field: 'title', from: '"NPS"', to: '"Net promoter score"' },
      ]);
      expect(entries[1]!.changes).toEqual(
        expect.arrayContaining([
          { field: 'targetValue', from: '100', to: '80' },
          // No value before: null rather than the JSON text "null".
          { field: 'unit', from: null, to: '"points"' },
        ]),
      );
    });

    it('marks the changes made while the cycle was ACTIVE', async () => {
      const entries = nodes(await ana.data(AUDIT, { filter: { aggregateId: keyResultId } }));
      expect(entries.map((e) => e.duringActiveCycle)).toEqual([false, false, true, true]);
      const midCycle = nodes(
        await ana.data(AUDIT, { filter: { cycleId, duringActiveCycleOnly: true } }),
      );
      expect(midCycle.map((e) => e.eventType)).toEqual([
        'KeyResultRedefined',
        'KeyResultCheckedIn',
      ]);
    });
  });

  describe('when the trail is filtered by actor and time and paged', () => {
    it('returns only matching entries, page by page', async () => {
      const byBen = nodes(await ana.data(AUDIT, { filter: { actorId: 'ben' } }));
      expect(byBen.map((e) => e.eventType)).toEqual(['KeyResultRedefined', 'KeyResultCheckedIn']);
      const future = await ana.data(AUDIT, {
        filter: { from: new Date(Date.now() + 60_000).toISOString() },
      });
      expect(future.auditTrail.totalCount).toBe(0);

      const first = await ana.data(AUDIT, { first: 2 });
      expect(first.auditTrail.pageInfo).toMatchObject({
        hasNextPage: true,
        hasPreviousPage: false,
      });
      const second = await ana.data(AUDIT, {
        first: 2,
        after: first.auditTrail.pageInfo.endCursor,
      });
      expect(nodes(second)[0]!.position > nodes(first)[1]!.position).toBe(true);
      expect(first.auditTrail.totalCount).toBeGreaterThanOrEqual(6);
    });

    it('refuses unknown event types, first beyond 100 and foreign cursors as BAD_USER_INPUT', async () => {
      const unknown = await ana.error(AUDIT, { filter: { eventTypes: ['KeyResultUpdated'] } });
      expect(unknown.extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(unknown.extensions?.fieldErrors)).toContain('filter.eventTypes');
      const tooMany = await ana.error(`{ auditTrail(first: 101) { totalCount } }`);
      expect(tooMany.extensions?.code).toBe('BAD_USER_INPUT');
      const cursor = await ana.error(AUDIT, { after: 'not-a-cursor' });
      expect(cursor.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('when another tenant reads the trail', () => {
    it('sees none of these events, even filtering by their ids', async () => {
      const all = await otherTenant.data(AUDIT, {});
      expect(all.auditTrail.totalCount).toBe(0);
      const byId = await otherTenant.data(AUDIT, { filter: { aggregateId: keyResultId } });
      expect(byId.auditTrail.edges).toEqual([]);
    });
  });

  describe('when an auditor checks the ledger for tampering', () => {
    const INTEGRITY = `query ($upTo: String) {
      ledgerIntegrity(upTo: $upTo) {
        checkedEvents aggregates position digest
        problems { aggregateType aggregateId version problem }
      }
    }`;
    interface Integrity {
      checkedEvents: number;
      aggregates: number;
      position: string;
      digest: string;
      problems: { aggregateType: string; aggregateId: string; version: number; problem: string }[];
    }
    const integrity = async (client: GraphqlClient, upTo?: string) =>
      (await client.data<{ ledgerIntegrity: Integrity }>(INTEGRITY, { upTo })).ledgerIntegrity;

    it('finds the organisation’s log intact, and a digest noted earlier still matches later', async () => {
      const auditor = await GraphqlClient.as(testApp.url, {
        sub: 'ida',
        org: 'acme',
        roles: ['AUDITOR'],
      });
      const all = await ana.data<{ auditTrail: { totalCount: number } }>(AUDIT, { first: 1 });
      const noted = await integrity(auditor);
      expect(noted.problems).toEqual([]);
      expect(noted.checkedEvents).toBe(all.auditTrail.totalCount);
      expect(noted.digest).toMatch(/^[0-9a-f]{64}$/);

      await checkIn(ana, { keyResultId, value: 25 });
      expect((await integrity(auditor)).digest).not.toBe(noted.digest);
      const again = await integrity(auditor, noted.position);
      expect(again).toEqual(noted);
      // Another organisation's log is checked apart.
      const other = await integrity(otherTenant);
      expect(other.checkedEvents).toBe(0);
    });

    it('names the key result and version an edit made around the database’s refusal', async () => {
      const admin = new Client({ connectionString: testApp.database.url });
      await admin.connect();
      try {
        await expect(
          admin.query(`UPDATE event_store.events SET data = '{}' WHERE stream_name = $1`, [
            `key-result-${keyResultId}`,
          ]),
        ).rejects.toThrow('recorded events are immutable');
        // A superuser can switch the trigger off; the hash chain still tells.
        await admin.query('BEGIN');
        await admin.query('ALTER TABLE event_store.events DISABLE TRIGGER events_are_immutable');
        await admin.query(
          `UPDATE event_store.events SET data = jsonb_set(data, '{reason}', '"nobody asked"')
            WHERE stream_name = $1 AND revision = 2`,
          [`key-result-${keyResultId}`],
        );
        await admin.query('ALTER TABLE event_store.events ENABLE TRIGGER events_are_immutable');
        await admin.query('COMMIT');
      } finally {
        await admin.end();
      }
      const { problems } = await integrity(ana);
      expect(problems).toEqual([
        {
          aggregateType: 'KeyResult',
          aggregateId: keyResultId,
          version: 3,
          problem: 'content does not match its hash',
        },
      ]);
    });

    it('refuses a position that is none, naming the argument', async () => {
      const error = await ana.error(INTEGRITY, { upTo: 'yesterday' });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(error.extensions)).toContain('upTo');
    });
  });
});
