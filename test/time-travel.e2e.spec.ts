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

const OBJECTIVE_AS_OF = `query ($id: ID!, $asOf: DateTime) {
  objective(id: $id, asOf: $asOf) {
    title version progress health
    cycle { status }
    children { title }
    keyResults { title targetValue currentValue progress objective { title } }
  }
}`;
const KEY_RESULT_AS_OF = `query ($id: ID!, $asOf: DateTime) {
  keyResult(id: $id, asOf: $asOf) {
    targetValue currentValue version
    objective { title keyResults { targetValue } }
    checkIns { totalCount edges { node { value } } }
    history { currentValue }
  }
}`;
const TREE = `query ($cycleId: ID!, $asOf: DateTime) {
  alignmentTree(cycleId: $cycleId, asOf: $asOf) { parentId depth progress objective { id title } }
}`;
const REPLAY = `query ($cycleId: ID!, $from: DateTime, $to: DateTime, $every: ReplayInterval) {
  cycleReplay(cycleId: $cycleId, from: $from, to: $to, every: $every) {
    at progress objectives { objectiveId title progress }
  }
}`;
const FULL_REPLAY = `query ($cycleId: ID!, $from: DateTime, $to: DateTime) {
  cycleReplay(cycleId: $cycleId, from: $from, to: $to) {
    at progress
    objectives {
      objectiveId title progress health
      keyResults { keyResultId title targetValue currentValue progress confidence health }
    }
  }
}`;
const DAY = 24 * 60 * 60 * 1000;

