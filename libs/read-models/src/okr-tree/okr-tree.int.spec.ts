import { randomUUID } from 'node:crypto';
import { metadataFor, type Actor } from '@okr-ledger/commands';
import { handleCommand } from '@okr-ledger/event-store';
import { keyResultDecider, keyResultStream } from '@okr-ledger/okr';
import { InvalidCursor } from '../read-models.views';
import {
  createHarness,
  seedCycle,
  STORY_DATA_SOURCE,
  validTimeStory,
  type Harness,
} from '../testing/read-models-harness';
import type { Projector } from '../projector/projector';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };

describe('okr-tree projection (cycles, objectives, key results, alignment)', () => {
  let h: Harness;
  let projector: Projector;

  beforeAll(async () => {
    h = await createHarness('alignment');
    projector = h.newProjector();
    await projector.start();
  });
  afterAll(async () => {
    await h.close();
  });

  async function tree() {
    const { cycle, objective: root, keyResult: rootKr } = await seedCycle(h.commands, ana);
    await h.commands.keyResults.redefine(ana, {
      keyResultId: rootKr.id,
      scoring: 'ALIGNED_OBJECTIVES',
      reason: 'rolled up from the teams',
    });
    const viaKr = await h.commands.objectives.set(ana, {
      cycleId: cycle.id,
      title: 'Via KR',
      parentKeyResultId: rootKr.id,
    });
    const viaObjective = await h.commands.objectives.set(ana, {
      cycleId: cycle.id,
      title: 'Via objective',
      parentObjectiveId: root.id,
    });
    const leafKr = await h.commands.keyResults.add(ana, {
      objectiveId: viaKr.id,
      title: 'Calls',
      type: 'INCREASE',
      kind: 'INPUT',
      startValue: 0,
      targetValue: 4,
    });
    const checkIn = await h.commands.keyResults.checkIn(ana, {
      keyResultId: leafKr.id,
      value: 3,
      confidence: 0.8,
    });
    expect(await projector.waitForPosition(checkIn.position ?? '', 10_000)).toBe(true);
    return { cycle, root, rootKr, viaKr, viaObjective, leafKr };
  }

  describe('when values arrive out of valid-time order', () => {
    it('keeps the latest measured as the current value, a late one and a correction as told', async () => {
      const { keyResult, last } = await validTimeStory(h);
      expect(await projector.waitForPosition(last, 10_000)).toBe(true);
      const [row] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      // 4 (10 Jul), 8 (20 Jul), late 6 (15 Jul) left it at 8; 9 then 7 for 25 Jul: 7.
      expect(row).toMatchObject({
        currentValue: 7,
        measuredAt: new Date('2026-07-25T00:00:00Z'),
        checkInCount: 5,
        progress: 0.7,
      });
    });
  });

  describe('when a data source sends a value measured before the close, after it', () => {
    it('takes it as the current value but keeps the frozen scores', async () => {
      const { cycle, objective, keyResult } = await seedCycle(h.commands, ana);
      await h.commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 6,
        measuredAt: '2026-09-01T00:00:00Z',
      });
      const closed = await h.commands.cycles.close(ana, { cycleId: cycle.id });
      const [closeEvent] = (await h.store.readStream(`cycle-${cycle.id}`)).slice(-1);
      const late = await handleCommand(
        h.store,
        keyResultStream(keyResult.id),
        keyResultDecider,
        {
          type: 'RecordMeasurements',
          data: {
            keyResultId: keyResult.id,
            dataSourceId: STORY_DATA_SOURCE,
            measurements: [
              {
                checkInId: randomUUID(),
                value: 9,
                measuredAt: '2026-09-02T00:00:00Z',
                externalId: null,
                note: null,
              },
            ],
            now: new Date().toISOString(),
          },
        },
        { cycleStatus: 'CLOSED', cycleClosedAt: closeEvent?.recordedAt.toISOString() ?? null },
        { metadata: metadataFor(ana, { cycleId: cycle.id }) },
      );
      expect(late.events).toHaveLength(1);
      expect(await projector.waitForPosition(late.position ?? closed.position ?? '', 10_000)).toBe(
        true,
      );
      const [row] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(row).toMatchObject({ currentValue: 9, progress: 0.6, checkInCount: 2 });
      const [objectiveRow] = await h.readModels.objectives.byIds(ana.tenantId, [objective.id]);
      const [cycleRow] = await h.readModels.cycles.byIds(ana.tenantId, [cycle.id]);
      expect(objectiveRow?.progress).toBe(0.6);
      expect(cycleRow).toMatchObject({ status: 'CLOSED', progress: 0.6 });
    });
  });

  describe('when a leaf key result is checked in', () => {
    it('cascades progress up through the aligned key result to the root and the cycle', async () => {
      const t = await tree();
      const [leaf] = await h.readModels.keyResults.byIds(ana.tenantId, [t.leafKr.id]);
      expect(leaf).toMatchObject({
        currentValue: 3,
        progress: 0.75,
        confidence: 0.8,
        checkInCount: 1,
      });
      const [viaKr] = await h.readModels.objectives.byIds(ana.tenantId, [t.viaKr.id]);
      expect(viaKr).toMatchObject({
        progress: 0.75,
        checkedIn: true,
        parentKeyResultId: t.rootKr.id,
      });
      const [rootKr] = await h.readModels.keyResults.byIds(ana.tenantId, [t.rootKr.id]);
      expect(rootKr).toMatchObject({ progress: 0.75, scoring: 'ALIGNED_OBJECTIVES', version: 2 });
      const [root] = await h.readModels.objectives.byIds(ana.tenantId, [t.root.id]);
      expect(root?.progress).toBe(0.75);
      const [cycle] = await h.readModels.cycles.byIds(ana.tenantId, [t.cycle.id]);
      // Mean of root 0.75, via-KR 0.75 and via-objective 0 (no key results).
      expect(cycle).toMatchObject({ status: 'ACTIVE', progress: 0.5 });
    });
  });

  describe('when rows are read by ids', () => {
    it('answers each row once, leaving out unknown ids and other tenants', async () => {
      const t = await tree();
      const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id).sort();
      const unknown = randomUUID();
      const krs = [t.leafKr.id, t.rootKr.id, t.leafKr.id, unknown];
      expect(ids(await h.readModels.keyResults.byIds(ana.tenantId, krs))).toEqual(
        [t.leafKr.id, t.rootKr.id].sort(),
      );
      const objectives = [t.root.id, t.viaKr.id, t.root.id, unknown];
      expect(ids(await h.readModels.objectives.byIds(ana.tenantId, objectives))).toEqual(
        [t.root.id, t.viaKr.id].sort(),
      );
      expect(ids(await h.readModels.cycles.byIds(ana.tenantId, [t.cycle.id, t.cycle.id]))).toEqual([
        t.cycle.id,
      ]);
      const otherTenant = randomUUID();
      expect(await h.readModels.keyResults.byIds(otherTenant, krs)).toEqual([]);
      expect(await h.readModels.objectives.byIds(otherTenant, objectives)).toEqual([]);
      expect(await h.readModels.cycles.byIds(otherTenant, [t.cycle.id])).toEqual([]);
    });
  });

  describe('when the tree of a cycle is asked for', () => {
    it('returns it pre-order, roots first, with parents and depths, archived ones excluded', async () => {
      const t = await tree();
      const nodes = await h.readModels.alignment.tree(ana.tenantId, t.cycle.id);
      expect(nodes).toEqual([
        { objectiveId: t.root.id, parentId: null, depth: 0, progress: 0.75 },
        { objectiveId: t.viaKr.id, parentId: t.root.id, depth: 1, progress: 0.75 },
        { objectiveId: t.viaObjective.id, parentId: t.root.id, depth: 1, progress: 0 },
      ]);
      const archived = await h.commands.objectives.archive(ana, { objectiveId: t.viaKr.id });
      expect(await projector.waitForPosition(archived.position ?? '', 10_000)).toBe(true);
      const after = await h.readModels.alignment.tree(ana.tenantId, t.cycle.id);
      expect(after.map((n) => n.objectiveId)).toEqual([t.root.id, t.viaObjective.id]);
      // The root key result has no aligned objective left: it scores its own value again.
      const [rootKr] = await h.readModels.keyResults.byIds(ana.tenantId, [t.rootKr.id]);
      expect(rootKr?.progress).toBe(0);
      const children = await h.readModels.objectives.childrenOf(ana.tenantId, [t.root.id]);
      expect(children.map((c) => c.id)).toEqual([t.viaObjective.id]);
    });
  });

  describe('when objectives are paged', () => {
    it('pages oldest first with opaque cursors and refuses foreign ones', async () => {
      const t = await tree();
      const first = await h.readModels.objectives.page(
        ana.tenantId,
        { cycleId: t.cycle.id },
        { first: 2 },
      );
      expect(first.items.map((i) => i.node.id)).toEqual([t.root.id, t.viaKr.id]);
      expect(first).toMatchObject({ hasNextPage: true, totalCount: 3 });
      const second = await h.readModels.objectives.page(
        ana.tenantId,
        { cycleId: t.cycle.id },
        { first: 2, after: first.endCursor },
      );
      expect(second.items.map((i) => i.node.id)).toEqual([t.viaObjective.id]);
      expect(second).toMatchObject({ hasNextPage: false, totalCount: 3 });
      // Past the end no row carries the count: it is still the filter's, and 0 for no match.
      const past = await h.readModels.objectives.page(
        ana.tenantId,
        { cycleId: t.cycle.id },
        { first: 2, after: second.endCursor },
      );
      expect(past).toMatchObject({ items: [], hasPreviousPage: true, totalCount: 3 });
      const none = await h.readModels.objectives.page(
        ana.tenantId,
        { cycleId: t.cycle.id, ownerId: 'nobody' },
        { first: 2 },
      );
      expect(none).toMatchObject({ items: [], totalCount: 0 });
      await expect(
        h.readModels.objectives.page(ana.tenantId, {}, { first: 2, after: 'bm90LWEtY3Vyc29y' }),
      ).rejects.toBeInstanceOf(InvalidCursor);
    });
  });

  describe('when initiatives and graduation happen', () => {
    it('keeps initiatives and drops a graduated key result from the objective score', async () => {
      const { objective, keyResult } = await seedCycle(h.commands, ana);
      const other = await h.commands.keyResults.add(ana, {
        objectiveId: objective.id,
        title: 'Other',
        type: 'MILESTONE',
        kind: 'OUTPUT',
        startValue: 0,
        targetValue: 1,
      });
      await h.commands.keyResults.checkIn(ana, { keyResultId: other.id, value: 1 });
      const added = await h.commands.keyResults.addInitiative(ana, {
        keyResultId: keyResult.id,
        title: 'Book calls',
        dueDate: '2026-08-01',
      });
      await h.commands.keyResults.completeInitiative(ana, {
        keyResultId: keyResult.id,
        initiativeId: added.initiativeId,
      });
      const graduated = await h.commands.keyResults.graduate(ana, {
        keyResultId: keyResult.id,
        reason: 'Now a KPI',
      });
      expect(await projector.waitForPosition(graduated.position ?? '', 10_000)).toBe(true);
      const [kr] = await h.readModels.keyResults.byIds(ana.tenantId, [keyResult.id]);
      expect(kr).toMatchObject({ healthMetric: true, version: 4 });
      expect(kr?.initiatives).toEqual([
        { id: added.initiativeId, title: 'Book calls', dueDate: '2026-08-01', completed: true },
      ]);
      const [o] = await h.readModels.objectives.byIds(ana.tenantId, [objective.id]);
      expect(o?.progress).toBe(1);
    });
  });
});
