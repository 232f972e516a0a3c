import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import request from 'supertest';
import { GraphqlClient, startTestApp, type TestApp } from '@okr-ledger/testing';

/** A loopback port with nothing listening: an EventStoreDB that is down. */
function closedPort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('The API on EventStoreDB', () => {
  let testApp: TestApp;
  let ana: GraphqlClient;

  beforeAll(async () => {
    const port = await closedPort();
    testApp = await startTestApp({
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_URL: `esdb://127.0.0.1:${port}?tls=false&discoveryInterval=0&maxDiscoverAttempts=1`,
      // The projector would only retry against the missing server; this is about commands.
      PROJECTOR: 'external',
    });
    ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when the event store cannot be reached', () => {
    it('answers a mutation with SERVICE_UNAVAILABLE, no stack and no internal details', async () => {
      const body = await ana.send(`mutation { createTeam(input: { name: "Sales" }) { id } }`);
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
      expect(body.errors?.[0]?.message).toBe(
        'The event store cannot be reached right now; nothing was recorded. Retry later.',
      );
    });
  });

  describe('when a data source posts measurements', () => {
    it('answers 503 SERVICE_UNAVAILABLE over plain HTTP too, as GraphQL does', async () => {
      // Well formed, so the route has to read the source's stream to check it.
      const key = `okrds.${Buffer.from('acme').toString('base64url')}.${randomUUID()}.${'a'.repeat(43)}`;
      const response = await request(testApp.url)
        .post('/integrations/measurements')
        .set('Authorization', `Bearer ${key}`)
        .send({ measurements: [{ keyResultId: randomUUID(), value: 1, measuredAt: new Date() }] });
      expect(response.status).toBe(503);
      expect(response.body.errors).toEqual([
        {
          message:
            'The event store cannot be reached right now; nothing was recorded. Retry later.',
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        },
      ]);
    });
  });

  describe('when a probe asks for /health', () => {
    it('reports the event store down (503) while the database is up', async () => {
      const response = await request(testApp.url).get('/health');
      expect(response.status).toBe(503);
      expect(response.body.details.database.status).toBe('up');
      expect(response.body.details.eventStore).toMatchObject({
        status: 'down',
        kind: 'eventstoredb',
      });
    });
  });
});
