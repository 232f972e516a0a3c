import type { Actor } from '@okr-ledger/commands';
import { InvalidCursor } from '../read-models.views';
import { createHarness, seedCycle, type Harness } from '../testing/read-models-harness';
import type { Projector } from '../projector/projector';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const bob: Actor = { tenantId: 'acme', actorId: 'bob', source: 'integration' };

describe('audit-trail, check-ins and key-result-history projections', () => {
  let h: Harness;
  let projector: Projector;

  beforeAll(async () => {
    h = await createHarness('audit');
    projector = h.newProjector();
    await projector.start();
  });
  afterAll(async () => {
    await h.close();
  });

  async function story() {
    const { cycle, keyResult } = await seedCycle(h.commands, ana, false);
    await h.commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 1 });
    await h.commands.cycles.start(ana, { cycleId: cycle.id });
    await h.commands.keyResults.redefine(ana, {
      keyResultId: keyResult.id,
      targetValue: 20,
      reason: 'More demand',
    });
    const last = await h.commands.keyResults.checkIn(bob, {
      keyResultId: keyResult.id,
      value: 5,
      confidence: 0.7,
      source: 'INTEGRATION',
    });
    expect(await projector.waitForPosition(last.position ?? '', 10_000)).toBe(true);
    return { cycle, keyResult };
  }

  describe('when key results change before and during the cycle', () => {
    it('records one entry per event with changes, reason, source and duringActiveCycle', async () => {
      const { cycle, keyResult } = await story();
      const page = await h.readModels.auditTrail.page(
        ana.tenantId,
        { aggregateId: keyResult.id },
        { first: 50 },
      );
      expect(page.items.map((i) => i.node.eventType)).toEqual([
        'KeyResultAdded',
        'KeyResultCheckedIn',
        'KeyResultRedefined',
        'KeyResultCheckedIn',
      ]);
      const [added, early, redefined, late] = page.items.map((i) => i.node);
      expect(added?.changes).toContainEqual({ field: 'targetValue', from: null, to: '10' });
      expect(early).toMatchObject({ duringActiveCycle: false, aggregateType: 'KeyResult' });
      expect(redefined).toMatchObject({
        duringActiveCycle: true,
        reason: 'More demand',
        cycleId: cycle.id,
        changes: [{ field: 'targetValue', from: '10', to: '20' }],
      });
      expect(late).toMatchObject({
        actorId: 'bob',
        source: 'INTEGRATION',
        changes: [
          { field: 'currentValue', from: '1', to: '5' },
          { field: 'confidence', from: null, to: '0.7' },
        ],
      });
      const active = await h.readModels.auditTrail.page(
        ana.tenantId,
        { cycleId: cycle.id, duringActiveCycleOnly: true, actorId: 'ana' },
        { first: 50 },
      );
      expect(active.items.map((i) => i.node.eventType)).toEqual(['KeyResultRedefined']);
      const typed = await h.readModels.auditTrail.page(
        ana.tenantId,
        { eventTypes: ['CycleStarted'], from: new Date(0), to: new Date(Date.now() + 60_000) },
        { first: 1 },
      );
      expect(typed.items.map((i) => i.node.aggregateId)).toContain(cycle.id);
    });

    it('pages oldest first and refuses a cursor it did not issue', async () => {
      await story();
      const first = await h.readModels.auditTrail.page(ana.tenantId, {}, { first: 2 });
      const next = await h.readModels.auditTrail.page(
        ana.tenantId,
        {},
        {
          first: 2,
          after: first.endCursor,
        },
      );
      expect(next.items[0]!.node.position > first.items[1]!.node.position).toBe(true);
      await expect(
        h.readModels.auditTrail.page(ana.tenantId, {}, { first: 2, after: 'garbage' }),
      ).rejects.toBeInstanceOf(InvalidCursor);
    });
  });

  describe('when check-ins are listed', () => {
    it('lists them newest first', async () => {
      const { keyResult } = await story();
      const page = await h.readModels.checkIns.page(ana.tenantId, keyResult.id, { first: 1 });
      expect(page.items.map((i) => i.node.value)).toEqual([5]);
      expect(page).toMatchObject({ hasNextPage: true, totalCount: 2 });
      const rest = await h.readModels.checkIns.page(ana.tenantId, keyResult.id, {
        first: 5,
        after: page.endCursor,
      });
      expect(rest.items.map((i) => i.node)).toEqual([
        expect.objectContaining({ value: 1, source: 'MANUAL', actorId: 'ana' }),
      ]);
      const byId = await h.readModels.checkIns.byIds(ana.tenantId, [rest.items[0]!.node.id]);
      expect(byId).toHaveLength(1);
    });
  });

  describe('when the history of a key result is asked for', () => {
    it('gives every value and definition change as a time series', async () => {
      const { keyResult } = await story();
      const series = await h.readModels.keyResultHistory.series(ana.tenantId, keyResult.id);
      expect(
        series.map((p) => [p.eventType, p.currentValue, p.targetValue, p.progress, p.confidence]),
      ).toEqual([
        ['KeyResultAdded', 0, 10, 0, null],
        ['KeyResultCheckedIn', 1, 10, 0.1, null],
        ['KeyResultRedefined', 1, 20, 0.05, null],
        ['KeyResultCheckedIn', 5, 20, 0.25, 0.7],
      ]);
    });
  });
});
