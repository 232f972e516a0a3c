import request from 'supertest';
import { freePort } from '@okr-ledger/platform';
import {
  checkIn,
  createCycle,
  createKeyResult,
  createObjective,
  createTestDatabase,
  GraphqlClient,
  launch,
  startTestApp,
  waitForOutput,
  type TestApp,
} from '@okr-ledger/testing';
import { tokenFor } from '@okr-ledger/testing/auth-tokens';

const MISSING_KEY_RESULT = '00000000-0000-4000-8000-000000000000';
const FAILING_CHECK_IN = `mutation FailingCheckIn($input: CheckInKeyResultInput!) {
  checkInKeyResult(input: $input) { id }
}`;

/** The value of one sample line of the Prometheus text, 0 when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return 0;
}

describe('Metrics and request logs', () => {
  describe('GET /metrics', () => {
    let testApp: TestApp;
    let ana: GraphqlClient;

    beforeAll(async () => {
      testApp = await startTestApp();
      ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    });
    afterAll(async () => {
      await testApp.close();
    });

    const scrape = async (): Promise<string> => {
      const response = await request(testApp.url).get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      return response.text;
    };

    it('counts requests by operation and type, and mutation outcomes by code', async () => {
      const before = await scrape();
      await ana.data('query ServerFloor { __typename }');
      await ana.data('query ServerFloor { __typename }');
      const failure = await ana.error(FAILING_CHECK_IN, {
        input: { keyResultId: MISSING_KEY_RESULT, value: 1 },
      });
      expect(failure.extensions?.code).toBe('NOT_FOUND');
      const after = await scrape();

      const floor = { operation: 'ServerFloor', type: 'query' };
      expect(sample(after, 'okr_graphql_requests_total', floor)).toBe(
        sample(before, 'okr_graphql_requests_total', floor) + 2,
      );
      expect(sample(after, 'okr_graphql_request_duration_seconds_count', floor)).toBe(2);
      expect(sample(after, 'okr_graphql_responses_total', { ...floor, code: 'OK' })).toBe(2);
      expect(
        sample(after, 'okr_graphql_mutation_outcomes_total', {
          operation: 'FailingCheckIn',
          code: 'NOT_FOUND',
        }),
      ).toBe(1);
      expect(
        sample(after, 'okr_graphql_requests_total', {
          operation: 'FailingCheckIn',
          type: 'mutation',
        }),
      ).toBe(1);
    });

    it('names anonymous operations by their root fields', async () => {
      await ana.data('{ __typename }');
      const text = await scrape();
      expect(
        sample(text, 'okr_graphql_requests_total', { operation: '__typename', type: 'query' }),
      ).toBeGreaterThanOrEqual(1);
    });

    it('shows append latency, projection batches and lag once writes went through', async () => {
      const cycle = await createCycle(ana);
      const objective = await createObjective(ana, { cycleId: cycle.id });
      const keyResult = await createKeyResult(ana, { objectiveId: objective.id });
      await checkIn(ana, { keyResultId: keyResult.id, value: 5 });
      const text = await scrape();

      // Schedule, start, objective, key result, check-in: at least five appends that succeeded.
      expect(
        sample(text, 'okr_event_store_append_duration_seconds_count', { outcome: 'ok' }),
      ).toBeGreaterThanOrEqual(5);
      expect(sample(text, 'okr_event_store_appended_events_total')).toBeGreaterThanOrEqual(5);
      expect(
        sample(text, 'okr_projection_batch_events_count', { projection: 'okr-tree' }),
      ).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^okr_projection_lag_events\{projection="okr-tree"\} \d+$/m);
      expect(text).toMatch(/^okr_projection_lag_seconds\{projection="audit-trail"\} [\d.e-]+$/m);
      expect(sample(text, 'okr_projection_lag_up')).toBe(1);
      expect(sample(text, 'okr_projection_active', { projection: 'okr-tree' })).toBe(1);
      // prom-client's process metrics come along.
      expect(text).toContain('process_cpu_seconds_total');
    });
  });

  describe('LOG_FORMAT=json', () => {
    it('writes one parseable JSON line per GraphQL request with operation, duration and code', async () => {
      const database = await createTestDatabase('e2e');
      const port = await freePort();
      const api = launch('apps/api/src/main.ts', {
        DATABASE_URL: database.url,
        PORT: String(port),
        LOG_FORMAT: 'json',
      });
      try {
        await waitForOutput(api, /GraphQL: +http/);
        const post = (query: string, variables: Record<string, unknown> = {}) =>
          tokenFor(['ADMIN']).then((token) =>
            fetch(`http://127.0.0.1:${port}/graphql`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
              body: JSON.stringify({ query, variables }),
            }),
          );
        expect((await post('query LogProbe { __typename }')).status).toBe(200);
        await post(FAILING_CHECK_IN, { input: { keyResultId: MISSING_KEY_RESULT, value: 1 } });
        await waitForOutput(api, /"operation":"FailingCheckIn"/);

        // Every line from the app module on is JSON (only the database start-up comes before).
        const lines = api.output().trim().split('\n');
        const from = lines.findIndex((l) => l.startsWith('{'));
        expect(from).toBeGreaterThanOrEqual(0);
        const parsed = lines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
        const requests = parsed.filter((l) => l['msg'] === 'graphql request');
        expect(requests.find((l) => l['operation'] === 'LogProbe')).toMatchObject({
          level: 'info',
          type: 'query',
          code: 'OK',
          errors: 0,
          durationMs: expect.any(Number),
          time: expect.any(String),
        });
        expect(requests.find((l) => l['operation'] === 'FailingCheckIn')).toMatchObject({
          level: 'warn',
          type: 'mutation',
          code: 'NOT_FOUND',
          errors: 1,
        });
        // Nest's own lines are JSON objects too.
        expect(parsed.some((l) => /GraphQL: +http/.test(String(l['message'])))).toBe(true);
      } finally {
        api.child.kill('SIGTERM');
        await api.exited;
        await database.drop();
      }
    }, 90_000);

    it('refuses an unknown LOG_FORMAT with one line naming the variable', async () => {
      const api = launch('apps/api/src/main.ts', { LOG_FORMAT: 'yaml' });
      expect(await api.exited).toBe(1);
      expect(api.output().trim()).toBe(
        'okr-ledger: invalid configuration: LOG_FORMAT: must be one of text, json, got "yaml"',
      );
    });
  });
});
