import {
  createPostgresEventStore,
  IdempotencyKeyReused,
  type PostgresEventStore,
} from '@okr-ledger/event-store';
import { keyResultStream, type DataSource } from '@okr-ledger/okr';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { dataSourceActorId } from './data-source-key';
import { OkrCommands, type Actor } from './index';
import { MeasurementCommands } from './measurement.commands';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('MeasurementCommands', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let commands: OkrCommands;

  beforeAll(async () => {
    database = await createTestDatabase('measurements');
    store = await createPostgresEventStore(database.url, { maxConnections: 10 });
    commands = new OkrCommands(store);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function fedKeyResult() {
    const cycle = await commands.cycles.schedule(ana, {
      name: 'Q',
      startsAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 80 * 86_400_000).toISOString(),
    });
    await commands.cycles.start(ana, { cycleId: cycle.id });
    const objective = await commands.objectives.set(ana, { cycleId: cycle.id, title: 'Grow' });
    const keyResult = await commands.keyResults.add(ana, {
      objectiveId: objective.id,
      title: 'ARR',
      type: 'INCREASE',
      kind: 'OUTCOME',
      startValue: 0,
      targetValue: 100,
    });
    const registered = await commands.dataSources.register(ana, {
      name: 'Stripe',
      kind: 'BILLING',
      expectedIntervalHours: 24,
      keyResultIds: [keyResult.id],
    });
    const found = await commands.dataSources.authenticate(registered.key ?? '');
    if (!found) throw new Error('the new key does not authenticate');
    const actor: Actor = {
      tenantId: ana.tenantId,
      actorId: dataSourceActorId(found.source.dataSourceId),
      source: 'integration',
    };
    return { keyResultId: keyResult.id, source: found.source, actor };
  }

  const checkIns = async (keyResultId: string) =>
    (await store.readStream(keyResultStream(keyResultId))).filter(
      (e) => e.type === 'KeyResultCheckedIn',
    );

  describe('when batches follow each other in one process', () => {
    it('still sees what another writer recorded in between (the folded state is read on)', async () => {
      const { keyResultId, source, actor } = await fedKeyResult();
      const here = new MeasurementCommands(store);
      const elsewhere = new MeasurementCommands(store);
      const at = minutesAgo(30);
      await here.record(actor, source, {
        measurements: [{ keyResultId, value: 1, measuredAt: at }],
      });
      // Another API instance records a correction for the same instant, then a person checks in.
      await elsewhere.record(actor, source, {
        measurements: [{ keyResultId, value: 2, measuredAt: at }],
      });
      await commands.keyResults.checkIn(ana, { keyResultId, value: 7 });
      const again = await here.record(actor, source, {
        measurements: [{ keyResultId, value: 2, measuredAt: at }],
      });
      const [outcome] = again.outcomes;
      // Sent before by the other instance: one value, not recorded again.
      expect(outcome).toMatchObject({ accepted: true, recorded: false });
      expect(again.positions).toEqual([]);
      const recorded = await checkIns(keyResultId);
      expect(recorded.map((e) => e.data.value)).toEqual([1, 2, 7]);
      expect(recorded[0]?.metadata).toMatchObject({
        actorId: actor.actorId,
        source: 'integration',
      });
      expect(recorded[1]?.data).toMatchObject({ correctsCheckInId: recorded[0]?.data.checkInId });
    });
  });

  describe('when a batch carries an idempotency key', () => {
    it('answers a retry as the first time and refuses the key with another batch', async () => {
      const { keyResultId, source, actor } = await fedKeyResult();
      const batch = { measurements: [{ keyResultId, value: 5, measuredAt: minutesAgo(5) }] };
      const first = await commands.measurements.record(actor, source, {
        ...batch,
        idempotencyKey: 'k',
      });
      const retry = await commands.measurements.record(actor, source, {
        ...batch,
        idempotencyKey: 'k',
      });
      expect(retry.outcomes.map((o) => o.checkInId)).toEqual(
        first.outcomes.map((o) => o.checkInId),
      );
      expect(await checkIns(keyResultId)).toHaveLength(1);
      await expect(
        commands.measurements.record(actor, source, {
          measurements: [{ keyResultId, value: 6, measuredAt: minutesAgo(4) }],
          idempotencyKey: 'k',
        }),
      ).rejects.toBeInstanceOf(IdempotencyKeyReused);
      expect(await checkIns(keyResultId)).toHaveLength(1);
    });
  });

  describe('when a batch is empty or too large', () => {
    it.each([0, 1001])('refuses %p measurements on the field measurements', async (n) => {
      const { keyResultId, source, actor } = await fedKeyResult();
      const measurements = Array.from({ length: n }, () => ({
        keyResultId,
        value: 1,
        measuredAt: minutesAgo(1),
      }));
      await expect(
        commands.measurements.record(actor, source, { measurements }),
      ).rejects.toMatchObject({ rule: 'INVALID_VALUE', field: 'measurements' });
    });
  });

  describe('when the source is revoked', () => {
    it('refuses every measurement as not linked', async () => {
      const { keyResultId, source, actor } = await fedKeyResult();
      const revoked: DataSource = { ...source, revoked: true, keyHash: null };
      const result = await commands.measurements.record(actor, revoked, {
        measurements: [{ keyResultId, value: 1, measuredAt: minutesAgo(1) }],
      });
      expect(result.outcomes).toEqual([
        expect.objectContaining({ accepted: false, reason: 'KEY_RESULT_NOT_LINKED' }),
      ]);
      expect(await checkIns(keyResultId)).toHaveLength(0);
    });
  });
});
