import type { Actor } from '@okr-ledger/commands';
import type { AuditSignalKind } from '@okr-ledger/okr';
import { projectedHarness, seedCycle } from '../testing/read-models-harness';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const eve: Actor = { tenantId: 'initech', actorId: 'eve' };
const HOUR = 3_600_000;

describe('audit-signals projection and queries', () => {
  const context = projectedHarness('audit_signals');

  async function settled(position: string | null | undefined): Promise<void> {
    expect(await context.projector.waitForPosition(position ?? '', 10_000)).toBe(true);
  }

  /**
   * A key result 0 → 30 fed by a CRM: six steady values, a person's override, a jump, a
   * back-dated value, three unchanged on-track check-ins, the close and a correction after it.
   */
  async function story() {
    const { commands } = context.h;
    const { cycle, keyResult } = await seedCycle(commands, ana);
    const keyResultId = keyResult.id;
    // 0 → 30: the values below stay short of the target (at it, staying put is no signal).
    await commands.keyResults.redefine(ana, { keyResultId, targetValue: 30, reason: 'Wider' });
    const registered = await commands.dataSources.register(ana, {
      name: 'CRM',
      kind: 'CRM',
      expectedIntervalHours: 24,
      keyResultIds: [keyResultId],
    });
    const source = (await commands.dataSources.authenticate(registered.key ?? ''))?.source;
    if (!source) throw new Error('the new key does not authenticate');
    const crm: Actor = { tenantId: ana.tenantId, actorId: 'crm', source: 'integration' };
    const t0 = Date.now() - 12 * HOUR;
    const at = (hours: number) => new Date(t0 + hours * HOUR).toISOString();
    const send = (value: number, measuredAt: string) =>
      commands.measurements.record(crm, source, {
        measurements: [{ keyResultId, value, measuredAt }],
      });
    for (let i = 1; i <= 6; i++) await send(i, at(i));
    await commands.keyResults.checkIn(ana, { keyResultId, value: 6.5, measuredAt: at(6.5) });
    const jump = await send(20, at(7));
    await send(15, new Date(t0 - 5 * 24 * HOUR).toISOString());
    for (let i = 0; i < 3; i++)
      await commands.keyResults.checkIn(ana, { keyResultId, value: 20, confidence: 0.8 });
    await commands.cycles.close(ana, { cycleId: cycle.id });
    const correction = await send(19, at(7));
    await settled(correction.positions.at(-1));
    return { keyResultId, jump, correction };
  }

  describe('when a key result fed by a data source collects every kind of signal', () => {
    it('lists them in log order with the events they rest on', async () => {
      const { keyResultId, jump, correction } = await story();
      const signals = await context.h.readModels.auditSignals.byKeyResultIds(ana.tenantId, [
        keyResultId,
      ]);
      expect(signals.map((s) => s.kind)).toEqual<AuditSignalKind[]>([
        'MANUAL_OVERRIDE',
        'IMPLAUSIBLE_JUMP',
        'BACKDATED_VALUE',
        'STALE_CONFIDENCE',
        'CORRECTED_AFTER_CLOSE',
      ]);
      const byKind = new Map(signals.map((s) => [s.kind, s]));
      expect(byKind.get('MANUAL_OVERRIDE')).toMatchObject({
        summary:
          'ana checked in 6.5 by hand on a key result fed by data source "CRM"; the last value it sent was 6',
      });
      // Listing, last value sent, the override.
      expect(byKind.get('MANUAL_OVERRIDE')?.restsOn.map((e) => e.eventType)).toEqual([
        'DataSourceRegistered',
        'KeyResultCheckedIn',
        'KeyResultCheckedIn',
      ]);
      expect(byKind.get('IMPLAUSIBLE_JUMP')?.position).toBe(jump.positions.at(-1));
      expect(byKind.get('STALE_CONFIDENCE')?.restsOn).toHaveLength(3);
      const afterClose = byKind.get('CORRECTED_AFTER_CLOSE');
      expect(afterClose?.position).toBe(correction.positions.at(-1));
      // The close, the corrected value (the jump) and the correction.
      expect(afterClose?.restsOn.map((e) => e.eventType)).toEqual([
        'KeyResultCheckedIn',
        'CycleClosed',
        'KeyResultCheckedIn',
      ]);
      expect(afterClose?.restsOn[0]?.position).toBe(jump.positions.at(-1));
      for (const signal of signals) {
        expect(signal.detectedAt).toBeInstanceOf(Date);
        expect(signal.restsOn.at(-1)?.position).toBe(signal.position);
      }

      const only = await context.h.readModels.auditSignals.byKeyResultIds(
        ana.tenantId,
        [keyResultId],
        ['STALE_CONFIDENCE'],
      );
      expect(only.map((s) => s.kind)).toEqual(['STALE_CONFIDENCE']);
      expect(
        await context.h.readModels.auditSignals.byKeyResultIds(eve.tenantId, [keyResultId]),
      ).toEqual([]);
    });
  });

  describe("when a data source's key is revoked", () => {
    it('no longer calls a manual check-in an override, unless another source still feeds it', async () => {
      const { commands } = context.h;
      const { objective, keyResult } = await seedCycle(commands, ana);
      const only = keyResult.id;
      const shared = (
        await commands.keyResults.add(ana, {
          objectiveId: objective.id,
          title: 'Demos',
          type: 'INCREASE',
          kind: 'INPUT',
          startValue: 0,
          targetValue: 10,
        })
      ).id;
      const crm = await commands.dataSources.register(ana, {
        name: 'CRM',
        kind: 'CRM',
        expectedIntervalHours: 24,
        keyResultIds: [only, shared],
      });
      const billing = await commands.dataSources.register(ana, {
        name: 'Billing',
        kind: 'BILLING',
        expectedIntervalHours: 24,
        keyResultIds: [shared],
      });
      const sync: Actor = { tenantId: ana.tenantId, actorId: 'sync', source: 'integration' };
      const send = async (key: string | null, values: [string, number][]) => {
        const source = (await commands.dataSources.authenticate(key ?? ''))?.source;
        if (!source) throw new Error('the key does not authenticate');
        return commands.measurements.record(sync, source, {
          measurements: values.map(([keyResultId, value]) => ({
            keyResultId,
            value,
            measuredAt: new Date(Date.now() - HOUR).toISOString(),
          })),
        });
      };
      await send(crm.key, [
        [only, 2],
        [shared, 3],
      ]);
      await send(billing.key, [[shared, 4]]);
      await commands.keyResults.checkIn(ana, { keyResultId: only, value: 5 });
      const revoked = await commands.dataSources.revokeKey(ana, {
        dataSourceId: crm.id,
        reason: 'Contract ended',
      });
      // Settled apart: the revocation finds the registration's key results in the stored table.
      await settled(revoked.position);
      await commands.keyResults.checkIn(ana, { keyResultId: only, value: 6 });
      const last = await commands.keyResults.checkIn(ana, { keyResultId: shared, value: 7 });
      await settled(last.position);

      const signals = await context.h.readModels.auditSignals.byKeyResultIds(ana.tenantId, [
        only,
        shared,
      ]);
      // Listed by key result, whose ids are random: in the order of the check-ins instead.
      const overrides = signals
        .filter((s) => s.kind === 'MANUAL_OVERRIDE')
        .sort((a, b) => (a.position < b.position ? -1 : 1));
      expect(overrides.map((s) => [s.keyResultId, s.summary])).toEqual([
        [
          only,
          'ana checked in 5 by hand on a key result fed by data source "CRM"; the last value it sent was 2',
        ],
        [
          shared,
          'ana checked in 7 by hand on a key result fed by data source "Billing"; the last value it sent was 4',
        ],
      ]);
      expect(overrides[1]?.position).toBe(last.position);
    });
  });

  describe('when the audit trail is filtered by signal kinds', () => {
    it('returns the entries those signals rest on, each naming its signals', async () => {
      const { keyResultId } = await story();
      const page = await context.h.readModels.auditTrail.page(
        ana.tenantId,
        { aggregateId: keyResultId, signals: ['STALE_CONFIDENCE'] },
        { first: 10 },
      );
      expect(page.totalCount).toBe(3);
      expect(
        page.items.map((i) => i.node.changes.find((c) => c.field === 'currentValue')?.to),
      ).toEqual(['20', '20', '20']);
      expect(page.items.map((i) => i.node.signals)).toEqual([
        ['STALE_CONFIDENCE'],
        ['STALE_CONFIDENCE'],
        ['STALE_CONFIDENCE'],
      ]);
      const all = await context.h.readModels.auditTrail.page(
        ana.tenantId,
        { aggregateId: keyResultId },
        { first: 100 },
      );
      const added = all.items.find((i) => i.node.eventType === 'KeyResultAdded');
      expect(added?.node.signals).toEqual([]);
      const jumpEntry = all.items.find((i) =>
        i.node.changes.some((c) => c.field === 'currentValue' && c.to === '20' && c.from === '6.5'),
      );
      expect(jumpEntry?.node.signals).toEqual(['CORRECTED_AFTER_CLOSE', 'IMPLAUSIBLE_JUMP']);
      const none = await context.h.readModels.auditTrail.page(
        eve.tenantId,
        { signals: ['STALE_CONFIDENCE'] },
        { first: 10 },
      );
      expect(none.totalCount).toBe(0);
    });
  });
});
