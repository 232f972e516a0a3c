import {
  createCycle,
  createObjective,
  GraphqlClient,
  sleep,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

const CREATE = `mutation ($input: CreateTeamInput!) {
  createTeam(input: $input) { id name version parent { id name } children { id } }
}`;

describe('Teams', () => {
  let testApp: TestApp;
  let ana: GraphqlClient;
  let otherTenant: GraphqlClient;

  beforeAll(async () => {
    testApp = await startTestApp();
    ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    otherTenant = await GraphqlClient.as(testApp.url, { sub: 'zoe', org: 'globex' });
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when teams are created under each other', () => {
    it('shows the tree through parent and children', async () => {
      const { createTeam: root } = await ana.data(CREATE, { input: { name: 'Product' } });
      expect(root).toMatchObject({ name: 'Product', version: 1, parent: null, children: [] });
      const { createTeam: child } = await ana.data(CREATE, {
        input: { name: 'Checkout', parentTeamId: root.id },
      });
      expect(child.parent).toEqual({ id: root.id, name: 'Product' });
      const { teams } = await ana.data(`{ teams { id name children { name } } }`);
      expect(teams).toEqual(
        expect.arrayContaining([
          { id: root.id, name: 'Product', children: [{ name: 'Checkout' }] },
        ]),
      );
    });
  });

  describe('when a team moved away after an instant asked about', () => {
    it('is still a child of its old parent as of that instant, and of its new one now', async () => {
      const { createTeam: engineering } = await ana.data(CREATE, {
        input: { name: 'Engineering' },
      });
      const { createTeam: platform } = await ana.data(CREATE, { input: { name: 'Platform' } });
      const { createTeam: mobile } = await ana.data(CREATE, {
        input: { name: 'Mobile', parentTeamId: engineering.id },
      });
      await ana.data(CREATE, { input: { name: 'Web', parentTeamId: engineering.id } });
      const cycleId = (await createCycle(ana)).id;
      const objectiveId = (await createObjective(ana, { cycleId, teamId: engineering.id })).id;
      await sleep(20);
      const beforeMove = new Date().toISOString();
      await sleep(20);
      await ana.data(`mutation ($input: MoveTeamInput!) { moveTeam(input: $input) { id } }`, {
        input: { teamId: mobile.id, parentTeamId: platform.id },
      });
      const query = `query ($id: ID!, $asOf: DateTime) {
        objective(id: $id, asOf: $asOf) { team { name children { name parent { name } } } }
      }`;
      const then = await ana.data(query, { id: objectiveId, asOf: beforeMove });
      expect(then.objective.team).toEqual({
        name: 'Engineering',
        children: [
          { name: 'Mobile', parent: { name: 'Engineering' } },
          { name: 'Web', parent: { name: 'Engineering' } },
        ],
      });
      const now = await ana.data(query, { id: objectiveId });
      expect(now.objective.team.children).toEqual([
        { name: 'Web', parent: { name: 'Engineering' } },
      ]);
      const { teams } = await ana.data(`{ teams { name children { name } } }`);
      expect(teams).toEqual(
        expect.arrayContaining([{ name: 'Platform', children: [{ name: 'Mobile' }] }]),
      );
    });
  });

  describe('when members were added and removed after an instant asked about', () => {
    it('answers the members and lead flags of that instant, and those of now without', async () => {
      const member = `mutation ($input: AddTeamMemberInput!) { addTeamMember(input: $input) { id } }`;
      const { createTeam: support } = await ana.data(CREATE, { input: { name: 'Support' } });
      const { createTeam: tier2 } = await ana.data(CREATE, {
        input: { name: 'Tier 2', parentTeamId: support.id },
      });
      await ana.data(member, { input: { teamId: support.id, personId: 'zoe', lead: true } });
      await ana.data(member, { input: { teamId: support.id, personId: 'bob' } });
      await ana.data(member, { input: { teamId: tier2.id, personId: 'ivy' } });
      const cycleId = (await createCycle(ana)).id;
      const objectiveId = (await createObjective(ana, { cycleId, teamId: support.id })).id;
      await sleep(20);
      const before = new Date().toISOString();
      await sleep(20);
      await ana.data(member, { input: { teamId: support.id, personId: 'cid' } });
      await ana.data(member, { input: { teamId: support.id, personId: 'bob', lead: true } });
      await ana.data(member, { input: { teamId: tier2.id, personId: 'kai', lead: true } });
      await ana.data(
        `mutation ($input: RemoveTeamMemberInput!) { removeTeamMember(input: $input) { id } }`,
        { input: { teamId: support.id, personId: 'zoe' } },
      );
      const query = `query ($id: ID!, $asOf: DateTime, $validAt: DateTime) {
        objective(id: $id, asOf: $asOf, validAt: $validAt) {
          team { members { personId lead } children { name members { personId lead } } }
        }
      }`;
      const then = {
        members: [
          { personId: 'bob', lead: false },
          { personId: 'zoe', lead: true },
        ],
        children: [{ name: 'Tier 2', members: [{ personId: 'ivy', lead: false }] }],
      };
      const asOf = await ana.data(query, { id: objectiveId, asOf: before });
      expect(asOf.objective.team).toEqual(then);
      const validAt = await ana.data(query, { id: objectiveId, validAt: before });
      expect(validAt.objective.team).toEqual(then);
      const now = await ana.data(query, { id: objectiveId });
      expect(now.objective.team).toEqual({
        members: [
          { personId: 'bob', lead: true },
          { personId: 'cid', lead: false },
        ],
        children: [
          {
            name: 'Tier 2',
            members: [
              { personId: 'ivy', lead: false },
              { personId: 'kai', lead: true },
            ],
          },
        ],
      });
    });
  });

  describe('when a move would make a loop', () => {
    it('answers DOMAIN_RULE TEAM_LOOP', async () => {
      const { createTeam: a } = await ana.data(CREATE, { input: { name: 'A' } });
      const { createTeam: b } = await ana.data(CREATE, {
        input: { name: 'B', parentTeamId: a.id },
      });
      const error = await ana.error(
        `mutation ($input: MoveTeamInput!) { moveTeam(input: $input) { id } }`,
        { input: { teamId: a.id, parentTeamId: b.id } },
      );
      expect(error.extensions).toMatchObject({ code: 'DOMAIN_RULE', rule: 'TEAM_LOOP' });
    });
  });

  describe('when a team is renamed with a stale version', () => {
    it('answers CONFLICT with the current version', async () => {
      const { createTeam: team } = await ana.data(CREATE, { input: { name: 'Old' } });
      const rename = `mutation ($input: RenameTeamInput!) { renameTeam(input: $input) { name version } }`;
      const renamed = await ana.data(rename, {
        input: { teamId: team.id, name: 'New', expectedVersion: 1 },
      });
      expect(renamed.renameTeam).toEqual({ name: 'New', version: 2 });
      const error = await ana.error(rename, {
        input: { teamId: team.id, name: 'Newer', expectedVersion: 1 },
      });
      expect(error.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    });
  });

  describe('when the name is blank', () => {
    it('answers BAD_USER_INPUT with the field path', async () => {
      const error = await ana.error(CREATE, { input: { name: '' } });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.fieldErrors).toEqual([
        expect.objectContaining({ path: 'input.name', constraint: 'isNotEmpty' }),
      ]);
    });
  });

  describe('when the parent belongs to another tenant', () => {
    it('answers NOT_FOUND and the other tenant sees no teams', async () => {
      const { createTeam: team } = await ana.data(CREATE, { input: { name: 'Private' } });
      const error = await otherTenant.error(CREATE, {
        input: { name: 'Spy', parentTeamId: team.id },
      });
      expect(error.extensions?.code).toBe('NOT_FOUND');
      const { teams } = await otherTenant.data(`{ teams { id } }`);
      expect(teams).toEqual([]);
    });
  });
});
