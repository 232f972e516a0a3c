import {
  checkIn,
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

const KEY_RESULT = `query ($id: ID!) {
  keyResult(id: $id) {
    id title ownerId type kind scoring startValue targetValue currentValue unit weight
    progress confidence health dataSourceUrl healthMetric checkInCount version
    objective { id }
    initiatives { id title dueDate completed }
    checkIns(first: 10) { totalCount edges { node { id keyResultId value confidence plan progress problems source actorId recordedAt } } }
    history { eventType currentValue targetValue progress }
  }
}`;
const REDEFINE = `mutation ($input: RedefineKeyResultInput!) {
  redefineKeyResult(input: $input) { id targetValue title version }
}`;
const CHECK_IN = `mutation ($input: CheckInKeyResultInput!) {
  checkInKeyResult(input: $input) { id keyResultId value confidence plan progress problems source actorId recordedAt }
}`;

describe('KeyResults', () => {
  let testApp: TestApp;
  let ana: GraphqlClient;
  let otherTenant: GraphqlClient;
  let cycleId: string;
  let objectiveId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    otherTenant = await GraphqlClient.as(testApp.url, { sub: 'zoe', org: 'globex' });
    cycleId = (await createCycle(ana)).id;
    objectiveId = (await createObjective(ana, { cycleId })).id;
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when a key result is added', () => {
    it('starts at its start value, NOT_STARTED, with defaults', async () => {
      const { addKeyResult } = await ana.data(
        `mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) {
          title type kind startValue targetValue currentValue unit weight progress health scoring
          healthMetric version objective { id } } }`,
        {
          input: {
            objectiveId,
            title: 'Churn',
            type: 'DECREASE',
            kind: 'OUTCOME',
            startValue: 10,
            targetValue: 5,
            unit: '%',
            dataSourceUrl: 'https://metrics.example.com/churn',
          },
        },
      );
      expect(addKeyResult).toEqual({
        title: 'Churn',
        type: 'DECREASE',
        kind: 'OUTCOME',
        startValue: 10,
        targetValue: 5,
        currentValue: 10,
        unit: '%',
        weight: 1,
        progress: 0,
        health: 'NOT_STARTED',
        scoring: 'OWN_VALUE',
        healthMetric: false,
        version: 1,
        objective: { id: objectiveId },
      });
    });

    it('answers BAD_USER_INPUT for every invalid field with its path', async () => {
      const error = await ana.error(
        `mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) { id } }`,
        {
          input: {
            objectiveId,
            title: '',
            type: 'INCREASE',
            kind: 'INPUT',
            startValue: 0,
            targetValue: 1,
            weight: -1,
            dataSourceUrl: 'not a url',
          },
        },
      );
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      const paths = (error.extensions?.fieldErrors as { path: string }[]).map((e) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining(['input.title', 'input.weight', 'input.dataSourceUrl']),
      );
    });

    it('answers BAD_USER_INPUT for an unknown enum value', async () => {
      const error = await ana.error(
        `mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) { id } }`,
        {
          input: {
            objectiveId,
            title: 'x',
            type: 'SIDEWAYS',
            kind: 'INPUT',
            startValue: 0,
            targetValue: 1,
          },
        },
      );
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('when a key result is checked in', () => {
    it('records the check-in, updates value, progress, confidence and health', async () => {
      const keyResult = await createKeyResult(ana, { objectiveId });
      const { checkInKeyResult } = await ana.data(CHECK_IN, {
        input: {
          keyResultId: keyResult.id,
          value: 40,
          confidence: 0.8,
          plan: 'ship',
          progress: 'built',
          problems: 'none',
          source: 'INTEGRATION',
        },
      });
      expect(checkInKeyResult).toMatchObject({
        keyResultId: keyResult.id,
        value: 40,
        confidence: 0.8,
        plan: 'ship',
        progress: 'built',
        problems: 'none',
        source: 'INTEGRATION',
        actorId: 'ana',
      });
      await checkIn(ana, { keyResultId: keyResult.id, value: 60 });
      const { keyResult: read } = await ana.data(KEY_RESULT, { id: keyResult.id });
      expect(read).toMatchObject({
        currentValue: 60,
        progress: 0.6,
        confidence: 0.8,
        health: 'ON_TRACK',
        checkInCount: 2,
      });
      // Newest first.
      expect(read.checkIns.totalCount).toBe(2);
      expect(
        (read.checkIns.edges as { node: { value: number } }[]).map((e) => e.node.value),
      ).toEqual([60, 40]);
      expect((read.history as { currentValue: number }[]).map((h) => h.currentValue)).toEqual([
        0, 40, 60,
      ]);
    });

    it('with a used idempotency key returns the first check-in and records nothing', async () => {
      const keyResult = await createKeyResult(ana, { objectiveId });
      const input = { keyResultId: keyResult.id, value: 10, idempotencyKey: 'sync-42' };
      const first = await ana.data(CHECK_IN, { input });
      const again = await ana.data(CHECK_IN, { input: { ...input, value: 99 } });
      expect(again.checkInKeyResult.id).toBe(first.checkInKeyResult.id);
      expect(again.checkInKeyResult.value).toBe(10);
      const { keyResult: read } = await ana.data(KEY_RESULT, { id: keyResult.id });
      expect(read).toMatchObject({ currentValue: 10, checkInCount: 1, version: 2 });
      expect(read.checkIns.totalCount).toBe(1);
    });

    it('answers BAD_USER_INPUT for a confidence above 1', async () => {
      const keyResult = await createKeyResult(ana, { objectiveId });
      const error = await ana.error(CHECK_IN, {
        input: { keyResultId: keyResult.id, value: 1, confidence: 2 },
      });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.fieldErrors).toEqual([
        expect.objectContaining({ path: 'input.confidence', constraint: 'max' }),
      ]);
    });

    it('is refused with DOMAIN_RULE CYCLE_CLOSED once the cycle is closed', async () => {
      const cycle = await createCycle(ana);
      const objective = await createObjective(ana, { cycleId: cycle.id });
      const keyResult = await createKeyResult(ana, { objectiveId: objective.id });
      await ana.data(`mutation ($id: ID!) { closeCycle(id: $id) { id } }`, { id: cycle.id });
      const error = await ana.error(CHECK_IN, { input: { keyResultId: keyResult.id, value: 5 } });
      expect(error.extensions).toMatchObject({ code: 'DOMAIN_RULE', rule: 'CYCLE_CLOSED' });
    });
  });

  describe('when a key result is redefined in an ACTIVE cycle', () => {
    it('needs a reason (DOMAIN_RULE REASON_REQUIRED), then applies it; stale versions are CONFLICT', async () => {
      const keyResult = await createKeyResult(ana, { objectiveId });
      const noReason = await ana.error(REDEFINE, {
        input: { keyResultId: keyResult.id, targetValue: 200 },
      });
      expect(noReason.extensions).toMatchObject({ code: 'DOMAIN_RULE', rule: 'REASON_REQUIRED' });
      const { redefineKeyResult } = await ana.data(REDEFINE, {
        input: {
          keyResultId: keyResult.id,
          targetValue: 200,
          expectedVersion: 1,
          reason: 'too easy',
        },
      });
      expect(redefineKeyResult).toMatchObject({ targetValue: 200, version: 2 });
      const stale = await ana.error(REDEFINE, {
        input: { keyResultId: keyResult.id, title: 'x', expectedVersion: 1, reason: 'r' },
      });
      expect(stale.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    });
  });

  describe('when a key result graduates and gets initiatives', () => {
    it('becomes a health metric and lists its initiatives as completed', async () => {
      const keyResult = await createKeyResult(ana, { objectiveId });
      const { addInitiative } = await ana.data(
        `mutation ($input: AddInitiativeInput!) { addInitiative(input: $input) { initiatives { id title dueDate completed } } }`,
        { input: { keyResultId: keyResult.id, title: 'Survey', dueDate: '2026-03-01' } },
      );
      const [initiative] = addInitiative.initiatives;
      expect(initiative).toMatchObject({
        title: 'Survey',
        dueDate: '2026-03-01',
        completed: false,
      });
      const { completeInitiative } = await ana.data(
        `mutation ($input: CompleteInitiativeInput!) { completeInitiative(input: $input) { initiatives { completed } } }`,
        { input: { keyResultId: keyResult.id, initiativeId: initiative.id } },
      );
      expect(completeInitiative.initiatives).toEqual([{ completed: true }]);
      const { graduateKeyResult } = await ana.data(
        `mutation ($input: GraduateKeyResultInput!) { graduateKeyResult(input: $input) { healthMetric version } }`,
        { input: { keyResultId: keyResult.id, reason: 'now a KPI' } },
      );
      expect(graduateKeyResult).toEqual({ healthMetric: true, version: 4 });
    });
  });

  describe('when the key result is unknown or of another tenant', () => {
    it('answers null for keyResult(id) and NOT_FOUND for check-ins', async () => {
      const keyResult = await createKeyResult(ana, { objectiveId });
      expect((await otherTenant.data(KEY_RESULT, { id: keyResult.id })).keyResult).toBeNull();
      const error = await otherTenant.error(CHECK_IN, {
        input: { keyResultId: keyResult.id, value: 1 },
      });
      expect(error.extensions?.code).toBe('NOT_FOUND');
      const foreignObjective = await otherTenant.error(
        `mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) { id } }`,
        {
          input: {
            objectiveId,
            title: 'x',
            type: 'INCREASE',
            kind: 'INPUT',
            startValue: 0,
            targetValue: 1,
          },
        },
      );
      expect(foreignObjective.extensions?.code).toBe('NOT_FOUND');
    });
  });
});
