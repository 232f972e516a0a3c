import { randomUUID } from 'node:crypto';
import type { Actor } from '@okr-ledger/commands';
import { canSee, VISIBILITIES, type ObjectiveAccess, type VisibilityScope } from '@okr-ledger/okr';
import fc from 'fast-check';
import { rebuildProjection } from '../projector/rebuild';
import { projectedHarness } from '../testing/read-models-harness';
import { okrTreeProjection } from './okr-tree.projection';
import { visibleObjectiveSql } from './visibility.queries';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };

describe('visibility in the read models', () => {
  const context = projectedHarness('visibility');

  /** An event appended straight to a stream, as the commands of ADR 0017 record it. */
  async function record(
    stream: string,
    type: string,
    data: Record<string, unknown>,
  ): Promise<string> {
    const { position } = await context.h.store.append(stream, [
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

  async function settled(position: string | null | undefined): Promise<void> {
    expect(await context.projector.waitForPosition(position ?? '', 10_000)).toBe(true);
  }

  async function cycle() {
    return context.h.commands.cycles.schedule(ana, {
      name: 'Q4',
      startsAt: '2026-10-01T00:00:00Z',
      endsAt: '2026-12-31T23:59:59Z',
    });
  }

  describe('when an objective is set, its visibility changed, shared and unshared', () => {
    it('keeps its visibility and the people it is shared with, and counts each as a version', async () => {
      const { h } = context;
      const team = await h.commands.teams.create(ana, { name: 'Finance' });
      const { id: cycleId } = await cycle();
      const objective = await h.commands.objectives.set(ana, {
        cycleId,
        title: 'M&A',
        teamId: team.id,
      });
      const stream = `objective-${objective.id}`;
      const id = objective.id;
      await record(stream, 'ObjectiveVisibilityChanged', {
        objectiveId: id,
        from: 'PUBLIC',
        to: 'TEAM',
        reason: 'confidential',
      });
      await record(stream, 'ObjectiveShared', { objectiveId: id, personId: 'cho' });
      await record(stream, 'ObjectiveShared', { objectiveId: id, personId: 'bob' });
      await record(stream, 'ObjectiveShared', { objectiveId: id, personId: 'cho' });
      await settled(
        await record(stream, 'ObjectiveUnshared', { objectiveId: id, personId: 'bob' }),
      );

      const [view] = await h.readModels.objectives.byIds(ana.tenantId, [id]);
      expect(view).toMatchObject({ visibility: 'TEAM', sharedWith: ['cho'], version: 6 });
      // A rebuild from the log gives the same row.
      const rebuilt = await rebuildProjection(h.store.pool, h.store, okrTreeProjection);
      expect(rebuilt.swapped).toBe(true);
      expect(await h.readModels.objectives.byIds(ana.tenantId, [id])).toEqual([view]);
    });
  });

  describe('visibleObjectiveSql, the SQL form of canSee', () => {
    const people = ['ana', 'bob', 'cho'];
    const teams = ['t1', 't2', 't3'];
    const access = fc.record({
      visibility: fc.constantFrom(...VISIBILITIES),
      ownerId: fc.option(fc.constantFrom(...people)),
      teamId: fc.option(fc.constantFrom(...teams)),
      sharedWith: fc.uniqueArray(fc.constantFrom(...people)),
    });
    const scope = fc.record({
      personId: fc.constantFrom(...people),
      everything: fc.boolean(),
      allTeams: fc.boolean(),
      teamIds: fc.uniqueArray(fc.constantFrom(...teams)).map((ids) => new Set(ids)),
    });

    /** Which of the objectives the SQL condition keeps, evaluated by PostgreSQL on real rows. */
    async function visibleInSql(
      s: VisibilityScope,
      objectives: readonly ObjectiveAccess[],
    ): Promise<boolean[]> {
      const rows = objectives.map((o, i) => ({
        id: String(i),
        visibility: o.visibility,
        owner_id: o.ownerId,
        team_id: o.teamId,
        shared_with: o.sharedWith,
      }));
      const values: unknown[] = [JSON.stringify(rows)];
      const condition = visibleObjectiveSql(s, values, 'o');
      const result = await context.h.dataSource.query<{ id: string; visible: boolean }[]>(
        `SELECT o.id, ${condition} AS visible
           FROM json_populate_recordset(NULL::read_models.objectives, $1::json) o
          ORDER BY o.id::int`,
        values,
      );
      return result.map((r) => r.visible);
    }

    it('keeps exactly the objectives canSee keeps, for generated scopes and objectives', async () => {
      await fc.assert(
        fc.asyncProperty(
          scope,
          fc.array(access, { minLength: 1, maxLength: 30 }),
          async (s, os) => {
            expect(await visibleInSql(s, os)).toEqual(os.map((o) => canSee(s, o)));
          },
        ),
        { numRuns: 150 },
      );
    });

    it('is never NULL, so it can be selected and negated', async () => {
      const s: VisibilityScope = {
        personId: 'bob',
        everything: false,
        allTeams: false,
        teamIds: new Set(['t1']),
      };
      const none = { visibility: 'TEAM', ownerId: null, teamId: null, sharedWith: [] } as const;
      expect(await visibleInSql(s, [none])).toEqual([false]);
    });
  });

  describe('when pages and trees are asked for with a scope', () => {
    it('leaves out what the scope may not see, in the rows and the count; a visible child of a hidden parent is a root', async () => {
      const { h } = context;
      const team = await h.commands.teams.create(ana, { name: 'People' });
      const { id: cycleId } = await cycle();
      const set = (title: string, extra: Record<string, string> = {}) =>
        h.commands.objectives.set(ana, { cycleId, title, teamId: team.id, ...extra });
      const root = await set('Public root');
      const hidden = await set('Hidden', { parentObjectiveId: root.id });
      const child = await set('Visible child of hidden', { parentObjectiveId: hidden.id });
      const hiddenLeaf = await set('Hidden leaf', { parentObjectiveId: hidden.id });
      const change = (id: string) =>
        record(`objective-${id}`, 'ObjectiveVisibilityChanged', {
          objectiveId: id,
          from: 'PUBLIC',
          to: 'PRIVATE',
          reason: null,
        });
      await change(hidden.id);
      await settled(await change(hiddenLeaf.id));

      const bob: VisibilityScope = {
        personId: 'bob',
        everything: false,
        allTeams: true,
        teamIds: new Set(),
      };
      const page = await h.readModels.objectives.page(
        ana.tenantId,
        { cycleId, visibleTo: bob },
        { first: 2 },
      );
      expect(page.items.map((i) => i.node.id)).toEqual([root.id, child.id]);
      expect(page.totalCount).toBe(2);
      expect(page.hasNextPage).toBe(false);

      const tree = await h.readModels.alignment.tree(ana.tenantId, cycleId, bob);
      expect(tree.map((n) => [n.objectiveId, n.parentId, n.depth])).toEqual([
        [root.id, null, 0],
        [child.id, null, 0],
      ]);
      // Without a scope (an auditor's question) the whole tree, as before.
      const all = await h.readModels.alignment.tree(ana.tenantId, cycleId);
      expect(all.map((n) => n.objectiveId)).toEqual([root.id, hidden.id, child.id, hiddenLeaf.id]);
    });
  });
});
