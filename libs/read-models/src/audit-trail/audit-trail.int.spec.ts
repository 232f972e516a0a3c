import type { Actor } from '@okr-ledger/commands';
import { InvalidCursor } from '../read-models.views';
import { keyResultStory, projectedHarness } from '../testing/read-models-harness';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };

describe('audit-trail projection', () => {
  const context = projectedHarness('audit');

  async function story() {
    const told = await keyResultStory(context.h);
    expect(await context.projector.waitForPosition(told.last, 10_000)).toBe(true);
    return told;
  }

  describe('when key results change before and during the cycle', () => {
    it('records one entry per event with changes, reason, source and duringActiveCycle', async () => {
      const { cycle, keyResult } = await story();
      const page = await context.h.readModels.auditTrail.page(
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
      const active = await context.h.readModels.auditTrail.page(
        ana.tenantId,
        { cycleId: cycle.id, duringActiveCycleOnly: true, actorId: 'ana' },
        { first: 50 },
      );
      expect(active.items.map((i) => i.node.eventType)).toEqual(['KeyResultRedefined']);
      const typed = await context.h.readModels.auditTrail.page(
        ana.tenantId,
        { eventTypes: ['CycleStarted'], from: new Date(0), to: new Date(Date.now() + 60_000) },
        { first: 1 },
      );
      expect(typed.items.map((i) => i.node.aggregateId)).toContain(cycle.id);
    });

    it('pages oldest first and refuses a cursor it did not issue', async () => {
      await story();
      const first = await context.h.readModels.auditTrail.page(ana.tenantId, {}, { first: 2 });
      const next = await context.h.readModels.auditTrail.page(
        ana.tenantId,
        {},
        {
          first: 2,
          after: first.endCursor,
        },
      );
      expect(next.items[0]!.node.position > first.items[1]!.node.position).toBe(true);
      await expect(
        context.h.readModels.auditTrail.page(ana.tenantId, {}, { first: 2, after: 'garbage' }),
      ).rejects.toBeInstanceOf(InvalidCursor);
    });
  });
});
