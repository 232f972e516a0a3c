import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createPostgresEventStore } from '@okr-ledger/event-store';
import {
  createCycle,
  createTestDatabase,
  GraphqlClient,
  startTestApp,
  type TestApp,
  type TestDatabase,
} from '@okr-ledger/testing';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy';

const SET_OBJECTIVE =
  'mutation ($input: SetObjectiveInput!) { setObjective(input: $input) { id title version } }';

async function query<R extends Record<string, unknown>>(
  databaseUrl: string,
  sql: string,
  values: unknown[],
): Promise<R[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe('Write outcomes', () => {
  describe('when the connection drops after an append was sent', () => {
    let database: TestDatabase;
    let proxy: FaultProxy;
    let testApp: TestApp;
    let ana: GraphqlClient;

    beforeAll(async () => {
      database = await createTestDatabase('e2e');
      const real = new URL(database.url);
      proxy = await startFaultProxy({ host: real.hostname, port: Number(real.port) });
      // Everything the API opens goes through the proxy; only the armed append is cut.
      testApp = await startTestApp(
        {},
        { database: { ...database, url: proxy.urlFor(database.url) } },
      );
      ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    });
    afterAll(async () => {
      await testApp?.close();
      await proxy?.close();
      await database?.drop();
    });

    it('answers OUTCOME_UNKNOWN, and the retry with its key answers the first result, recorded once', async () => {
      const cycle = await createCycle(ana, { start: false });
      const input = { cycleId: cycle.id, title: 'Recorded once', idempotencyKey: 'lost-reply-1' };

      proxy.arm('event_store.append_');
      const lost = await ana.error(SET_OBJECTIVE, { input });
      await proxy.tripped();
      expect(lost.extensions?.code).toBe('OUTCOME_UNKNOWN');
      expect(lost.message).toMatch(/may or may not have been recorded/);
      expect(lost.message).toMatch(/same idempotencyKey/);
      // The server had committed before the reply was lost.
      const stored = await query<{ stream_name: string }>(
        database.url,
        `SELECT stream_name FROM event_store.events WHERE metadata->>'idempotencyKey' = $1`,
        [input.idempotencyKey],
      );
      expect(stored).toHaveLength(1);

      const retried = await ana.data(SET_OBJECTIVE, { input });
      expect(retried.setObjective).toMatchObject({ title: 'Recorded once', version: 1 });
      expect(stored[0]?.stream_name).toBe(`objective-${retried.setObjective.id as string}`);
      const after = await query(
        database.url,
        `SELECT 1 FROM event_store.events WHERE stream_name = $1`,
        [stored[0]?.stream_name],
      );
      expect(after).toHaveLength(1);
    });

    it('answers OUTCOME_UNKNOWN for a change of an existing stream too, and its retry records nothing more', async () => {
      const cycle = await createCycle(ana, { start: false });
      const start =
        'mutation ($id: ID!, $key: String) { startCycle(id: $id, idempotencyKey: $key) { id status version } }';
      proxy.arm('event_store.append_');
      const lost = await ana.error(start, { id: cycle.id, key: 'lost-start' });
      await proxy.tripped();
      expect(lost.extensions?.code).toBe('OUTCOME_UNKNOWN');
      const retried = await ana.data(start, { id: cycle.id, key: 'lost-start' });
      expect(retried.startCycle).toMatchObject({ status: 'ACTIVE', version: 2 });
      const events = await query<{ type: string }>(
        database.url,
        'SELECT type FROM event_store.events WHERE stream_name = $1 ORDER BY revision',
        [`cycle-${cycle.id}`],
      );
      expect(events.map((e) => e.type)).toEqual(['CycleScheduled', 'CycleStarted']);
    });

    it('answers OUTCOME_UNKNOWN for a check-in, and its retry with the key answers that check-in', async () => {
      const cycle = await createCycle(ana);
      const { setObjective } = await ana.data(SET_OBJECTIVE, {
        input: { cycleId: cycle.id, title: 'Checked' },
      });
      const { addKeyResult } = await ana.data(
        'mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) { id } }',
        {
          input: {
            objectiveId: setObjective.id,
            title: 'Calls',
            type: 'INCREASE',
            kind: 'INPUT',
            startValue: 0,
            targetValue: 10,
          },
        },
      );
      const checkIn =
        'mutation ($input: CheckInKeyResultInput!) { checkInKeyResult(input: $input) { id value } }';
      const input = { keyResultId: addKeyResult.id, value: 3, idempotencyKey: 'lost-check-in' };
      proxy.arm('event_store.append_');
      const lost = await ana.error(checkIn, { input });
      await proxy.tripped();
      expect(lost.extensions?.code).toBe('OUTCOME_UNKNOWN');
      const retried = await ana.data(checkIn, { input });
      expect(retried.checkInKeyResult.value).toBe(3);
      const stored = await query<{ check_in_id: string }>(
        database.url,
        `SELECT data->>'checkInId' AS check_in_id FROM event_store.events
          WHERE stream_name = $1 AND type = 'KeyResultCheckedIn'`,
        [`key-result-${addKeyResult.id as string}`],
      );
      expect(stored).toEqual([{ check_in_id: retried.checkInKeyResult.id }]);
    });
  });

  describe('when the projections do not catch up in time', () => {
    let testApp: TestApp;
    let ana: GraphqlClient;

    // No projector runs: every mutation times out waiting and must answer from its events.
    beforeAll(async () => {
      testApp = await startTestApp({ PROJECTOR: 'external' });
      ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    });
    afterAll(async () => {
      await testApp?.close();
    });

    it('answers each payload folded from the events, never NOT_FOUND', async () => {
      const { scheduleCycle: cycle } = await ana.data(
        'mutation ($input: ScheduleCycleInput!) { scheduleCycle(input: $input) { id name status version } }',
        {
          input: {
            name: 'Unprojected',
            startsAt: new Date(Date.now() - 86_400_000).toISOString(),
            endsAt: new Date(Date.now() + 80 * 86_400_000).toISOString(),
          },
        },
      );
      expect(cycle).toMatchObject({ name: 'Unprojected', status: 'PLANNING', version: 1 });
      // The read models really do not have it: the payload came from the events.
      const read = await ana.data('query ($id: ID!) { cycle(id: $id) { id } }', { id: cycle.id });
      expect(read.cycle).toBe(null);

      const { startCycle } = await ana.data(
        'mutation ($id: ID!) { startCycle(id: $id, expectedVersion: 1) { id status version } }',
        { id: cycle.id },
      );
      expect(startCycle).toEqual({ id: cycle.id, status: 'ACTIVE', version: 2 });

      const { setObjective: objective } = await ana.data(
        `mutation ($input: SetObjectiveInput!) { setObjective(input: $input) {
          id title version cycle { id status } keyResults { id } } }`,
        { input: { cycleId: cycle.id, title: 'Folded' } },
      );
      expect(objective).toMatchObject({
        title: 'Folded',
        version: 1,
        cycle: { id: cycle.id, status: 'ACTIVE' },
        keyResults: [],
      });

      const { addKeyResult: keyResult } = await ana.data(
        `mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) {
          id title version currentValue objective { id title } } }`,
        {
          input: {
            objectiveId: objective.id,
            title: 'Signups',
            type: 'INCREASE',
            kind: 'OUTCOME',
            startValue: 0,
            targetValue: 10,
          },
        },
      );
      expect(keyResult).toMatchObject({
        title: 'Signups',
        version: 1,
        currentValue: 0,
        objective: { id: objective.id, title: 'Folded' },
      });

      const { checkInKeyResult } = await ana.data(
        'mutation ($input: CheckInKeyResultInput!) { checkInKeyResult(input: $input) { id value plan } }',
        { input: { keyResultId: keyResult.id, value: 4, plan: 'more ads' } },
      );
      expect(checkInKeyResult).toMatchObject({ value: 4, plan: 'more ads' });

      const { createTeam } = await ana.data(
        'mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id name version } }',
        { input: { name: 'Folded team' } },
      );
      expect(createTeam).toMatchObject({ name: 'Folded team', version: 1 });
    });
  });

  describe('when the read-model row is older than the write', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase('e2e');
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('answers the payload folded from the events at the write, not the stale row', async () => {
      // Projected while a projector ran…
      const first = await startTestApp({}, { database });
      const ana = await GraphqlClient.as(first.url, { sub: 'ana', org: 'acme' });
      const cycle = await createCycle(ana, { start: false });
      const objectiveId: string = (
        await ana.data(SET_OBJECTIVE, { input: { cycleId: cycle.id, title: 'Before' } })
      ).setObjective.id;
      await first.close();
      // …then revised on an instance whose projections never catch up.
      const second = await startTestApp({ PROJECTOR: 'external' }, { database });
      try {
        const client = await GraphqlClient.as(second.url, { sub: 'ana', org: 'acme' });
        const { reviseObjective } = await client.data(
          `mutation ($input: ReviseObjectiveInput!) { reviseObjective(input: $input) {
            id title version cycle { id } } }`,
          { input: { objectiveId, title: 'After', expectedVersion: 1 } },
        );
        expect(reviseObjective).toEqual({
          id: objectiveId,
          title: 'After',
          version: 2,
          cycle: { id: cycle.id },
        });
        const { objective: row } = await client.data(
          'query ($id: ID!) { objective(id: $id) { title version } }',
          { id: objectiveId },
        );
        expect(row).toEqual({ title: 'Before', version: 1 });
      } finally {
        await second.close();
      }
    });
  });

  describe("when a projection is halted for the organisation's events", () => {
    let testApp: TestApp;
    let ana: GraphqlClient;
    let zoe: GraphqlClient;

    beforeAll(async () => {
      testApp = await startTestApp();
      ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
      zoe = await GraphqlClient.as(testApp.url, { sub: 'zoe', org: 'globex' });
    });
    afterAll(async () => {
      await testApp?.close();
    });

    it("answers PROJECTION_STALLED with the write's id and version; another organisation works", async () => {
      // A poison event already in the log (recorded before the edge refused such dates).
      const store = await createPostgresEventStore(testApp.database.url);
      const cycleId = randomUUID();
      try {
        await store.append(`cycle-${cycleId}`, [
          {
            type: 'CycleScheduled',
            data: {
              cycleId,
              name: 'Year zero',
              startsAt: '0000-01-01T00:00:00Z',
              endsAt: '0000-02-01T00:00:00Z',
            },
            metadata: {
              tenantId: 'acme',
              actorId: 'ana',
              correlationId: randomUUID(),
              causationId: null,
              schemaVersion: 1,
              source: 'test',
              cycleId,
            },
          },
        ]);
      } finally {
        await store.close();
      }

      const create =
        'mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id name } }';
      const stalled = await ana.error(create, { input: { name: 'After the poison' } });
      expect(stalled.extensions).toMatchObject({
        code: 'PROJECTION_STALLED',
        projection: expect.any(String),
        position: expect.any(String),
        type: 'Team',
        id: expect.any(String),
        version: 1,
      });
      expect(stalled.message).toMatch(/Recorded .*read models of this organisation are halted/);
      expect(stalled.message).toMatch(/\/health/);
      const [recorded] = await query<{ n: string }>(
        testApp.database.url,
        'SELECT count(*)::text AS n FROM event_store.events WHERE stream_name = $1',
        [`team-${String(stalled.extensions?.id)}`],
      );
      expect(recorded?.n).toBe('1');

      const theirs = await zoe.data(create, { input: { name: 'Unaffected' } });
      expect(theirs.createTeam.name).toBe('Unaffected');
    });
  });
});
