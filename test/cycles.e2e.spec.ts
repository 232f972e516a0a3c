import {
  createCycle,
  createObjective,
  GraphqlClient,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

type Titled = { node: { title: string } }[];

const SCHEDULE = `mutation ($input: ScheduleCycleInput!) {
  scheduleCycle(input: $input) { id name startsAt endsAt status progress version }
}`;
const START = `mutation ($id: ID!, $v: Int) { startCycle(id: $id, expectedVersion: $v) { id status version } }`;
const CLOSE = `mutation ($id: ID!, $v: Int) { closeCycle(id: $id, expectedVersion: $v) { id status version } }`;

describe('Cycles', () => {
  let testApp: TestApp;
  let ana: GraphqlClient;
  let otherTenant: GraphqlClient;
  let auditor: GraphqlClient;

  beforeAll(async () => {
    testApp = await startTestApp();
    ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    otherTenant = await GraphqlClient.as(testApp.url, { sub: 'zoe', org: 'globex' });
    auditor = await GraphqlClient.as(testApp.url, { sub: 'aud', org: 'acme', roles: ['AUDITOR'] });
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when a cycle is scheduled', () => {
    it('is PLANNING at version 1 with its dates, and listed', async () => {
      const input = {
        name: '2026 Q1',
        startsAt: '2026-01-01T00:00:00.000Z',
        endsAt: '2026-03-31T23:59:59.000Z',
      };
      const { scheduleCycle } = await ana.data(SCHEDULE, { input });
      expect(scheduleCycle).toMatchObject({
        ...input,
        status: 'PLANNING',
        progress: 0,
        version: 1,
      });
      const { cycles, cycle } = await ana.data(
        `query ($id: ID!) { cycles { id } cycle(id: $id) { name } }`,
        {
          id: scheduleCycle.id,
        },
      );
      expect((cycles as { id: string }[]).map((c) => c.id)).toContain(scheduleCycle.id);
      expect(cycle).toEqual({ name: '2026 Q1' });
    });
  });

  describe('when a cycle is started and closed', () => {
    it('moves PLANNING → ACTIVE → CLOSED, counting versions', async () => {
      const cycle = await createCycle(ana, { start: false });
      const started = await ana.data(START, { id: cycle.id, v: 1 });
      expect(started.startCycle).toMatchObject({ status: 'ACTIVE', version: 2 });
      const closed = await ana.data(CLOSE, { id: cycle.id, v: 2 });
      expect(closed.closeCycle).toMatchObject({ status: 'CLOSED', version: 3 });
    });

    it('refuses a second start with DOMAIN_RULE and its rule', async () => {
      const cycle = await createCycle(ana);
      const error = await ana.error(START, { id: cycle.id });
      expect(error.extensions).toMatchObject({
        code: 'DOMAIN_RULE',
        rule: 'INVALID_CYCLE_TRANSITION',
      });
    });
  });

  describe('when the expected version is stale', () => {
    it('answers CONFLICT with the current version', async () => {
      const cycle = await createCycle(ana, { start: false });
      const error = await ana.error(START, { id: cycle.id, v: 5 });
      expect(error.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
    });
  });

  describe('when the input is invalid', () => {
    it('answers BAD_USER_INPUT naming every invalid field', async () => {
      const error = await ana.error(SCHEDULE, {
        input: { name: '', startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-02-01T00:00:00Z' },
      });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.fieldErrors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'input.name', constraint: 'isNotEmpty' }),
        ]),
      );
    });

    it('answers DOMAIN_RULE INVALID_CYCLE_DATES when it ends before it starts', async () => {
      const error = await ana.error(SCHEDULE, {
        input: {
          name: 'Backwards',
          startsAt: '2026-02-01T00:00:00Z',
          endsAt: '2026-01-01T00:00:00Z',
        },
      });
      expect(error.extensions).toMatchObject({ code: 'DOMAIN_RULE', rule: 'INVALID_CYCLE_DATES' });
    });

    it('answers BAD_USER_INPUT for a date that is no DateTime', async () => {
      const error = await ana.error(SCHEDULE, {
        input: { name: 'Q', startsAt: 'yesterday', endsAt: '2026-01-01T00:00:00Z' },
      });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('when the cycle is unknown or of another tenant', () => {
    it('answers null for the query and NOT_FOUND for a mutation', async () => {
      const cycle = await createCycle(ana, { start: false });
      const { cycle: seen } = await otherTenant.data(`query ($id: ID!) { cycle(id: $id) { id } }`, {
        id: cycle.id,
      });
      expect(seen).toBeNull();
      const { cycles } = await otherTenant.data(`{ cycles { id } }`);
      expect(cycles).toEqual([]);
      const error = await otherTenant.error(START, { id: cycle.id });
      expect(error.extensions?.code).toBe('NOT_FOUND');
      const garbage = await ana.data(`{ cycle(id: "not-a-uuid") { id } }`);
      expect(garbage.cycle).toBeNull();
    });
  });

  describe('when an AUDITOR tries to change a cycle', () => {
    it('answers FORBIDDEN', async () => {
      const cycle = await createCycle(ana, { start: false });
      const error = await auditor.error(START, { id: cycle.id });
      expect(error.extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('when its objectives are paged', () => {
    it('returns Relay pages oldest first, 20 by default, and refuses first > 100 or a foreign cursor', async () => {
      const cycle = await createCycle(ana);
      const titles = ['one', 'two', 'three'];
      for (const title of titles) await createObjective(ana, { cycleId: cycle.id, title });
      const query = `query ($id: ID!, $first: Int, $after: String) {
        cycle(id: $id) { progress objectives(first: $first, after: $after) {
          totalCount edges { cursor node { title } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
      const first = await ana.data(query, { id: cycle.id, first: 2 });
      const page = first.cycle.objectives;
      expect(page.totalCount).toBe(3);
      expect((page.edges as Titled).map((e) => e.node.title)).toEqual(['one', 'two']);
      expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      expect(page.pageInfo.endCursor).toBe(page.edges[1].cursor);
      const second = await ana.data(query, {
        id: cycle.id,
        first: 2,
        after: page.pageInfo.endCursor,
      });
      expect((second.cycle.objectives.edges as Titled).map((e) => e.node.title)).toEqual(['three']);
      expect(second.cycle.objectives.pageInfo.hasNextPage).toBe(false);

      const tooMany = await ana.error(query, { id: cycle.id, first: 101 });
      expect(tooMany.extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(tooMany.extensions?.fieldErrors)).toContain('first');
      const badCursor = await ana.error(query, { id: cycle.id, after: 'bm9wZQ' });
      expect(badCursor.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });
});
