import type { Actor } from '@okr-ledger/commands';
import { keyResultStory, projectedHarness, validTimeStory } from '../testing/read-models-harness';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };

describe('key-result-history projection and queries', () => {
  const context = projectedHarness('krhistory');

  async function story() {
    const told = await keyResultStory(context.h);
    expect(await context.projector.waitForPosition(told.last, 10_000)).toBe(true);
    return told;
  }

  describe('when the history of a key result is asked for', () => {
    it('gives every value and definition change as a time series', async () => {
      const { keyResult } = await story();
      const series = await context.h.readModels.keyResultHistory.series(ana.tenantId, keyResult.id);
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

  describe('when a late value and a correction arrive', () => {
    it('records each value at its valid time and keeps the latest measured as current', async () => {
      const { keyResult, last } = await validTimeStory(context.h);
      expect(await context.projector.waitForPosition(last, 10_000)).toBe(true);
      const series = await context.h.readModels.keyResultHistory.series(ana.tenantId, keyResult.id);
      expect(
        series.map((p) => [
          p.eventType,
          p.value,
          p.measuredAt?.toISOString() ?? null,
          p.currentValue,
        ]),
      ).toEqual([
        ['KeyResultAdded', null, null, 0],
        ['KeyResultCheckedIn', 4, '2026-07-10T09:00:00.000Z', 4],
        ['KeyResultCheckedIn', 8, '2026-07-20T09:00:00.000Z', 8],
        ['KeyResultCheckedIn', 6, '2026-07-15T09:00:00.000Z', 8],
        ['KeyResultCheckedIn', 9, '2026-07-25T00:00:00.000Z', 9],
        ['KeyResultCheckedIn', 7, '2026-07-25T00:00:00.000Z', 7],
      ]);
      expect(series.map((p) => p.progress)).toEqual([0, 0.4, 0.8, 0.8, 0.9, 0.7]);
    });
  });
});
