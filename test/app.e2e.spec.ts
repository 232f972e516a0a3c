import request from 'supertest';
import { startTestApp, type TestApp } from '@okr-ledger/testing';

describe('OKR Ledger API', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when a client asks GraphQL for its type name', () => {
    it('answers over HTTP POST /graphql', async () => {
      const response = await request(testApp.url)
        .post('/graphql')
        .send({ query: '{ __typename }' })
        .expect(200);
      expect(response.body).toEqual({ data: { __typename: 'Query' } });
    });
  });

  describe('when a probe asks for /health', () => {
    it('reports the database as up', async () => {
      const response = await request(testApp.url).get('/health').expect(200);
      expect(response.body.status).toBe('ok');
      expect(response.body.details.database.status).toBe('up');
    });
  });

  describe('when the database goes away', () => {
    it('reports 503 with the database down', async () => {
      const other = await startTestApp();
      // Dropping the database with FORCE terminates the app's connections.
      await other.database.drop();
      const response = await request(other.url).get('/health');
      expect(response.status).toBe(503);
      expect(response.body.status).toBe('error');
      expect(response.body.details.database.status).toBe('down');
      await other.app.close();
    });
  });
});
