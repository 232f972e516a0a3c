import request from 'supertest';
import {
  checkIn,
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

interface Lag {
  checkpoint: string;
  eventsBehind: number;
  millisecondsBehind: number;
}

describe('Health', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when the projections have caught up with the writes', () => {
    it('reports each projection up with its checkpoint and no lag', async () => {
      const ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
      const cycle = await createCycle(ana);
      const objective = await createObjective(ana, { cycleId: cycle.id });
      const keyResult = await createKeyResult(ana, { objectiveId: objective.id });
      await checkIn(ana, { keyResultId: keyResult.id, value: 1 });

      const response = await request(testApp.url).get('/health').expect(200);
      expect(response.body.details.projections.status).toBe('up');
      // The event store answers with where its log ends: past every projection's checkpoint.
      expect(response.body.details.eventStore).toMatchObject({ status: 'up', kind: 'postgres' });
      const head = response.body.details.eventStore.head as string;
      const lag = response.body.details.projections.lag as Record<string, Lag>;
      expect(Object.keys(lag).length).toBeGreaterThanOrEqual(4);
      for (const projection of Object.values(lag)) {
        expect(projection).toEqual({
          checkpoint: expect.any(String),
          eventsBehind: 0,
          millisecondsBehind: 0,
        });
        expect(projection.checkpoint <= head).toBe(true);
        expect(projection.checkpoint).not.toBe('');
      }
    });
  });
});
