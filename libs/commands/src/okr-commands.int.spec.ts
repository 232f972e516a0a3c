import { randomUUID } from 'node:crypto';
import {
  createPostgresEventStore,
  REQUEST_HASH,
  requestHash,
  WrongExpectedVersion,
  type PostgresEventStore,
} from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  DomainRuleViolation,
  keyResultStream,
  objectiveStream,
} from '@okr-ledger/okr';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { OkrCommands, type Actor } from './index';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const eve: Actor = { tenantId: 'globex', actorId: 'eve' };

describe('OkrCommands', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let commands: OkrCommands;

  beforeAll(async () => {
    database = await createTestDatabase('commands');
    store = await createPostgresEventStore(database.url, { maxConnections: 30 });
    commands = new OkrCommands(store);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function activeKeyResult(actor: Actor = ana) {
    const cycle = await commands.cycles.schedule(actor, {
      name: 'Q3',
      startsAt: '2026-07-01T00:00:00Z',
      endsAt: '2026-09-30T23:59:59Z',
    });
    const objective = await commands.objectives.set(actor, {
      cycleId: cycle.id,
      title: 'Put customers first',
    });
    const keyResult = await commands.keyResults.add(actor, {
      objectiveId: objective.id,
      title: 'Customer interviews',
      type: 'INCREASE',
      kind: 'INPUT',
      startValue: 0,
      targetValue: 25,
    });
    await commands.cycles.start(actor, { cycleId: cycle.id });
    return { cycle, objective, keyResult };
  }

  describe('when 20 check-ins on one key result arrive at once', () => {
    it('records every one of them (retrying the conflicts)', async () => {
      const { keyResult } = await activeKeyResult();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: i + 1 }),
        ),
      );
      const events = await store.readStream(keyResultStream(keyResult.id));
      const checkIns = events.filter((e) => e.type === 'KeyResultCheckedIn');
      expect(checkIns).toHaveLength(20);
      expect(new Set(checkIns.map((e) => e.data.checkInId))).toEqual(
        new Set(results.map((r) => r.checkInId)),
      );
      expect(Math.max(...results.map((r) => r.version))).toBe(21);
    });
  });

  describe('when a key result is checked in again by this process and by another', () => {
    it('reads only the events after its last check-in here, and counts the others too', async () => {
      const { keyResult } = await activeKeyResult();
      const stream = keyResultStream(keyResult.id);
      const first = await commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 1 });
      // Another API process: its check-ins and a redefinition land after this one's cache.
      const other = new OkrCommands(store);
      await other.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 2 });
      await other.keyResults.redefine(ana, {
        keyResultId: keyResult.id,
        targetValue: 30,
        reason: 'More calls',
      });
      const reads: (number | undefined)[] = [];
      const readStream = store.readStream.bind(store);
      const spy = jest.spyOn(store, 'readStream').mockImplementation((name, options) => {
        if (name === stream) reads.push(options?.fromRevision);
        return readStream(name, options);
      });
      let again;
      try {
        again = await commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 3 });
      } finally {
        spy.mockRestore();
      }
      expect(reads).toEqual([first.version - 1]);
      expect(again.version).toBe(first.version + 3);
      const events = await store.readStream(stream);
      expect(events.map((e) => e.type).slice(-4)).toEqual([
        'KeyResultCheckedIn',
        'KeyResultCheckedIn',
        'KeyResultRedefined',
        'KeyResultCheckedIn',
      ]);
      // A keyed check-in still finds an earlier use of its key (it reads the whole stream).
      const keyed = { keyResultId: keyResult.id, value: 4, idempotencyKey: 'cached-k' };
      const once = await other.keyResults.checkIn(ana, keyed);
      const twice = await commands.keyResults.checkIn(ana, keyed);
      expect(twice).toMatchObject({ checkInId: once.checkInId, replayed: true });
    });
  });

  describe('when a redefinition carries a stale expected version', () => {
    it('fails with the current version and records nothing', async () => {
      const { keyResult } = await activeKeyResult();
      await commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 3 });
      const attempt = commands.keyResults.redefine(ana, {
        keyResultId: keyResult.id,
        expectedVersion: keyResult.version,
        targetValue: 30,
        reason: 'More customers signed up than planned',
      });
      await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersion);
      await expect(attempt).rejects.toMatchObject({ actual: 1 });
      const events = await store.readStream(keyResultStream(keyResult.id));
      expect(events.map((e) => e.type)).toEqual(['KeyResultAdded', 'KeyResultCheckedIn']);
    });

    it('succeeds with the current version and records who, why, before and after', async () => {
      const { keyResult } = await activeKeyResult();
      const result = await commands.keyResults.redefine(ana, {
        keyResultId: keyResult.id,
        expectedVersion: 1,
        targetValue: 30,
        reason: 'More customers signed up than planned',
      });
      expect(result.version).toBe(2);
      const [, redefined] = await store.readStream(keyResultStream(keyResult.id));
      expect(redefined?.type).toBe('KeyResultRedefined');
      expect(redefined?.data).toEqual({
        keyResultId: keyResult.id,
        changes: [{ field: 'targetValue', from: 25, to: 30 }],
        reason: 'More customers signed up than planned',
      });
      expect(redefined?.metadata).toMatchObject({ tenantId: 'acme', actorId: 'ana' });
      expect(redefined?.metadata.cycleId).toBeDefined();
    });
  });

  describe('when an idempotency key is used twice', () => {
    it('answers with the first check-in and records nothing new', async () => {
      const { keyResult } = await activeKeyResult();
      const first = await commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 5,
        idempotencyKey: 'week-32',
      });
      const again = await commands.keyResults.checkIn(ana, {
        keyResultId: keyResult.id,
        value: 6,
        idempotencyKey: 'week-32',
      });
      // The first check-in's position, so the API waits for it to be projected.
      expect(again).toMatchObject({
        checkInId: first.checkInId,
        replayed: true,
        position: first.position,
      });
      const events = await store.readStream(keyResultStream(keyResult.id));
      expect(events.filter((e) => e.type === 'KeyResultCheckedIn')).toHaveLength(1);
    });
  });

  describe('when the cycle is closed', () => {
    it('refuses a check-in with the CYCLE_CLOSED rule', async () => {
      const { cycle, keyResult } = await activeKeyResult();
      await commands.cycles.close(ana, { cycleId: cycle.id });
      await expect(
        commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 9 }),
      ).rejects.toMatchObject({ rule: 'CYCLE_CLOSED' });
    });
  });

  describe('when the cycle is active', () => {
    it('requires a reason to redefine a key result', async () => {
      const { keyResult } = await activeKeyResult();
      const attempt = commands.keyResults.redefine(ana, { keyResultId: keyResult.id, title: 'x' });
      await expect(attempt).rejects.toBeInstanceOf(DomainRuleViolation);
      await expect(attempt).rejects.toMatchObject({ rule: 'REASON_REQUIRED' });
    });
  });

  describe('when objectives are aligned', () => {
    it('refuses a loop through a key result, read from the streams', async () => {
      const { cycle, objective, keyResult } = await activeKeyResult();
      const child = await commands.objectives.set(ana, {
        cycleId: cycle.id,
        title: 'Run 25 interviews',
        parentKeyResultId: keyResult.id,
      });
      const grandChild = await commands.objectives.set(ana, {
        cycleId: cycle.id,
        title: 'Book interviews',
        parentObjectiveId: child.id,
      });
      await expect(
        commands.objectives.align(ana, {
          objectiveId: objective.id,
          parentObjectiveId: grandChild.id,
        }),
      ).rejects.toMatchObject({ rule: 'ALIGNMENT_LOOP' });
    });

    it('refuses a team loop', async () => {
      const company = await commands.teams.create(ana, { name: 'Company' });
      const sales = await commands.teams.create(ana, { name: 'Sales', parentTeamId: company.id });
      await expect(
        commands.teams.move(ana, { teamId: company.id, parentTeamId: sales.id }),
      ).rejects.toMatchObject({ rule: 'TEAM_LOOP' });
    });
  });

  describe("when another tenant's ids are used", () => {
    it('behaves as if they did not exist', async () => {
      const { objective, keyResult } = await activeKeyResult(ana);
      await expect(
        commands.keyResults.checkIn(eve, { keyResultId: keyResult.id, value: 1 }),
      ).rejects.toBeInstanceOf(AggregateNotFound);
      await expect(
        commands.objectives.revise(eve, { objectiveId: objective.id, title: 'Hijacked' }),
      ).rejects.toBeInstanceOf(AggregateNotFound);
      const other = await activeKeyResult(eve);
      await expect(
        commands.objectives.set(eve, {
          cycleId: other.cycle.id,
          title: 'Aligned to a stranger',
          parentObjectiveId: objective.id,
        }),
      ).rejects.toMatchObject({ aggregateType: 'Objective', id: objective.id });
      const events = await store.readStream(keyResultStream(keyResult.id));
      expect(events.every((e) => e.metadata.tenantId === 'acme')).toBe(true);
    });
  });

  describe('when a key result is added to a missing objective', () => {
    it('reports the objective as not found', async () => {
      const missing = randomUUID();
      await expect(
        commands.keyResults.add(ana, {
          objectiveId: missing,
          title: 'x',
          type: 'INCREASE',
          kind: 'OUTPUT',
          startValue: 0,
          targetValue: 1,
        }),
      ).rejects.toMatchObject({ aggregateType: 'Objective', id: missing });
    });
  });

  describe('when a keyed request leaves optional fields out or sends them null', () => {
    it('records the hash of the request with its defaults applied, as the API always has', async () => {
      const { cycle } = await activeKeyResult();
      const key = `set-${randomUUID()}`;
      const objective = await commands.objectives.set(ana, {
        cycleId: cycle.id,
        title: 'Ship weekly',
        ownerId: null,
        idempotencyKey: key,
      });
      const [event] = await store.readStream(objectiveStream(objective.id));
      expect(event?.metadata[REQUEST_HASH]).toBe(
        requestHash('setObjective', {
          cycleId: cycle.id,
          title: 'Ship weekly',
          description: null,
          ownerId: null,
          teamId: null,
          parentObjectiveId: null,
          parentKeyResultId: null,
        }),
      );
    });
  });
});
