import {
  checkIn,
  createCycle,
  createKeyResult,
  createObjective,
  createTestDatabase,
  GraphqlClient,
  liveSubscription,
  sleep,
  startTestApp,
  type TestApp,
  type TestDatabase,
} from '@okr-ledger/testing';

const CHECKED_IN = `subscription ($cycleId: ID!) {
  keyResultCheckedIn(cycleId: $cycleId) { id keyResultId value actorId source }
}`;
const OBJECTIVE_CHANGED = `subscription ($cycleId: ID!) {
  objectiveChanged(cycleId: $cycleId) { id title progress health keyResults { currentValue } }
}`;

describe('Subscriptions', () => {
  let database: TestDatabase;
  let instanceA: TestApp;
  let instanceB: TestApp;
  let anaOnA: GraphqlClient;
  let anaOnB: GraphqlClient;
  let zoeOnB: GraphqlClient;

  beforeAll(async () => {
    // Two API instances on one database, as behind a load balancer.
    database = await createTestDatabase('e2e');
    instanceA = await startTestApp({}, { database });
    instanceB = await startTestApp({}, { database });
    anaOnA = await GraphqlClient.as(instanceA.url, { sub: 'ana', org: 'acme' });
    anaOnB = await GraphqlClient.as(instanceB.url, { sub: 'ana', org: 'acme' });
    zoeOnB = await GraphqlClient.as(instanceB.url, { sub: 'zoe', org: 'globex' });
  });
  afterAll(async () => {
    await instanceA.close();
    await instanceB.close();
    await database.drop();
  });

  describe('when a key result is checked in through instance A', () => {
    it('reaches a subscriber of its cycle on instance B, and no one of another cycle or tenant', async () => {
      const cycle = await createCycle(anaOnA);
      const otherCycle = await createCycle(anaOnA);
      const objective = await createObjective(anaOnA, { cycleId: cycle.id });
      const keyResult = await createKeyResult(anaOnA, { objectiveId: objective.id });

      const subscriber = await liveSubscription(instanceB.url, anaOnB.token, CHECKED_IN, {
        cycleId: cycle.id,
      });
      const otherCycleSubscriber = await liveSubscription(instanceB.url, anaOnB.token, CHECKED_IN, {
        cycleId: otherCycle.id,
      });
      // Another tenant that somehow knows the cycle id hears nothing of it.
      const otherTenant = await liveSubscription(instanceB.url, zoeOnB.token, CHECKED_IN, {
        cycleId: cycle.id,
      });
      try {
        const recorded = await checkIn(anaOnA, { keyResultId: keyResult.id, value: 42 });
        const received = await subscriber.waitFor(
          (v) => v.data?.keyResultCheckedIn?.id === recorded.id,
        );
        expect(received.data.keyResultCheckedIn).toEqual({
          id: recorded.id,
          keyResultId: keyResult.id,
          value: 42,
          actorId: 'ana',
          source: 'MANUAL',
        });
        await sleep(500);
        expect(otherCycleSubscriber.values).toEqual([]);
        expect(otherTenant.values).toEqual([]);
      } finally {
        await subscriber.close();
        await otherCycleSubscriber.close();
        await otherTenant.close();
      }
    });
  });

  describe('when an objective’s key result changes through instance A', () => {
    it('publishes the objective with its new progress on instance B', async () => {
      const cycle = await createCycle(anaOnA);
      const objective = await createObjective(anaOnA, { cycleId: cycle.id, title: 'Live' });
      const keyResult = await createKeyResult(anaOnA, { objectiveId: objective.id });
      const subscriber = await liveSubscription(instanceB.url, anaOnB.token, OBJECTIVE_CHANGED, {
        cycleId: cycle.id,
      });
      try {
        await checkIn(anaOnA, { keyResultId: keyResult.id, value: 75 });
        const received = await subscriber.waitFor(
          (v) => v.data?.objectiveChanged?.progress === 0.75,
        );
        expect(received.data.objectiveChanged).toEqual({
          id: objective.id,
          title: 'Live',
          progress: 0.75,
          health: 'ON_TRACK',
          keyResults: [{ currentValue: 75 }],
        });
        await anaOnA.data(
          `mutation ($input: ReviseObjectiveInput!) { reviseObjective(input: $input) { id } }`,
          { input: { objectiveId: objective.id, title: 'Renamed live' } },
        );
        await subscriber.waitFor((v) => v.data?.objectiveChanged?.title === 'Renamed live');
      } finally {
        await subscriber.close();
      }
    });
  });
});
