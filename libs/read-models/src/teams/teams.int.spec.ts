import type { Actor } from '@okr-ledger/commands';
import type { Projector } from '../projector/projector';
import { createHarness, type Harness } from '../testing/read-models-harness';

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
