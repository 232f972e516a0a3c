import {
  checkIn,
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  sleep,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

const KEY_RESULT = `query ($id: ID!, $asOf: DateTime, $validAt: DateTime) {
  keyResult(id: $id, asOf: $asOf, validAt: $validAt) {
    currentValue measuredAt progress checkInCount
    objective { progress }
    checkIns(first: 10) { edges { node { value measuredAt recordedAt source dataSourceId correctsCheckInId } } }
    history { eventType value measuredAt currentValue }
  }
}`;
const OBJECTIVE = `query ($id: ID!, $asOf: DateTime, $validAt: DateTime) {
  objective(id: $id, asOf: $asOf, validAt: $validAt) { progress keyResults { currentValue } }
}`;
const TREE = `query ($cycleId: ID!, $asOf: DateTime, $validAt: DateTime) {
  alignmentTree(cycleId: $cycleId, asOf: $asOf, validAt: $validAt) { progress objective { progress } }
}`;
const REPLAY = `query ($cycleId: ID!, $at: DateTime, $validAt: DateTime) {
  cycleReplay(cycleId: $cycleId, from: $at, to: $at, validAt: $validAt) {
    progress objectives { keyResults { currentValue } }
  }
}`;
const CHECK_IN = `mutation ($input: CheckInKeyResultInput!) {
  checkInKeyResult(input: $input) { id value measuredAt recordedAt source dataSourceId correctsCheckInId }
}`;

interface KeyResultAnswer {
  keyResult: {
    currentValue: number;
    measuredAt: string | null;
    progress: number;
    checkInCount: number;
    objective: { progress: number };
    checkIns: { edges: { node: { value: number; measuredAt: string } }[] };
    history: {
      eventType: string;
      value: number | null;
      measuredAt: string | null;
      currentValue: number;
    }[];
  };
}
const keyResultQuery = (client: GraphqlClient, variables: Record<string, string>) =>
  client.data<KeyResultAnswer>(KEY_RESULT, variables);

/**
 * ADR 0014 over GraphQL: a check-in of 4, then the instant T, then 8 measured after T, then
 * the instant A, then a late 6 measured just before T (recorded after A). Now: 8 is current.
 * asOf T knew 4; validAt T (as known now) is 6; asOf A about T still 4.
 */
describe('Valid time', () => {
  let testApp: TestApp;
  let ana: GraphqlClient;
  let cycleId: string;
  let objectiveId: string;
  let keyResultId: string;
  let validAt: string;
  let knownAt: string;
  let lateMeasuredAt: string;
  let late: Record<string, unknown>;

  beforeAll(async () => {
    testApp = await startTestApp();
    ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    cycleId = (await createCycle(ana)).id;
    objectiveId = (await createObjective(ana, { cycleId })).id;
    keyResultId = (await createKeyResult(ana, { objectiveId, targetValue: 10 })).id;
    await checkIn(ana, { keyResultId, value: 4 });
    await sleep(30);
    validAt = new Date().toISOString();
    lateMeasuredAt = new Date(Date.parse(validAt) - 5).toISOString();
    await sleep(30);
    await checkIn(ana, { keyResultId, value: 8 });
    await sleep(30);
    knownAt = new Date().toISOString();
    await sleep(30);
    late = (
      await ana.data(CHECK_IN, { input: { keyResultId, value: 6, measuredAt: lateMeasuredAt } })
    ).checkInKeyResult;
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when a person checks in with a measuredAt', () => {
    it('records when it was true beside when it was recorded', () => {
      expect(late).toMatchObject({
        value: 6,
        measuredAt: lateMeasuredAt,
        source: 'MANUAL',
        dataSourceId: null,
        correctsCheckInId: null,
      });
      expect(Date.parse(late.recordedAt as string)).toBeGreaterThan(Date.parse(knownAt));
    });
  });

  describe('when a late value arrives', () => {
    it('fills history without overriding the value measured later', async () => {
      const { keyResult } = await keyResultQuery(ana, { id: keyResultId });
      expect(keyResult).toMatchObject({ currentValue: 8, progress: 0.8, checkInCount: 3 });
      expect(Date.parse(keyResult.measuredAt ?? '')).toBeGreaterThan(Date.parse(validAt));
      expect(keyResult.checkIns.edges.map((e) => e.node.value)).toEqual([6, 8, 4]);
      expect(keyResult.history.map((p) => [p.value, p.currentValue])).toEqual([
        [null, 0],
        [4, 4],
        [8, 8],
        [6, 8],
      ]);
      expect(keyResult.history[3]?.measuredAt).toBe(lateMeasuredAt);
    });
  });

  describe('when keyResult is asked asOf and validAt the same instant', () => {
    it('answers what was known then and what was true then, as known now', async () => {
      const asOf = (await keyResultQuery(ana, { id: keyResultId, asOf: validAt })).keyResult;
      const valid = (await keyResultQuery(ana, { id: keyResultId, validAt })).keyResult;
      expect(asOf).toMatchObject({ currentValue: 4, progress: 0.4, objective: { progress: 0.4 } });
      expect(valid).toMatchObject({
        currentValue: 6,
        measuredAt: lateMeasuredAt,
        progress: 0.6,
        checkInCount: 2,
        objective: { progress: 0.6 },
      });
      expect(valid.checkIns.edges.map((e) => e.node.value)).toEqual([6, 4]);
      expect(valid.history.map((p) => p.value)).toEqual([null, 4, 6]);
    });
    it('answers what was known at asOf about validAt when both are given', async () => {
      const both = (await keyResultQuery(ana, { id: keyResultId, asOf: knownAt, validAt }))
        .keyResult;
      expect(both).toMatchObject({ currentValue: 4, progress: 0.4 });
    });
  });

  describe('when objective, alignmentTree and cycleReplay are asked', () => {
    it('answer differently asOf and validAt', async () => {
      const objective = async (vars: Record<string, string>) =>
        (await ana.data<{ objective: unknown }>(OBJECTIVE, { id: objectiveId, ...vars })).objective;
      expect(await objective({ asOf: validAt })).toEqual({
        progress: 0.4,
        keyResults: [{ currentValue: 4 }],
      });
      expect(await objective({ validAt })).toEqual({
        progress: 0.6,
        keyResults: [{ currentValue: 6 }],
      });

      const tree = async (vars: Record<string, string>) =>
        (await ana.data<{ alignmentTree: unknown }>(TREE, { cycleId, ...vars })).alignmentTree;
      expect(await tree({ asOf: validAt })).toEqual([
        { progress: 0.4, objective: { progress: 0.4 } },
      ]);
      expect(await tree({ validAt })).toEqual([{ progress: 0.6, objective: { progress: 0.6 } }]);

      // A frame now: as recorded (8 current), and what is known now about validAt (6).
      const at = new Date().toISOString();
      const replay = async (vars: Record<string, string>) =>
        (await ana.data<{ cycleReplay: unknown }>(REPLAY, { cycleId, at, ...vars })).cycleReplay;
      expect(await replay({})).toEqual([
        { progress: 0.8, objectives: [{ keyResults: [{ currentValue: 8 }] }] },
      ]);
      expect(await replay({ validAt })).toEqual([
        { progress: 0.6, objectives: [{ keyResults: [{ currentValue: 6 }] }] },
      ]);
    });
  });

  describe('when a person states a measuredAt in the future', () => {
    it('is refused with DOMAIN_RULE naming the field, and nothing is recorded', async () => {
      const future = new Date(Date.now() + 60 * 60 * 1000).toISOString();
      const error = await ana.error(CHECK_IN, {
        input: { keyResultId, value: 9, measuredAt: future },
      });
      expect(error.extensions).toMatchObject({
        code: 'DOMAIN_RULE',
        rule: 'MEASURED_IN_FUTURE',
        field: 'measuredAt',
      });
      const { keyResult } = await keyResultQuery(ana, { id: keyResultId });
      expect(keyResult).toMatchObject({ currentValue: 8, checkInCount: 3 });
    });
    it('refuses a measuredAt that is no instant as BAD_USER_INPUT naming it', async () => {
      const error = await ana.error(CHECK_IN, {
        input: { keyResultId, value: 9, measuredAt: 'yesterday' },
      });
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(JSON.stringify(error.extensions)).toContain('measuredAt');
    });
  });
});
