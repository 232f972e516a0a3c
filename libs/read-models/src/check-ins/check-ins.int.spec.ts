import { randomUUID } from 'node:crypto';
import type { Actor } from '@okr-ledger/commands';
import {
  keyResultStory,
  projectedHarness,
  STORY_DATA_SOURCE,
  validTimeStory,
} from '../testing/read-models-harness';

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
      // Each row once, unknown ids and other tenants left out.
      const ids = [page.items[0]!.node.id, rest.items[0]!.node.id];
      const both = await context.h.readModels.checkIns.byIds(ana.tenantId, [
        ...ids,
        ids[0]!,
        randomUUID(),
      ]);
      expect(both.map((c) => c.id).sort()).toEqual([...ids].sort());
      expect(await context.h.readModels.checkIns.byIds(randomUUID(), ids)).toEqual([]);
    });
  });

  describe('when values were measured at other times than recorded', () => {
    it('keeps when each was true, who sent it and what it corrects', async () => {
      const { keyResult, last } = await validTimeStory(context.h);
      expect(await context.projector.waitForPosition(last, 10_000)).toBe(true);
      const page = await context.h.readModels.checkIns.page(ana.tenantId, keyResult.id, {
        first: 10,
      });
      const [correction, corrected, ...people] = page.items.map((i) => i.node);
      expect(people.map((c) => [c.value, c.measuredAt.toISOString(), c.dataSourceId])).toEqual([
        [6, '2026-07-15T09:00:00.000Z', null],
        [8, '2026-07-20T09:00:00.000Z', null],
        [4, '2026-07-10T09:00:00.000Z', null],
      ]);
      expect(corrected).toMatchObject({
        value: 9,
        source: 'INTEGRATION',
        dataSourceId: STORY_DATA_SOURCE,
        externalId: 'row-9',
        correctsCheckInId: null,
        measuredAt: new Date('2026-07-25T00:00:00Z'),
      });
      expect(correction).toMatchObject({
        value: 7,
        correctsCheckInId: corrected?.id,
        measuredAt: new Date('2026-07-25T00:00:00Z'),
      });
      // Recorded after the valid time it states.
      expect(people[0]!.recordedAt.getTime()).toBeGreaterThan(people[0]!.measuredAt.getTime());
    });
  });
});
