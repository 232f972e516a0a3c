import type { Actor } from '@okr-ledger/commands';
import { projectedHarness, seedCycle } from '../testing/read-models-harness';
import { DataSourceQueries } from './data-sources.queries';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const eve: Actor = { tenantId: 'initech', actorId: 'eve' };
const HOUR = 3_600_000;

describe('data-sources projection and queries', () => {
  const context = projectedHarness('data_sources');
  let queries: DataSourceQueries;

  beforeAll(() => {
    queries = new DataSourceQueries(context.h.dataSource);
  });

  async function settled(position: string | null | undefined): Promise<void> {
    expect(await context.projector.waitForPosition(position ?? '', 10_000)).toBe(true);
  }

  async function registered(hours = 24) {
    const { keyResult } = await seedCycle(context.h.commands, ana);
    const source = await context.h.commands.dataSources.register(ana, {
      name: 'Salesforce',
      kind: 'CRM',
      expectedIntervalHours: hours,
      keyResultIds: [keyResult.id],
    });
    await settled(source.position);
    return { keyResultId: keyResult.id, source };
  }

  describe('when a data source is registered', () => {
    it('lists it with its key results, fresh, and never stores the key or its hash', async () => {
      const { keyResultId, source } = await registered();
      const [view] = await queries.byIds(ana.tenantId, [source.id]);
      expect(view).toMatchObject({
        id: source.id,
        name: 'Salesforce',
        kind: 'CRM',
        expectedIntervalHours: 24,
        revoked: false,
        keyResultIds: [keyResultId],
        lastValueAt: null,
        stale: false,
        version: 1,
      });
      const secret = source.key?.split('.')[3] ?? 'missing';
      const dump = JSON.stringify(
        await context.h.dataSource.query(
          `SELECT s.*, k.* FROM read_models.data_sources s
             JOIN read_models.data_source_key_results k ON k.data_source_id = s.id`,
        ),
      );
      expect(dump).not.toContain(secret);
      expect(dump).not.toMatch(/[0-9a-f]{64}/);
    });
  });

  describe('when its interval passes without a value', () => {
    it('is stale, and so is its key result; the filter finds it', async () => {
      const { keyResultId, source } = await registered(1);
      const later = new Date(Date.now() + 2 * HOUR);
      const [view] = await queries.byIds(ana.tenantId, [source.id], later);
      expect(view?.stale).toBe(true);
      expect(
        (await queries.feedsOf(ana.tenantId, [keyResultId], later)).get(keyResultId)?.stale,
      ).toBe(true);
      const stale = await queries.all(ana.tenantId, { stale: true, now: later });
      expect(stale.map((s) => s.id)).toContain(source.id);
      const fresh = await queries.all(ana.tenantId, { stale: false, now: later });
      expect(fresh.map((s) => s.id)).not.toContain(source.id);
    });
  });

  describe('when it records a measurement', () => {
    it('keeps the latest measuredAt per key result, which makes it fresh again', async () => {
      const { keyResultId, source } = await registered(1);
      const sourceState = await context.h.commands.dataSources.authenticate(source.key ?? '');
      expect(sourceState).not.toBeNull();
      const measuredAt = new Date(Date.now() - 60_000).toISOString();
      const earlier = new Date(Date.now() - 30 * 60_000).toISOString();
      const actor: Actor = { ...ana, actorId: `data-source:${source.id}`, source: 'integration' };
      const result = await context.h.commands.measurements.record(actor, sourceState!.source, {
        measurements: [
          { keyResultId, value: 3, measuredAt },
          { keyResultId, value: 2, measuredAt: earlier },
        ],
      });
      expect(result.outcomes.map((o) => o.accepted)).toEqual([true, true]);
      await settled(result.positions[result.positions.length - 1]);
      const [view] = await queries.byIds(ana.tenantId, [source.id]);
      expect(view?.lastValueAt?.toISOString()).toBe(measuredAt);
      const soon = new Date(Date.now() + 30 * 60_000);
      expect((await queries.feedsOf(ana.tenantId, [keyResultId], soon)).get(keyResultId)).toEqual({
        stale: false,
        feeds: [
          { keyResultId, dataSourceId: source.id, lastValueAt: new Date(measuredAt), stale: false },
        ],
      });
    });
  });

  describe('when its key is rotated and then revoked', () => {
    it('counts the versions, is marked revoked and is never stale again', async () => {
      const { source } = await registered(1);
      await context.h.commands.dataSources.rotateKey(ana, { dataSourceId: source.id });
      const revoked = await context.h.commands.dataSources.revokeKey(ana, {
        dataSourceId: source.id,
        reason: 'leaked',
      });
      await settled(revoked.position);
      const [view] = await queries.byIds(
        ana.tenantId,
        [source.id],
        new Date(Date.now() + 9 * HOUR),
      );
      expect(view).toMatchObject({ revoked: true, stale: false, version: 3 });
    });
  });

  describe("when another organisation's data sources are asked for", () => {
    it('behaves as if they did not exist, and /health counts each organisation apart', async () => {
      const { source } = await registered();
      const { keyResult } = await seedCycle(context.h.commands, eve);
      const theirs = await context.h.commands.dataSources.register(eve, {
        name: 'Sheet',
        kind: 'spreadsheet',
        expectedIntervalHours: 1,
        keyResultIds: [keyResult.id],
      });
      await settled(theirs.position);
      expect(await queries.byIds(eve.tenantId, [source.id])).toEqual([]);
      expect((await queries.all(eve.tenantId)).map((s) => [s.id, s.kind])).toEqual([
        [theirs.id, 'SPREADSHEET'],
      ]);
      const summary = await queries.stalenessByTenant(new Date(Date.now() + 2 * HOUR));
      expect(summary.find((s) => s.tenantId === eve.tenantId)).toEqual({
        tenantId: eve.tenantId,
        dataSources: 1,
        stale: 1,
        staleDataSourceIds: [theirs.id],
      });
    });
  });
});
