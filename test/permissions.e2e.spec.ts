import {
  checkIn,
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

const ADD_MEMBER = `mutation ($input: AddTeamMemberInput!) {
  addTeamMember(input: $input) { id version members { personId lead } }
}`;
const REMOVE_MEMBER = `mutation ($input: RemoveTeamMemberInput!) {
  removeTeamMember(input: $input) { id version members { personId lead } }
}`;
const REVISE = `mutation ($input: ReviseObjectiveInput!) {
  reviseObjective(input: $input) { id version description }
}`;
const CHANGE_VISIBILITY = `mutation ($input: ChangeObjectiveVisibilityInput!) {
  changeObjectiveVisibility(input: $input) { id version visibility }
}`;
const SHARE = `mutation ($input: ShareObjectiveInput!) { shareObjective(input: $input) { id version } }`;
const UNSHARE = `mutation ($input: UnshareObjectiveInput!) {
  unshareObjective(input: $input) { id version }
}`;
const OBJECTIVE = `query ($id: ID!) { objective(id: $id) { id visibility ownerId } }`;

describe('Permissions', () => {
  let testApp: TestApp;
  let admin: GraphqlClient;
  let lena: GraphqlClient; // MEMBER, leads Web
  let webby: GraphqlClient; // MEMBER of Web
  let otto: GraphqlClient; // MEMBER of no team
  let audrey: GraphqlClient; // AUDITOR
  let cycleId: string;
  let web: string;

  const as = (sub: string, roles: string[]) =>
    GraphqlClient.as(testApp.url, { sub, org: 'acme', roles });

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = await as('ada', ['ADMIN']);
    lena = await as('lena', ['MEMBER']);
    webby = await as('webby', ['MEMBER']);
    otto = await as('otto', ['MEMBER']);
    audrey = await as('audrey', ['AUDITOR']);
    cycleId = (await createCycle(admin)).id;
    web = (await admin.data(`mutation { createTeam(input: { name: "Web" }) { id } }`)).createTeam
      .id;
    await admin.data(ADD_MEMBER, { input: { teamId: web, personId: 'lena', lead: true } });
    await lena.data(ADD_MEMBER, { input: { teamId: web, personId: 'webby' } });
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when team members are added and removed', () => {
    it('shows them on Team.members; an ADMIN or the lead may, others are FORBIDDEN TEAM_LEAD', async () => {
      const { addTeamMember } = await lena.data(ADD_MEMBER, {
        input: { teamId: web, personId: 'pat', lead: false },
      });
      expect(addTeamMember.members).toEqual(
        expect.arrayContaining([
          { personId: 'lena', lead: true },
          { personId: 'webby', lead: false },
          { personId: 'pat', lead: false },
        ]),
      );
      const { removeTeamMember } = await admin.data(REMOVE_MEMBER, {
        input: { teamId: web, personId: 'pat' },
      });
      const members = removeTeamMember.members as { personId: string }[];
      expect(members.map((m) => m.personId)).not.toContain('pat');
      for (const client of [webby, otto]) {
        const refused = await client.error(ADD_MEMBER, {
          input: { teamId: web, personId: 'otto', lead: true },
        });
        expect(refused.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'TEAM_LEAD' });
      }
      const auditor = await audrey.error(REMOVE_MEMBER, {
        input: { teamId: web, personId: 'webby' },
      });
      expect(auditor.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'READ_ONLY_ROLE' });
    });

    it('answers a keyed retry with the first result; the key with other input is BAD_USER_INPUT', async () => {
      const input = { teamId: web, personId: 'quinn', idempotencyKey: 'add-quinn' };
      const first = (await lena.data(ADD_MEMBER, { input })).addTeamMember;
      const retry = (await lena.data(ADD_MEMBER, { input })).addTeamMember;
      expect(retry.version).toBe(first.version);
      const reused = await lena.error(ADD_MEMBER, { input: { ...input, lead: true } });
      expect(reused.extensions?.code).toBe('BAD_USER_INPUT');
      const removeInput = { teamId: web, personId: 'quinn', idempotencyKey: 'remove-quinn' };
      const removed = (await lena.data(REMOVE_MEMBER, { input: removeInput })).removeTeamMember;
      const again = (await lena.data(REMOVE_MEMBER, { input: removeInput })).removeTeamMember;
      expect(again.version).toBe(removed.version);
    });
  });

  describe('when a MEMBER sets an objective without a team or owner', () => {
    it('owns it and it is PRIVATE: others get NOT_FOUND, ADMIN included; the auditor reads it', async () => {
      const { id } = await createObjective(otto, { cycleId, title: 'Get in better shape' });
      expect((await otto.data(OBJECTIVE, { id })).objective).toEqual({
        id,
        visibility: 'PRIVATE',
        ownerId: 'otto',
      });
      await otto.data(REVISE, { input: { objectiveId: id, description: 'twice a week' } });
      for (const client of [webby, lena, admin]) {
        const hidden = await client.error(REVISE, { input: { objectiveId: id, description: 'x' } });
        expect(hidden.extensions).toMatchObject({ code: 'NOT_FOUND', type: 'Objective', id });
        expect((await client.data(OBJECTIVE, { id })).objective).toBeNull();
      }
      expect((await audrey.data(OBJECTIVE, { id })).objective).toMatchObject({ id });
      const auditor = await audrey.error(REVISE, { input: { objectiveId: id, description: 'x' } });
      expect(auditor.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'READ_ONLY_ROLE' });
    });
    it('refuses one set for somebody else outside the setter’s teams', async () => {
      const refused = await otto.error(
        `mutation ($input: SetObjectiveInput!) { setObjective(input: $input) { id } }`,
        { input: { cycleId, title: 'For webby', ownerId: 'webby' } },
      );
      expect(refused.extensions).toMatchObject({
        code: 'FORBIDDEN',
        rule: 'OBJECTIVE_OWNER_OR_TEAM',
      });
    });
  });

  describe("when the objective is a team's", () => {
    it('lets members, the lead and ADMIN write it; an outsider is FORBIDDEN OBJECTIVE_OWNER_OR_TEAM', async () => {
      const { id } = await createObjective(webby, { cycleId, title: 'Fast pages', teamId: web });
      expect((await otto.data(OBJECTIVE, { id })).objective).toMatchObject({
        visibility: 'PUBLIC',
        ownerId: 'webby',
      });
      for (const [client, description] of [
        [lena, 'LCP'],
        [admin, 'LCP < 2s'],
      ] as const) {
        const { reviseObjective } = await client.data(REVISE, {
          input: { objectiveId: id, description },
        });
        expect(reviseObjective.description).toBe(description);
      }
      const outsider = await otto.error(REVISE, { input: { objectiveId: id, description: 'x' } });
      expect(outsider.extensions).toMatchObject({
        code: 'FORBIDDEN',
        rule: 'OBJECTIVE_OWNER_OR_TEAM',
      });
    });
    it('is NOT_FOUND for an outsider once it is TEAM (a reason needed in an ACTIVE cycle)', async () => {
      const { id } = await createObjective(webby, { cycleId, title: 'Team plans', teamId: web });
      const noReason = await webby.error(CHANGE_VISIBILITY, {
        input: { objectiveId: id, visibility: 'TEAM' },
      });
      expect(noReason.extensions).toMatchObject({ code: 'DOMAIN_RULE', rule: 'REASON_REQUIRED' });
      const { changeObjectiveVisibility } = await webby.data(CHANGE_VISIBILITY, {
        input: { objectiveId: id, visibility: 'TEAM', reason: 'internal' },
      });
      expect(changeObjectiveVisibility.visibility).toBe('TEAM');
      const hidden = await otto.error(REVISE, { input: { objectiveId: id, description: 'x' } });
      expect(hidden.extensions).toMatchObject({ code: 'NOT_FOUND', id });
      const outsider = await otto.error(CHANGE_VISIBILITY, {
        input: { objectiveId: id, visibility: 'PUBLIC', reason: 'open up' },
      });
      expect(outsider.extensions).toMatchObject({ code: 'NOT_FOUND', id });
    });
  });

  describe('when a PRIVATE objective is shared', () => {
    it('is visible to that person (writing it FORBIDDEN, not NOT_FOUND) until unshared', async () => {
      const { id } = await createObjective(otto, { cycleId, title: 'Side project' });
      await otto.data(SHARE, { input: { objectiveId: id, personId: 'webby' } });
      expect((await webby.data(OBJECTIVE, { id })).objective).toMatchObject({ id });
      const shared = await webby.error(REVISE, { input: { objectiveId: id, description: 'x' } });
      expect(shared.extensions).toMatchObject({
        code: 'FORBIDDEN',
        rule: 'OBJECTIVE_OWNER_OR_TEAM',
      });
      const notOwner = await webby.error(SHARE, { input: { objectiveId: id, personId: 'lena' } });
      expect(notOwner.extensions).toMatchObject({ code: 'FORBIDDEN' });
      await otto.data(UNSHARE, { input: { objectiveId: id, personId: 'webby' } });
      expect((await webby.data(OBJECTIVE, { id })).objective).toBeNull();
    });
    it('answers keyed retries of share, unshare and changeObjectiveVisibility with the first result', async () => {
      const { id } = await createObjective(otto, { cycleId, title: 'Retried' });
      for (const [query, field, input] of [
        [SHARE, 'shareObjective', { objectiveId: id, personId: 'lena' }],
        [UNSHARE, 'unshareObjective', { objectiveId: id, personId: 'lena' }],
        [
          CHANGE_VISIBILITY,
          'changeObjectiveVisibility',
          { objectiveId: id, visibility: 'PUBLIC', reason: 'shown at all hands' },
        ],
      ] as const) {
        const keyed = { ...input, idempotencyKey: `${field}-${id}` };
        const first = (await otto.data(query, { input: keyed }))[field];
        const retry = (await otto.data(query, { input: keyed }))[field];
        expect(retry.version).toBe(first.version);
        const other =
          field === 'changeObjectiveVisibility' ? { reason: 'another' } : { personId: 'sam' };
        const reused = await otto.error(query, { input: { ...keyed, ...other } });
        expect(reused.extensions?.code).toBe('BAD_USER_INPUT');
      }
      expect((await webby.data(OBJECTIVE, { id })).objective).toMatchObject({
        visibility: 'PUBLIC',
      });
    });
  });

  describe('when key results are checked in', () => {
    it("lets its owner, the objective's team and ADMIN; others are FORBIDDEN KEY_RESULT_OWNER_OR_TEAM", async () => {
      const objective = await createObjective(lena, { cycleId, title: 'Conversion', teamId: web });
      const keyResult = await createKeyResult(webby, {
        objectiveId: objective.id,
        ownerId: 'otto',
      });
      for (const [client, value] of [
        [otto, 10],
        [webby, 20],
        [admin, 30],
      ] as const) {
        expect((await checkIn(client, { keyResultId: keyResult.id, value })).value).toBe(value);
      }
      const olga = await as('olga', ['MEMBER']);
      const refused = await olga.error(
        `mutation ($input: CheckInKeyResultInput!) { checkInKeyResult(input: $input) { id } }`,
        { input: { keyResultId: keyResult.id, value: 40 } },
      );
      expect(refused.extensions).toMatchObject({
        code: 'FORBIDDEN',
        rule: 'KEY_RESULT_OWNER_OR_TEAM',
      });
      const addRefused = await otto.error(
        `mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) { id } }`,
        {
          input: {
            objectiveId: objective.id,
            title: 'Mine',
            type: 'INCREASE',
            kind: 'OUTCOME',
            startValue: 0,
            targetValue: 1,
          },
        },
      );
      expect(addRefused.extensions).toMatchObject({
        code: 'FORBIDDEN',
        rule: 'OBJECTIVE_OWNER_OR_TEAM',
      });
    });
    it('answers NOT_FOUND for a key result of an objective the caller may not see', async () => {
      const objective = await createObjective(otto, { cycleId, title: 'Private' });
      const keyResult = await createKeyResult(otto, { objectiveId: objective.id });
      const hidden = await webby.error(
        `mutation ($input: CheckInKeyResultInput!) { checkInKeyResult(input: $input) { id } }`,
        { input: { keyResultId: keyResult.id, value: 1 } },
      );
      expect(hidden.extensions).toMatchObject({
        code: 'NOT_FOUND',
        type: 'KeyResult',
        id: keyResult.id,
      });
    });
  });
});
