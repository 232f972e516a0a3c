import { Client } from 'pg';
import request from 'supertest';
import {
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  sleep,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';
import { subscribeOnce } from './support/ws-client';

const REGISTER = `mutation ($input: RegisterDataSourceInput!) {
  registerDataSource(input: $input) { key dataSource { id name kind keyResults { id } stale } }
}`;
const RECORD = `mutation ($input: RecordMeasurementsInput!) {
  recordMeasurements(input: $input) {
    keyResultId measuredAt accepted reason checkIn { id value source actorId progress }
  }
}`;
const ROTATE = `mutation ($input: RotateDataSourceKeyInput!) {
  rotateDataSourceKey(input: $input) { key dataSource { id } }
}`;
const REVOKE = `mutation ($input: RevokeDataSourceKeyInput!) {
  revokeDataSourceKey(input: $input) { id revoked stale }
}`;

interface Result {
  keyResultId: string;
  measuredAt: string;
  accepted: boolean;
  reason: string | null;
  checkIn: { id: string } | null;
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('Data sources and ingestion (e2e)', () => {
  let api: TestApp;
  let admin: GraphqlClient;
  let cycleId: string;
  let keyResultId: string;
  let otherKeyResultId: string;

  beforeAll(async () => {
    api = await startTestApp();
    admin = await GraphqlClient.as(api.url, { sub: 'ana', org: 'acme', roles: ['ADMIN'] });
    const cycle = await createCycle(admin);
    cycleId = cycle.id;
    const objective = await createObjective(admin, { cycleId: cycle.id });
    keyResultId = (await createKeyResult(admin, { objectiveId: objective.id })).id;
    otherKeyResultId = (await createKeyResult(admin, { objectiveId: objective.id, title: 'X' })).id;
  });
  afterAll(async () => {
    await api.close();
  });

  async function eventCount(): Promise<number> {
    const client = new Client({ connectionString: api.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM event_store.events WHERE tenant_id = 'acme'`,
      );
      return Number(rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  }

  async function register(hours = 24, keyResultIds = [keyResultId]) {
    const { registerDataSource } = await admin.data<{
      registerDataSource: { key: string; dataSource: { id: string } };
    }>(REGISTER, {
      input: { name: 'Salesforce', kind: 'crm', expectedIntervalHours: hours, keyResultIds },
    });
    return registerDataSource;
  }

  /** GraphQL with a data source key as the bearer. */
  async function asSource(key: string, query: string, variables: Record<string, unknown> = {}) {
    const response = await request(api.url)
      .post('/graphql')
      .set('Authorization', `Bearer ${key}`)
      .send({ query, variables });
    return response.body as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions: Record<string, unknown> }[];
    };
  }

  function post(key: string | null, body: unknown, idempotencyKey?: string) {
    const req = request(api.url)
      .post('/integrations/measurements')
      .send(body as object);
    if (key !== null) req.set('Authorization', `Bearer ${key}`);
    if (idempotencyKey !== undefined) req.set('Idempotency-Key', idempotencyKey);
    return req;
  }

  describe('when an ADMIN registers a data source', () => {
    it('answers the data source with its key once; dataSources lists it without the key', async () => {
      const { registerDataSource } = await admin.data(REGISTER, {
        input: {
          name: ' Stripe ',
          kind: 'billing',
          expectedIntervalHours: 24,
          keyResultIds: [keyResultId],
        },
      });
      expect(registerDataSource.key).toMatch(/^okrds\./);
      expect(registerDataSource.dataSource).toEqual({
        id: expect.any(String),
        name: 'Stripe',
        kind: 'BILLING',
        keyResults: [{ id: keyResultId }],
        stale: false,
      });
      const listed = await admin.send('{ dataSources { id name kind stale keyResults { id } } }');
      const secret = String(registerDataSource.key).split('.')[3];
      expect(secret).toHaveLength(43);
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(listed.data?.dataSources).toContainEqual(registerDataSource.dataSource);
    });

    it('shows in the audit trail who registered it and what it may feed, never the key or its hash', async () => {
      const { key, dataSource } = await register();
      const { auditTrail } = await admin.data(
        `query ($id: ID!) { auditTrail(filter: { aggregateId: $id }) {
           edges { node { eventType aggregateType actorId changes { field to } } } } }`,
        { id: dataSource.id },
      );
      const [entry] = (auditTrail as { edges: { node: Record<string, unknown> }[] }).edges;
      expect(entry?.node).toMatchObject({
        eventType: 'DataSourceRegistered',
        aggregateType: 'DataSource',
        actorId: 'ana',
      });
      expect(JSON.stringify(entry)).toContain(keyResultId);
      expect(JSON.stringify(entry)).not.toMatch(/[0-9a-f]{64}/);
      expect(JSON.stringify(entry)).not.toContain(key.split('.')[3]);
    });

    it("answers another organisation's data source as NOT_FOUND", async () => {
      const { dataSource } = await register();
      const other = await GraphqlClient.as(api.url, {
        sub: 'eve',
        org: 'initech',
        roles: ['ADMIN'],
      });
      const error = await other.error(REVOKE, { input: { dataSourceId: dataSource.id } });
      expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', type: 'DataSource' });
    });

    it.each(['MEMBER', 'AUDITOR'])('refuses a %s: FORBIDDEN, nothing recorded', async (role) => {
      const person = await GraphqlClient.as(api.url, { sub: 'bob', org: 'acme', roles: [role] });
      const before = await eventCount();
      const error = await person.error(REGISTER, {
        input: { name: 'X', kind: 'CRM', expectedIntervalHours: 1, keyResultIds: [keyResultId] },
      });
      expect(error.extensions?.code).toBe('FORBIDDEN');
      expect(await eventCount()).toBe(before);
    });

    it("refuses another organisation's key result as NOT_FOUND", async () => {
      const other = await GraphqlClient.as(api.url, {
        sub: 'eve',
        org: 'initech',
        roles: ['ADMIN'],
      });
      const error = await other.error(REGISTER, {
        input: { name: 'X', kind: 'CRM', expectedIntervalHours: 1, keyResultIds: [keyResultId] },
      });
      expect(error.extensions).toMatchObject({
        code: 'NOT_FOUND',
        type: 'KeyResult',
        id: keyResultId,
      });
    });
  });

  describe('when a data source records measurements over GraphQL', () => {
    it('records each as an INTEGRATION check-in by the source, refusing others with reasons', async () => {
      const { key, dataSource } = await register();
      const at = minutesAgo(10);
      const body = await asSource(key, RECORD, {
        input: {
          measurements: [
            { keyResultId, value: 12, measuredAt: at, externalId: 'crm-1', note: 'nightly sync' },
            { keyResultId: otherKeyResultId, value: 1, measuredAt: at },
            { keyResultId, value: 13, measuredAt: new Date(Date.now() + 86_400_000).toISOString() },
            { keyResultId: 'not-an-id', value: 1, measuredAt: at },
          ],
        },
      });
      expect(body.errors).toBeUndefined();
      const results = body.data?.recordMeasurements as (Result & {
        checkIn: Record<string, unknown> | null;
      })[];
      expect(results.map((r) => [r.accepted, r.reason])).toEqual([
        [true, null],
        [false, 'KEY_RESULT_NOT_LINKED'],
        [false, 'MEASURED_IN_FUTURE'],
        [false, 'KEY_RESULT_NOT_LINKED'],
      ]);
      expect(results[0]?.checkIn).toMatchObject({
        value: 12,
        source: 'INTEGRATION',
        actorId: `data-source:${dataSource.id}`,
        progress: 'nightly sync',
      });
      expect(results[0]?.measuredAt).toBe(at);
    });

    it('takes a repeated (key result, instant) as one value and a changed one as a correction', async () => {
      const { key } = await register();
      const at = minutesAgo(5);
      const send = (value: number) =>
        asSource(key, RECORD, {
          input: { measurements: [{ keyResultId, value, measuredAt: at }] },
        });
      const first = ((await send(20)).data?.recordMeasurements as Result[])[0];
      const before = await eventCount();
      const again = ((await send(20)).data?.recordMeasurements as Result[])[0];
      expect(again).toMatchObject({ accepted: true, checkIn: { id: first?.checkIn?.id } });
      expect(await eventCount()).toBe(before);
      const corrected = ((await send(21)).data?.recordMeasurements as Result[])[0];
      expect(corrected?.accepted).toBe(true);
      expect(corrected?.checkIn?.id).not.toBe(first?.checkIn?.id);
      expect(await eventCount()).toBe(before + 1);
    });

    it('refuses a batch over 1,000 with BAD_USER_INPUT naming the field, nothing recorded', async () => {
      const { key } = await register();
      const measurements = Array.from({ length: 1001 }, (_, i) => ({
        keyResultId,
        value: i,
        measuredAt: minutesAgo(1000 - i / 10),
      }));
      const before = await eventCount();
      const body = await asSource(key, RECORD, { input: { measurements } });
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [
          expect.objectContaining({ path: 'input.measurements', constraint: 'arrayMaxSize' }),
        ],
      });
      expect(await eventCount()).toBe(before);
    });
  });

  describe('when a data source key reaches beyond its key results', () => {
    it('is FORBIDDEN to read anything or to run any other mutation', async () => {
      const { key } = await register();
      for (const query of [
        '{ dataSources { id } }',
        `{ keyResult(id: "${keyResultId}") { id currentValue } }`,
        `mutation { checkInKeyResult(input: { keyResultId: "${keyResultId}", value: 1 }) { id } }`,
        `mutation { recordMeasurements(input: { measurements: [{ keyResultId: "${keyResultId}", value: 1, measuredAt: "${minutesAgo(1)}" }] }) { accepted } createTeam(input: { name: "Spies" }) { id } }`,
      ]) {
        const body = await asSource(key, query);
        expect(body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
        expect(body.data ?? null).toBeNull();
      }
    });

    it('opens no subscription and no chart: only the ingestion paths take it', async () => {
      const { key } = await register();
      const live = await subscribeOnce(
        api.url,
        { Authorization: `Bearer ${key}` },
        `subscription { keyResultCheckedIn(cycleId: "${cycleId}") { id value } }`,
      );
      expect(live.values).toEqual([]);
      expect(JSON.stringify(live.errors)).toContain('FORBIDDEN');
      for (const path of [
        `/charts/cycles/${cycleId}/burn-up.svg`,
        `/charts/key-results/${keyResultId}/history.svg`,
      ]) {
        const chart = await request(api.url).get(path).set('Authorization', `Bearer ${key}`);
        expect(chart.status).toBe(401);
        expect(chart.text).not.toContain('<svg');
      }
    });

    it('cannot be used by a person: recordMeasurements with a token is FORBIDDEN', async () => {
      const error = await admin.error(RECORD, {
        input: { measurements: [{ keyResultId, value: 1, measuredAt: minutesAgo(1) }] },
      });
      expect(error.extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('when keys are rotated and revoked', () => {
    it('refuses the old key after a rotation (UNAUTHENTICATED) and takes the new one', async () => {
      const { key, dataSource } = await register();
      const { rotateDataSourceKey } = await admin.data(ROTATE, {
        input: { dataSourceId: dataSource.id },
      });
      const measurement = { keyResultId, value: 30, measuredAt: minutesAgo(3) };
      const old = await asSource(key, RECORD, { input: { measurements: [measurement] } });
      expect(old.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
      const oldHttp = await post(key, { measurements: [measurement] });
      expect(oldHttp.status).toBe(401);
      const fresh = await post(rotateDataSourceKey.key as string, { measurements: [measurement] });
      expect(fresh.status).toBe(200);
      expect(fresh.body.results[0]).toMatchObject({ accepted: true, reason: null });
    });

    it('refuses a revoked key at once, over GraphQL and HTTP', async () => {
      const { key, dataSource } = await register();
      const { revokeDataSourceKey } = await admin.data(REVOKE, {
        input: { dataSourceId: dataSource.id, reason: 'leaked' },
      });
      expect(revokeDataSourceKey).toEqual({ id: dataSource.id, revoked: true, stale: false });
      const measurement = { keyResultId, value: 31, measuredAt: minutesAgo(2) };
      const body = await asSource(key, RECORD, { input: { measurements: [measurement] } });
      expect(body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
      const http = await post(key, { measurements: [measurement] });
      expect(http.status).toBe(401);
      expect(http.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      const again = await admin.error(ROTATE, { input: { dataSourceId: dataSource.id } });
      expect(again.extensions).toMatchObject({ code: 'DOMAIN_RULE', rule: 'DATA_SOURCE_REVOKED' });
    });
  });

  describe('when a batch is retried with an idempotency key', () => {
    it('GraphQL: same key + same batch → same results, nothing twice; other batch → refused', async () => {
      const { key } = await register(24, [keyResultId, otherKeyResultId]);
      const measurements = [
        { keyResultId, value: 40, measuredAt: minutesAgo(30) },
        { keyResultId: otherKeyResultId, value: 41, measuredAt: minutesAgo(30) },
      ];
      const input = { measurements, idempotencyKey: 'batch-1' };
      const first = await asSource(key, RECORD, { input });
      const before = await eventCount();
      const retry = await asSource(key, RECORD, { input });
      expect(retry.data).toEqual(first.data);
      expect(await eventCount()).toBe(before);
      const other = await asSource(key, RECORD, {
        input: { ...input, measurements: [{ ...measurements[1], value: 42 }] },
      });
      expect(other.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [expect.objectContaining({ path: 'input.idempotencyKey' })],
      });
      expect(await eventCount()).toBe(before);
    });

    it('HTTP: the Idempotency-Key header behaves the same', async () => {
      const { key } = await register();
      const body = { measurements: [{ keyResultId, value: 50, measuredAt: minutesAgo(20) }] };
      const first = await post(key, body, 'http-1');
      expect(first.status).toBe(200);
      const before = await eventCount();
      const retry = await post(key, body, 'http-1');
      expect(retry.body).toEqual(first.body);
      expect(await eventCount()).toBe(before);
      const other = await post(
        key,
        { measurements: [{ ...body.measurements[0], value: 51 }] },
        'http-1',
      );
      expect(other.status).toBe(400);
      expect(other.body.errors[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [expect.objectContaining({ path: 'Idempotency-Key' })],
      });
      expect(await eventCount()).toBe(before);
    });
  });

  describe('when measurements come over plain HTTP', () => {
    it('answers each measurement with a reason; refuses tokens, no bearer and big batches', async () => {
      const { key } = await register();
      const ok = await post(key, {
        measurements: [
          { keyResultId, value: 60, measuredAt: minutesAgo(4) },
          { keyResultId, value: 'sixty', measuredAt: minutesAgo(4) },
          { keyResultId: otherKeyResultId, value: 1, measuredAt: minutesAgo(4) },
          { keyResultId, value: 61, measuredAt: 'yesterday' },
        ],
      });
      expect(ok.status).toBe(200);
      expect((ok.body as { results: Result[] }).results.map((r) => r.reason)).toEqual([
        null,
        'VALUE_NOT_FINITE',
        'KEY_RESULT_NOT_LINKED',
        'MEASURED_AT_INVALID',
      ]);
      expect(ok.body.results[0].checkIn.id).toEqual(expect.any(String));

      expect((await post(null, { measurements: [] })).status).toBe(401);
      const garbled = await request(api.url)
        .post('/integrations/measurements')
        .set('Authorization', `Bearer ${key}`)
        .set('Content-Type', 'application/json')
        .send('{"measurements": [');
      expect(garbled.status).toBe(400);
      expect(garbled.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      const person = await post(admin.token, { measurements: [] });
      expect(person.status).toBe(403);
      expect(person.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const big = await post(key, {
        measurements: Array.from({ length: 1001 }, () => ({
          keyResultId,
          value: 1,
          measuredAt: minutesAgo(1),
        })),
      });
      expect(big.status).toBe(400);
      expect(big.body.errors[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [
          expect.objectContaining({ path: 'measurements', constraint: 'arrayMaxSize' }),
        ],
      });
    });
  });

  describe('when a feed goes quiet for longer than its interval', () => {
    it('is stale: the field, the filter, the key result and /health per organisation', async () => {
      const objective = await createObjective(admin, { cycleId: (await createCycle(admin)).id });
      const quiet = (await createKeyResult(admin, { objectiveId: objective.id })).id;
      const { dataSource } = await register(0.0005, [quiet]); // 1.8 s
      await sleep(2_000);
      const { dataSources } = await admin.data('{ dataSources(stale: true) { id stale } }');
      expect(dataSources).toContainEqual({ id: dataSource.id, stale: true });
      const fresh = await admin.data('{ dataSources(stale: false) { id } }');
      expect(fresh.dataSources).not.toContainEqual({ id: dataSource.id });
      const { keyResult } = await admin.data(`{ keyResult(id: "${quiet}") { stale } }`);
      expect(keyResult).toEqual({ stale: true });
      const health = await request(api.url).get('/health');
      expect(health.body.details.dataSources.status).toBe('up');
      expect(health.body.details.dataSources.tenants.acme.staleDataSourceIds).toContain(
        dataSource.id,
      );
    });
  });
});
