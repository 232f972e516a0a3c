import type { Actor } from '@okr-ledger/commands';
import { keyResultStory, projectedHarness } from '../testing/read-models-harness';

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
});
