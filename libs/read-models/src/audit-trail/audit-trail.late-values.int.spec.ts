import { randomUUID } from 'node:crypto';
import { metadataFor, type Actor } from '@okr-ledger/commands';
import { handleCommand } from '@okr-ledger/event-store';
import { keyResultDecider, keyResultStream } from '@okr-ledger/okr';
import { rebuildProjection } from '../projector/rebuild';
import { projectedHarness, seedCycle } from '../testing/read-models-harness';
import { auditTrailProjection } from './audit-trail.projection';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const SENSOR = 'a0000000-0000-4000-8000-00000000a11d';
const sensor: Actor = { tenantId: 'acme', actorId: SENSOR, source: 'integration' };

/**
 * A late value in the audit trail (ADR 0014): a check-in measured before the current value
 * fills history, so its entry says which value for which instant, never that `currentValue`
 * moved; a correction shows the value it corrects.
 */
describe('audit-trail projection', () => {
  const context = projectedHarness('audit_late');

  async function send(cycleId: string, keyResultId: string, value: number, measuredAt: string) {
    const result = await handleCommand(
      context.h.store,
      keyResultStream(keyResultId),
      keyResultDecider,
      {
        type: 'RecordMeasurements',
        data: {
          keyResultId,
          dataSourceId: SENSOR,
          measurements: [
            { checkInId: randomUUID(), value, measuredAt, externalId: null, note: null },
          ],
          now: new Date().toISOString(),
        },
      },
      { cycleStatus: 'ACTIVE' },
      { metadata: metadataFor(sensor, { cycleId }) },
    );
    return result.position ?? '';
  }

  describe('when a value, a newer one, a late one between them and corrections arrive', () => {
    it('records the current value’s changes as currentValue and the late ones as value and measuredAt, the same after a rebuild', async () => {
      const { cycle, keyResult } = await seedCycle(context.h.commands, ana);
      await send(cycle.id, keyResult.id, 4, '2026-07-10T00:00:00.000Z');
      await send(cycle.id, keyResult.id, 8, '2026-07-20T00:00:00.000Z');
      await send(cycle.id, keyResult.id, 6, '2026-07-15T00:00:00.000Z');
      // Corrects the late 6 (same source, same instant): its previousValue is the current 8.
      await send(cycle.id, keyResult.id, 5, '2026-07-15T00:00:00.000Z');
      // Corrects the current 8.
      await send(cycle.id, keyResult.id, 9, '2026-07-20T00:00:00.000Z');
      // A person's late value with a confidence: the confidence is still their latest word.
      const last = await context.h.commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 3,
        measuredAt: '2026-07-12T00:00:00.000Z',
        confidence: 0.6,
      });
      expect(await context.projector.waitForPosition(last.position ?? '', 10_000)).toBe(true);

      const changes = async () =>
        (
          await context.h.readModels.auditTrail.page(
            ana.tenantId,
            { aggregateId: keyResult.id, eventTypes: ['KeyResultCheckedIn'] },
            { first: 50 },
          )
        ).items.map((i) => i.node.changes);
      const live = await changes();
      expect(live).toEqual([
        [{ field: 'currentValue', from: '0', to: '4' }],
        [{ field: 'currentValue', from: '4', to: '8' }],
        [
          { field: 'value', from: null, to: '6' },
          { field: 'measuredAt', from: null, to: '"2026-07-15T00:00:00.000Z"' },
        ],
        [
          { field: 'value', from: '6', to: '5' },
          { field: 'measuredAt', from: null, to: '"2026-07-15T00:00:00.000Z"' },
        ],
        [{ field: 'currentValue', from: '8', to: '9' }],
        [
          { field: 'value', from: null, to: '3' },
          { field: 'measuredAt', from: null, to: '"2026-07-12T00:00:00.000Z"' },
          { field: 'confidence', from: null, to: '0.6' },
        ],
      ]);

      const rows = () =>
        context.h.dataSource.query<unknown[]>(
          `SELECT position, event_type, changes::text AS changes, objective_id
             FROM read_models.audit_entries WHERE aggregate_id = $1 ORDER BY position`,
          [keyResult.id],
        );
      const before = await rows();
      const result = await rebuildProjection(
        context.projector.pool,
        context.h.store,
        auditTrailProjection,
        { batchSize: 3 },
      );
      expect(result.swapped).toBe(true);
      expect(await rows()).toEqual(before);
      expect(await changes()).toEqual(live);
    });
  });
});
