import { randomUUID } from 'node:crypto';
import type { Actor } from '@okr-ledger/commands';
import { visibilityScope } from '@okr-ledger/okr';
import { rebuildProjection } from '../projector/rebuild';
import type { Projector } from '../projector/projector';
import { createHarness, type Harness } from '../testing/read-models-harness';
import { teamsProjection } from './teams.projection';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const eve: Actor = { tenantId: 'initech', actorId: 'eve' };

describe('teams projection and queries', () => {
  let h: Harness;
  let projector: Projector;

  beforeAll(async () => {
    h = await createHarness('teams');
    projector = h.newProjector();
    await projector.start();
  });
  afterAll(async () => {
    await h.close();
  });

  async function settled(position: string | null): Promise<void> {
    expect(await projector.waitForPosition(position ?? '', 10_000)).toBe(true);
  }

  describe('when teams are created, renamed and moved', () => {
    it('keeps their current name, parent and version', async () => {
      const parent = await h.commands.teams.create(ana, { name: 'Product' });
      const team = await h.commands.teams.create(ana, { name: 'Web', parentTeamId: parent.id });
      await h.commands.teams.rename(ana, { teamId: team.id, name: 'Web & Mobile' });
      const moved = await h.commands.teams.move(ana, { teamId: team.id, parentTeamId: null });
      expect(await projector.waitForPosition(moved.position ?? '', 10_000)).toBe(true);
      const [view] = await h.readModels.teams.byIds(ana.tenantId, [team.id]);
      expect(view).toEqual({ id: team.id, name: 'Web & Mobile', parentId: null, version: 3 });
      expect(await h.readModels.teams.childrenOf(ana.tenantId, [parent.id])).toEqual([]);
      expect((await h.readModels.teams.all('globex')).length).toBe(0);
    });
  });

  describe('when a team has children', () => {
    it('answers the children of a parent', async () => {
      const parent = await h.commands.teams.create(ana, { name: 'Platform' });
      const child = await h.commands.teams.create(ana, { name: 'Data', parentTeamId: parent.id });
      await settled(child.position);

      const children = await h.readModels.teams.childrenOf(ana.tenantId, [parent.id]);
      expect(children.map((t) => t.id)).toEqual([child.id]);
      expect((await h.readModels.teams.all(ana.tenantId)).map((t) => t.id)).toEqual(
        expect.arrayContaining([parent.id, child.id]),
      );
    });
  });

  /** A member event appended straight to the team's stream, as the commands record it. */
  async function record(
    stream: string,
    type: string,
    data: Record<string, unknown>,
  ): Promise<string> {
    const { position } = await h.store.append(stream, [
      {
        type,
        data,
        metadata: {
          tenantId: ana.tenantId,
          actorId: ana.actorId,
          correlationId: randomUUID(),
          causationId: null,
          schemaVersion: 2,
          source: 'test',
        },
      },
    ]);
    return position;
  }

  describe('when people join, change role in and leave a team', () => {
    it('answers its members now, and each person’s memberships for the scope', async () => {
      const parent = await h.commands.teams.create(ana, { name: 'Product' });
      const team = await h.commands.teams.create(ana, { name: 'Web', parentTeamId: parent.id });
      const stream = `team-${team.id}`;
      const teamId = team.id;
      await record(stream, 'TeamMemberAdded', { teamId, personId: 'bob', lead: false });
      await record(stream, 'TeamMemberAdded', { teamId, personId: 'cho', lead: false });
      await record(stream, 'TeamMemberAdded', { teamId, personId: 'bob', lead: true });
      await record(stream, 'TeamMemberRemoved', { teamId, personId: 'cho' });
      await settled(
        await record(`team-${parent.id}`, 'TeamMemberAdded', {
          teamId: parent.id,
          personId: 'dee',
          lead: true,
        }),
      );
      const stored = () =>
        h.dataSource.query(`SELECT * FROM read_models.team_members ORDER BY 1, 2, 3`);
      const live: unknown = await stored();

      const members = await h.readModels.teams.membersOf(ana.tenantId, [team.id, parent.id]);
      expect(members).toHaveLength(2);
      expect(members).toEqual(
        expect.arrayContaining([
          { teamId: team.id, personId: 'bob', lead: true },
          { teamId: parent.id, personId: 'dee', lead: true },
        ]),
      );
      const [teamView] = await h.readModels.teams.byIds(ana.tenantId, [team.id]);
      expect(teamView?.version).toBe(5);

      const mine = await h.readModels.teams.memberships(ana.tenantId, 'dee');
      const of = (id: string) => mine.find((t) => t.teamId === id);
      expect(of(parent.id)).toEqual({
        teamId: parent.id,
        parentTeamId: null,
        members: [{ personId: 'dee', lead: true }],
      });
      // Only the person asked about: bob's membership is not loaded for dee's scope.
      expect(of(team.id)).toEqual({ teamId: team.id, parentTeamId: parent.id, members: [] });
      const scope = visibilityScope({ personId: 'dee', roles: ['MEMBER'] }, mine);
      expect([...scope.teamIds].sort()).toEqual([parent.id, team.id].sort());
      const everyone = await h.readModels.teams.memberships(ana.tenantId, null);
      expect(everyone.find((t) => t.teamId === team.id)?.members).toEqual([
        { personId: 'bob', lead: true },
      ]);
      expect(await h.readModels.teams.memberships('globex', null)).toEqual([]);

      // A rebuild from the log gives the same rows.
      const rebuilt = await rebuildProjection(h.store.pool, h.store, teamsProjection);
      expect(rebuilt.swapped).toBe(true);
      expect(await stored()).toEqual(live);
    });
  });

  describe("when another tenant's ids are asked for", () => {
    it('behaves as if they did not exist', async () => {
      const team = await h.commands.teams.create(ana, { name: 'Sales' });
      const theirs = await h.commands.teams.create(eve, { name: 'Theirs' });
      await settled(theirs.position);

      expect(await h.readModels.teams.byIds(eve.tenantId, [team.id])).toEqual([]);
      expect((await h.readModels.teams.all(eve.tenantId)).map((t) => t.id)).toEqual([theirs.id]);
    });
  });
});
