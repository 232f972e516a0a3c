import type { Actor } from '@okr-ledger/commands';
import { keyResultStory, projectedHarness } from '../testing/read-models-harness';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };

describe('check-ins projection and queries', () => {
  const context = projectedHarness('checkins');

  async function story() {
    const told = await keyResultStory(context.h);
    expect(await context.projector.waitForPosition(told.last, 10_000)).toBe(true);
    return told;
  }

  describe('when check-ins are listed', () => {
    it('lists them newest first', async () => {
      const { keyResult } = await story();
      const page = await context.h.readModels.checkIns.page(ana.tenantId, keyResult.id, {
        first: 1,
      });
      expect(page.items.map((i) => i.node.value)).toEqual([5]);
      expect(page).toMatchObject({ hasNextPage: true, totalCount: 2 });
      const rest = await context.h.readModels.checkIns.page(ana.tenantId, keyResult.id, {
        first: 5,
        after: page.endCursor,
      });
      expect(rest.items.map((i) => i.node)).toEqual([
        expect.objectContaining({ value: 1, source: 'MANUAL', actorId: 'ana' }),
      ]);
      const byId = await context.h.readModels.checkIns.byIds(ana.tenantId, [
        rest.items[0]!.node.id,
      ]);
      expect(byId).toHaveLength(1);
    });
  });
});
