import { GraphqlClient, startTestApp, type TestApp } from '@okr-ledger/testing';

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