describe('TimeTravel', () => {
  let testApp: TestApp;
  let ana: GraphqlClient;
  let otherTenant: GraphqlClient;
  let cycleId: string;
  let objectiveId: string;
  let keyResultId: string;
  let childId: string;
  let directId: string;
  let beforeAll_: Date;
  let afterFirstCheckIn: Date;

  beforeAll(async () => {
    testApp = await startTestApp();
    ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    otherTenant = await GraphqlClient.as(testApp.url, { sub: 'zoe', org: 'globex' });
    cycleId = (await createCycle(ana, { daysAgo: 10, days: 90 })).id;
    await sleep(20);
    beforeAll_ = new Date();
    await sleep(20);
    objectiveId = (await createObjective(ana, { cycleId, title: 'Old title' })).id;
    keyResultId = (await createKeyResult(ana, { objectiveId, title: 'Signups' })).id;
    await checkIn(ana, { keyResultId, value: 30, confidence: 0.5 });
    await sleep(20);
    afterFirstCheckIn = new Date();
    await sleep(20);
    await ana.data(
      `mutation ($input: ReviseObjectiveInput!) { reviseObjective(input: $input) { id } }`,
      { input: { objectiveId, title: 'New title', reason: 'sharper' } },
    );
    await ana.data(
      `mutation ($input: RedefineKeyResultInput!) { redefineKeyResult(input: $input) { id } }`,
      { input: { keyResultId, targetValue: 200, reason: 'raise the bar' } },
    );
    await checkIn(ana, { keyResultId, value: 90 });
    childId = (
      await createObjective(ana, { cycleId, title: 'Child', parentKeyResultId: keyResultId })
    ).id;
    directId = (
      await createObjective(ana, { cycleId, title: 'Direct', parentObjectiveId: objectiveId })
    ).id;
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when an objective is read as of an earlier instant', () => {
    it('shows what was known then, nested fields included', async () => {
      const { objective } = await ana.data(OBJECTIVE_AS_OF, {
        id: objectiveId,
        asOf: afterFirstCheckIn.toISOString(),
      });
      expect(objective).toMatchObject({
        title: 'Old title',
        version: 1,
        progress: 0.3,
        cycle: { status: 'ACTIVE' },
        children: [],
        keyResults: [
          {
            title: 'Signups',
            targetValue: 100,
            currentValue: 30,
            progress: 0.3,
            objective: { title: 'Old title' },
          },
        ],
      });
      expect(objective.health).toBe('ON_TRACK');
    });

    it('pages the cycle’s objectives as of the same instant', async () => {
      const { objective } = await ana.data(
        `query ($id: ID!, $asOf: DateTime) { objective(id: $id, asOf: $asOf) {
          cycle { objectives(first: 5) { totalCount edges { node { title version } } } } } }`,
        { id: objectiveId, asOf: afterFirstCheckIn.toISOString() },
      );
      expect(objective.cycle.objectives).toEqual({
        totalCount: 1,
        edges: [{ node: { title: 'Old title', version: 1 } }],
      });
    });

    it('shows the current state without asOf', async () => {
      const { objective } = await ana.data(OBJECTIVE_AS_OF, { id: objectiveId });
      expect(objective).toMatchObject({ title: 'New title', version: 2, progress: 0.45 });
      expect((objective.children as { title: string }[]).map((c) => c.title).sort()).toEqual([
        'Child',
        'Direct',
      ]);
      expect(objective.keyResults[0]).toMatchObject({ targetValue: 200, currentValue: 90 });
    });

    it('is null before the objective existed, and for another tenant', async () => {
      const before = await ana.data(OBJECTIVE_AS_OF, {
        id: objectiveId,
        asOf: beforeAll_.toISOString(),
      });
      expect(before.objective).toBeNull();
      const foreign = await otherTenant.data(OBJECTIVE_AS_OF, {
        id: objectiveId,
        asOf: new Date().toISOString(),
      });
      expect(foreign.objective).toBeNull();
    });
  });

  describe('when a key result is read as of an earlier instant', () => {
    it('shows its old definition, its objective then, and only the check-ins recorded by then', async () => {
      const { keyResult } = await ana.data(KEY_RESULT_AS_OF, {
        id: keyResultId,
        asOf: afterFirstCheckIn.toISOString(),
      });
      expect(keyResult).toEqual({
        targetValue: 100,
        currentValue: 30,
        version: 2,
        objective: { title: 'Old title', keyResults: [{ targetValue: 100 }] },
        checkIns: { totalCount: 1, edges: [{ node: { value: 30 } }] },
        history: [{ currentValue: 0 }, { currentValue: 30 }],
      });
      const { keyResult: now } = await ana.data(KEY_RESULT_AS_OF, { id: keyResultId });
      expect(now).toMatchObject({ targetValue: 200, currentValue: 90, version: 4 });
      expect(now.checkIns.totalCount).toBe(2);
    });
  });

  describe('when the alignment tree is read', () => {
    it('lists roots first in pre-order; a child of a key result has that key result’s objective as parent', async () => {
      const { alignmentTree } = await ana.data(TREE, { cycleId });
      expect(alignmentTree[0]).toMatchObject({
        parentId: null,
        depth: 0,
        objective: { id: objectiveId },
      });
      const byId = new Map(
        (alignmentTree as { objective: { id: string } }[]).map((n) => [n.objective.id, n]),
      );
      expect(byId.get(childId)).toMatchObject({ parentId: objectiveId, depth: 1 });
      expect(byId.get(directId)).toMatchObject({ parentId: objectiveId, depth: 1 });
      expect(alignmentTree).toHaveLength(3);
    });

    it('as of an earlier instant holds only what existed then', async () => {
      const { alignmentTree } = await ana.data(TREE, {
        cycleId,
        asOf: afterFirstCheckIn.toISOString(),
      });
      expect(alignmentTree).toEqual([
        {
          parentId: null,
          depth: 0,
          progress: 0.3,
          objective: { id: objectiveId, title: 'Old title' },
        },
      ]);
    });

    it('as of before the cycle was scheduled is empty, not NOT_FOUND: the cycle exists now', async () => {
      const laterCycle = (await createCycle(ana, { name: 'Later' })).id;
      const { alignmentTree } = await ana.data(TREE, {
        cycleId: laterCycle,
        asOf: beforeAll_.toISOString(),
      });
      expect(alignmentTree).toEqual([]);
      const unknown = await ana.error(TREE, {
        cycleId: '00000000-0000-4000-8000-000000000000',
        asOf: beforeAll_.toISOString(),
      });
      expect(unknown.extensions?.code).toBe('NOT_FOUND');
    });

    it('as of now equals the live tree, roll-ups across cycles included', async () => {
      // An objective of another cycle aligned to a key result that rolls up aligned objectives
      // (under a root of its own: the tests above and below keep their objectives' scores).
      const root = (await createObjective(ana, { cycleId, title: 'Rolls up' })).id;
      const rollUp = (
        await createKeyResult(ana, {
          objectiveId: root,
          title: 'Teams deliver',
          scoring: 'ALIGNED_OBJECTIVES',
        })
      ).id;
      const nextCycle = (await createCycle(ana, { name: 'Next', daysAgo: -80 })).id;
      const across = (
        await createObjective(ana, {
          cycleId: nextCycle,
          title: 'Across',
          parentKeyResultId: rollUp,
        })
      ).id;
      const acrossKr = (await createKeyResult(ana, { objectiveId: across, title: 'Deals' })).id;
      await checkIn(ana, { keyResultId: acrossKr, value: 80 });
      const asOf = new Date().toISOString();
      const liveTree = await ana.data(TREE, { cycleId });
      const asOfTree = await ana.data(TREE, { cycleId, asOf });
      expect(asOfTree.alignmentTree).toEqual(liveTree.alignmentTree);
      const rolled = `query ($id: ID!, $asOf: DateTime) { keyResult(id: $id, asOf: $asOf) { progress } }`;
      const liveKr = await ana.data(rolled, { id: rollUp });
      expect(liveKr.keyResult.progress).toBe(0.8);
      expect((await ana.data(rolled, { id: rollUp, asOf })).keyResult).toEqual(liveKr.keyResult);
    });

    it('is NOT_FOUND for an unknown or foreign cycle', async () => {
      const foreign = await otherTenant.error(TREE, { cycleId });
      expect(foreign.extensions?.code).toBe('NOT_FOUND');
      const foreignAsOf = await otherTenant.error(TREE, {
        cycleId,
        asOf: new Date().toISOString(),
      });
      expect(foreignAsOf.extensions?.code).toBe('NOT_FOUND');
    });
  });

  describe('when a cycle is replayed', () => {
    it('gives exactly one frame when from = to, as of that instant', async () => {
      const at = afterFirstCheckIn.toISOString();
      const { cycleReplay } = await ana.data(REPLAY, { cycleId, from: at, to: at });
      expect(cycleReplay).toEqual([
        { at, progress: 0.3, objectives: [{ objectiveId, title: 'Old title', progress: 0.3 }] },
      ]);
      const { cycleReplay: full } = await ana.data(FULL_REPLAY, { cycleId, from: at, to: at });
      expect(full).toHaveLength(1);
      // Checked in by then, so no longer NOT_STARTED; one key result, so the objective reads alike.
      const { health: keyResultHealth, ...keyResultFrame } = full[0].objectives[0].keyResults[0];
      expect(['ON_TRACK', 'AT_RISK', 'OFF_TRACK']).toContain(keyResultHealth);
      expect(full[0].objectives[0].health).toBe(keyResultHealth);
      expect(keyResultFrame).toEqual({
        keyResultId,
        title: 'Signups',
        targetValue: 100,
        currentValue: 30,
        progress: 0.3,
        confidence: 0.5,
      });
    });

    it('defaults to weekly frames from the cycle’s start to now', async () => {
      const { cycleReplay } = await ana.data(REPLAY, { cycleId });
      const { cycle } = await ana.data(`query ($id: ID!) { cycle(id: $id) { startsAt } }`, {
        id: cycleId,
      });
      // Started 10 days ago: frames at the start, a week later, and now.
      expect(cycleReplay).toHaveLength(3);
      expect(cycleReplay[0].at).toBe(cycle.startsAt);
      const ats = (cycleReplay as { at: string }[]).map((f) => Date.parse(f.at));
      expect(ats[1]! - ats[0]!).toBe(7 * DAY);
      expect(Math.abs(ats[2]! - Date.now())).toBeLessThan(60_000);
      expect(cycleReplay[0].objectives).toEqual([]);
      expect(cycleReplay[2].objectives[0]).toMatchObject({ title: 'New title', progress: 0.45 });
    });

    it('steps by day with every: DAY', async () => {
      // One clock reading: a millisecond between two would add a frame just before `to`.
      const now = Date.now();
      const from = new Date(now - 3 * DAY).toISOString();
      const to = new Date(now).toISOString();
      const { cycleReplay } = await ana.data(REPLAY, { cycleId, from, to, every: 'DAY' });
      expect((cycleReplay as { at: string }[]).map((f) => f.at)).toEqual([
        from,
        new Date(Date.parse(from) + DAY).toISOString(),
        new Date(Date.parse(from) + 2 * DAY).toISOString(),
        to,
      ]);
    });

    it('refuses to before from as BAD_USER_INPUT, and an unknown or foreign cycle as NOT_FOUND', async () => {
      const backwards = await ana.error(REPLAY, {
        cycleId,
        from: new Date().toISOString(),
        to: new Date(Date.now() - DAY).toISOString(),
      });
      expect(backwards.extensions?.code).toBe('BAD_USER_INPUT');
      expect((await otherTenant.error(REPLAY, { cycleId })).extensions?.code).toBe('NOT_FOUND');
      expect((await ana.error(REPLAY, { cycleId: 'nope' })).extensions?.code).toBe('NOT_FOUND');
    });
  });
});
