import { createPostgresEventStore, type PostgresEventStore } from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  objectiveDecider,
  objectiveStream,
  WriteForbidden,
  type WriteRule,
} from '@okr-ledger/okr';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { loadState, OkrCommands, type Actor } from './index';

const tenantId = 'acme';
const person = (actorId: string, ...roles: string[]): Actor => ({ tenantId, actorId, roles });
const admin = person('ada', 'ADMIN');
const lena = person('lena', 'MEMBER'); // leads web
const webby = person('webby', 'MEMBER'); // member of web
const sam = person('sam', 'MEMBER'); // in no team
const audrey = person('audrey', 'AUDITOR');

function forbidden(rule: WriteRule) {
  return expect.objectContaining({ name: 'WriteForbidden', rule }) as unknown;
}

describe('WriteAccess (through OkrCommands)', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let commands: OkrCommands;
  let cycleId: string;
  let web: string;

  beforeAll(async () => {
    database = await createTestDatabase('write-access');
    store = await createPostgresEventStore(database.url, { maxConnections: 10 });
    commands = new OkrCommands(store);
    cycleId = (
      await commands.cycles.schedule(admin, {
        name: 'Q3',
        startsAt: '2026-07-01T00:00:00Z',
        endsAt: '2026-09-30T23:59:59Z',
      })
    ).id;
    web = (await commands.teams.create(admin, { name: 'Web' })).id;
    await commands.teams.addMember(admin, { teamId: web, personId: 'lena', lead: true });
    await commands.teams.addMember(lena, { teamId: web, personId: 'webby' });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const objectiveOf = async (objectiveId: string) =>
    loadState(store, objectiveStream(objectiveId), tenantId, objectiveDecider);

  describe('when a MEMBER sets a teamless objective without an owner', () => {
    it('owns it, PRIVATE: others get NOT_FOUND, ADMIN included', async () => {
      const { id } = await commands.objectives.set(sam, { cycleId, title: 'Get in shape' });
      expect(await objectiveOf(id)).toMatchObject({ ownerId: 'sam', visibility: 'PRIVATE' });
      await commands.objectives.revise(sam, { objectiveId: id, title: 'Run 10k' });
      for (const other of [webby, admin]) {
        await expect(
          commands.objectives.revise(other, { objectiveId: id, title: 'x' }),
        ).rejects.toEqual(new AggregateNotFound('Objective', id));
      }
    });
  });

  describe('when the objective belongs to a team', () => {
    it("lets the team's members and ADMIN write it, refuses outsiders with the rule", async () => {
      const { id } = await commands.objectives.set(lena, {
        cycleId,
        title: 'Faster pages',
        teamId: web,
      });
      expect(await objectiveOf(id)).toMatchObject({ ownerId: 'lena', visibility: 'PUBLIC' });
      await commands.objectives.revise(webby, { objectiveId: id, description: 'LCP < 2s' });
      await commands.objectives.revise(admin, { objectiveId: id, description: 'LCP < 1.5s' });
      await expect(
        commands.objectives.revise(sam, { objectiveId: id, title: 'x' }),
      ).rejects.toEqual(forbidden('OBJECTIVE_OWNER_OR_TEAM'));
      await expect(commands.objectives.archive(audrey, { objectiveId: id })).rejects.toEqual(
        forbidden('READ_ONLY_ROLE'),
      );
    });
    it('hides a TEAM objective from outsiders as NOT_FOUND', async () => {
      const { id } = await commands.objectives.set(webby, {
        cycleId,
        title: 'Team only',
        teamId: web,
        visibility: 'TEAM',
      });
      await expect(
        commands.objectives.share(sam, { objectiveId: id, personId: 'sam' }),
      ).rejects.toBeInstanceOf(AggregateNotFound);
      await expect(
        commands.objectives.set(sam, { cycleId, title: 'Child', parentObjectiveId: id }),
      ).rejects.toEqual(new AggregateNotFound('Objective', id));
    });
    it('refuses a MEMBER moving it into a team they are not part of', async () => {
      const { id } = await commands.objectives.set(sam, { cycleId, title: 'Mine' });
      await expect(
        commands.objectives.revise(sam, { objectiveId: id, teamId: web }),
      ).rejects.toEqual(forbidden('OBJECTIVE_OWNER_OR_TEAM'));
      await commands.objectives.revise(webby, {
        objectiveId: (await commands.objectives.set(webby, { cycleId, title: 'Mine too' })).id,
        teamId: web,
      });
    });
  });

  describe('when a MEMBER sets an objective for someone else', () => {
    it('refuses it without a team of theirs, allows it in their team', async () => {
      await expect(
        commands.objectives.set(sam, { cycleId, title: 'For you', ownerId: 'webby' }),
      ).rejects.toEqual(forbidden('OBJECTIVE_OWNER_OR_TEAM'));
      await expect(
        commands.objectives.set(sam, { cycleId, title: 'In your team', teamId: web }),
      ).rejects.toEqual(forbidden('OBJECTIVE_OWNER_OR_TEAM'));
      const { id } = await commands.objectives.set(webby, {
        cycleId,
        title: 'For lena',
        ownerId: 'lena',
        teamId: web,
      });
      expect(await objectiveOf(id)).toMatchObject({ ownerId: 'lena' });
    });
  });

  describe('when a PRIVATE objective is shared', () => {
    it('is visible to the person (FORBIDDEN, not NOT_FOUND), until unshared', async () => {
      const { id } = await commands.objectives.set(sam, { cycleId, title: 'Secret' });
      await commands.objectives.share(sam, { objectiveId: id, personId: 'webby' });
      await expect(
        commands.objectives.revise(webby, { objectiveId: id, title: 'x' }),
      ).rejects.toEqual(forbidden('OBJECTIVE_OWNER_OR_TEAM'));
      await commands.objectives.unshare(sam, { objectiveId: id, personId: 'webby' });
      await expect(
        commands.objectives.revise(webby, { objectiveId: id, title: 'x' }),
      ).rejects.toBeInstanceOf(AggregateNotFound);
      await commands.objectives.changeVisibility(sam, { objectiveId: id, visibility: 'PUBLIC' });
      expect(await objectiveOf(id)).toMatchObject({ visibility: 'PUBLIC', sharedWith: [] });
    });
  });

  describe('when key results are written', () => {
    it("lets its owner, the objective's owner and team check in; refuses others", async () => {
      const objective = await commands.objectives.set(lena, {
        cycleId,
        title: 'Conversion',
        teamId: web,
      });
      const { id: keyResultId } = await commands.keyResults.add(webby, {
        objectiveId: objective.id,
        title: 'Signups',
        ownerId: 'sam',
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 0,
        targetValue: 100,
      });
      await commands.keyResults.checkIn(sam, { keyResultId, value: 10 });
      await commands.keyResults.checkIn(lena, { keyResultId, value: 20 });
      await commands.keyResults.addInitiative(webby, { keyResultId, title: 'A/B test' });
      const outsider = person('otto', 'MEMBER');
      await expect(
        commands.keyResults.checkIn(outsider, { keyResultId, value: 30 }),
      ).rejects.toEqual(forbidden('KEY_RESULT_OWNER_OR_TEAM'));
      await expect(
        commands.keyResults.add(sam, {
          objectiveId: objective.id,
          title: 'Mine',
          type: 'INCREASE',
          kind: 'OUTCOME',
          startValue: 0,
          targetValue: 1,
        }),
      ).rejects.toEqual(forbidden('OBJECTIVE_OWNER_OR_TEAM'));
    });
    it('answers NOT_FOUND for a key result of a hidden objective', async () => {
      const objective = await commands.objectives.set(sam, { cycleId, title: 'Private' });
      const { id: keyResultId } = await commands.keyResults.add(sam, {
        objectiveId: objective.id,
        title: 'Steps',
        type: 'INCREASE',
        kind: 'INPUT',
        startValue: 0,
        targetValue: 10,
      });
      await expect(commands.keyResults.checkIn(webby, { keyResultId, value: 1 })).rejects.toEqual(
        new AggregateNotFound('KeyResult', keyResultId),
      );
    });
  });

  describe('when team membership changes', () => {
    it('lets ADMIN and the team lead change it, refuses members and outsiders', async () => {
      await commands.teams.addMember(lena, { teamId: web, personId: 'sam' });
      await commands.teams.removeMember(admin, { teamId: web, personId: 'sam' });
      for (const [actor, rule] of [
        [webby, 'TEAM_LEAD'],
        [sam, 'TEAM_LEAD'],
        [audrey, 'READ_ONLY_ROLE'],
      ] as const) {
        await expect(
          commands.teams.addMember(actor, { teamId: web, personId: actor.actorId, lead: true }),
        ).rejects.toEqual(forbidden(rule));
      }
    });
    it('takes effect on the next write: a removed member is an outsider', async () => {
      const { id } = await commands.objectives.set(lena, { cycleId, title: 'Docs', teamId: web });
      await commands.teams.addMember(lena, { teamId: web, personId: 'sam' });
      await commands.objectives.revise(sam, { objectiveId: id, description: 'all of them' });
      await commands.teams.removeMember(lena, { teamId: web, personId: 'sam' });
      await expect(
        commands.objectives.revise(sam, { objectiveId: id, description: 'none' }),
      ).rejects.toBeInstanceOf(WriteForbidden);
    });
  });
});
