import {
  createPostgresEventStore,
  type EventStore,
  type PostgresEventStore,
  type ReadStreamOptions,
} from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  canSee,
  keyResultDecider,
  keyResultStream,
  keyResultWriteRefusal,
  objectiveDecider,
  objectiveStream,
  visibilityScope,
  type Objective,
  type Visibility,
} from '@okr-ledger/okr';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { loadState, OkrCommands, WriteAccess, type Actor } from './index';

const tenantId = 'acme';
const KINDS = ['key-result', 'objective', 'cycle', 'team'];
const person = (actorId: string, ...roles: string[]): Actor => ({ tenantId, actorId, roles });

/** The real store, recording every stream read and how many ran at once. */
class CountingStore {
  reads: string[] = [];
  /** The first revision each key result read asked for (undefined: the whole stream). */
  keyResultFrom: (number | undefined)[] = [];
  inFlight = 0;
  peak = 0;

  constructor(private readonly store: EventStore) {}

  readonly proxy: EventStore = new Proxy(this as unknown as EventStore, {
    get: (_, name: keyof EventStore) => {
      if (name !== 'readStream') {
        const value = this.store[name];
        return typeof value === 'function' ? value.bind(this.store) : value;
      }
      return async (stream: string, options?: ReadStreamOptions) => {
        const kind = KINDS.find((k) => stream.startsWith(`${k}-`)) ?? stream;
        this.reads.push(kind);
        if (kind === 'key-result') this.keyResultFrom.push(options?.fromRevision);
        this.peak = Math.max(this.peak, ++this.inFlight);
        try {
          return await this.store.readStream(stream, options);
        } finally {
          this.inFlight--;
        }
      };
    },
  });

  reset(): void {
    this.reads = [];
    this.keyResultFrom = [];
    this.peak = 0;
  }
}

describe('What a command reads', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let counting: CountingStore;
  let commands: OkrCommands;
  let cycleId: string;
  let department: string;
  let web: string;
  const admin = person('ada', 'ADMIN');
  const lena = person('lena', 'MEMBER'); // leads the department
  const webby = person('webby', 'MEMBER'); // member of web
  const sam = person('sam', 'MEMBER'); // in no team
  const audrey = person('audrey', 'AUDITOR');
  const both = person('bo', 'AUDITOR', 'MEMBER'); // member of web
  const system: Actor = { tenantId, actorId: 'system' };

  beforeAll(async () => {
    database = await createTestDatabase('command-reads');
    store = await createPostgresEventStore(database.url, { maxConnections: 10 });
    counting = new CountingStore(store);
    commands = new OkrCommands(counting.proxy);
    cycleId = (
      await commands.cycles.schedule(admin, {
        name: 'Q3',
        startsAt: '2026-07-01T00:00:00Z',
        endsAt: '2026-09-30T23:59:59Z',
      })
    ).id;
    department = (await commands.teams.create(admin, { name: 'Product' })).id;
    web = (await commands.teams.create(admin, { name: 'Web', parentTeamId: department })).id;
    await commands.teams.addMember(admin, { teamId: department, personId: 'lena', lead: true });
    await commands.teams.addMember(admin, { teamId: web, personId: 'webby' });
    await commands.teams.addMember(admin, { teamId: web, personId: 'bo' });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const keyResultOf = async (visibility: Visibility, teamId: string | null, owner = 'sam') => {
    const objective = await commands.objectives.set(system, {
      cycleId,
      title: `${visibility} objective`,
      ownerId: owner,
      teamId,
      visibility,
    });
    const keyResult = await commands.keyResults.add(system, {
      objectiveId: objective.id,
      title: 'Signups',
      type: 'INCREASE',
      kind: 'OUTCOME',
      startValue: 0,
      targetValue: 100,
    });
    return { objectiveId: objective.id, keyResultId: keyResult.id };
  };

  describe('when checking in', () => {
    it('reads the objective and the cycle at once, and no team for ADMIN', async () => {
      const { keyResultId } = await keyResultOf('TEAM', web);
      counting.reset();
      await commands.keyResults.checkIn(admin, { keyResultId, value: 1 });
      expect(counting.reads.sort()).toEqual(['cycle', 'key-result', 'objective']);
      expect(counting.peak).toBe(2);
    });

    it("reads a MEMBER's team and not the teams above when that team decides", async () => {
      const { keyResultId } = await keyResultOf('PUBLIC', web);
      counting.reset();
      await commands.keyResults.checkIn(webby, { keyResultId, value: 1 });
      expect(counting.reads.sort()).toEqual(['cycle', 'key-result', 'objective', 'team']);
    });

    it('reads up the chain when only a lead above sees it, and refuses on the whole chain', async () => {
      const { keyResultId } = await keyResultOf('TEAM', web);
      counting.reset();
      await expect(commands.keyResults.checkIn(lena, { keyResultId, value: 1 })).rejects.toEqual(
        expect.objectContaining({ name: 'WriteForbidden', rule: 'KEY_RESULT_OWNER_OR_TEAM' }),
      );
      expect(counting.reads.filter((r) => r === 'team')).toHaveLength(2);
    });

    it("answers NOT_FOUND for a hidden objective's key result, the cycle read beside it", async () => {
      const { keyResultId } = await keyResultOf('PRIVATE', null);
      await expect(commands.keyResults.checkIn(webby, { keyResultId, value: 1 })).rejects.toEqual(
        new AggregateNotFound('KeyResult', keyResultId),
      );
    });
  });

  describe('when setting objectives and key results', () => {
    it("folds a MEMBER's team once for the team check and the rule", async () => {
      counting.reset();
      await commands.objectives.set(webby, { cycleId, title: 'Faster', teamId: web });
      expect(counting.reads.sort()).toEqual(['cycle', 'objective', 'team']);
      expect(counting.peak).toBe(2);
    });

    it('reads the cycle beside the new key result stream', async () => {
      const { objectiveId } = await keyResultOf('PUBLIC', null, 'ada');
      counting.reset();
      await commands.keyResults.add(admin, {
        objectiveId,
        title: 'More',
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 0,
        targetValue: 1,
      });
      expect(counting.reads.sort()).toEqual(['cycle', 'key-result', 'objective']);
      expect(counting.peak).toBe(2);
    });
  });

  describe("when the key result's folded state is kept between commands", () => {
    const stateOf = (keyResultId: string) =>
      loadState(store, keyResultStream(keyResultId), tenantId, keyResultDecider);

    it('reads only the later events, and sees what another instance wrote', async () => {
      const other = new OkrCommands(store);
      const { keyResultId } = await keyResultOf('PUBLIC', null);
      await commands.keyResults.checkIn(admin, { keyResultId, value: 1 });
      counting.reset();
      await commands.keyResults.checkIn(admin, { keyResultId, value: 2 });
      expect(counting.keyResultFrom).toEqual([1]);
      await other.keyResults.checkIn(admin, { keyResultId, value: 3 });
      const last = await commands.keyResults.checkIn(admin, { keyResultId, value: 4 });
      expect(last.version).toBe(5);
      expect(await stateOf(keyResultId)).toMatchObject({ currentValue: 4, checkInCount: 4 });
      // The other instance decided on the whole stream too.
      const again = await other.keyResults.checkIn(admin, { keyResultId, value: 5 });
      expect(again.version).toBe(6);
    });

    it("answers a key's first check-in once it is folded into the kept state", async () => {
      const { keyResultId } = await keyResultOf('PUBLIC', null);
      const first = await commands.keyResults.checkIn(admin, {
        keyResultId,
        value: 1,
        idempotencyKey: 'push-1',
      });
      await commands.keyResults.checkIn(admin, { keyResultId, value: 2 });
      await commands.keyResults.checkIn(admin, { keyResultId, value: 3 });
      const retry = await commands.keyResults.checkIn(admin, {
        keyResultId,
        value: 1,
        idempotencyKey: 'push-1',
      });
      expect(retry).toEqual({ ...first, replayed: true });
      expect(await stateOf(keyResultId)).toMatchObject({ currentValue: 3, checkInCount: 3 });
    });

    it("keeps another tenant's stream of the same name hidden", async () => {
      const { keyResultId } = await keyResultOf('PUBLIC', null);
      await commands.keyResults.checkIn(admin, { keyResultId, value: 1 });
      await expect(
        commands.keyResults.checkIn({ ...admin, tenantId: 'globex' }, { keyResultId, value: 2 }),
      ).rejects.toBeInstanceOf(AggregateNotFound);
    });
  });

  it('judges every actor and objective as the rules on the whole team chain do', async () => {
    const access = new WriteAccess(store);
    const actors = [admin, lena, webby, sam, audrey, both];
    const cases: { objective: Objective; keyResult: { keyResultId: string; ownerId: string } }[] =
      [];
    for (const visibility of ['PUBLIC', 'TEAM', 'PRIVATE'] as const) {
      for (const teamId of [web, department, null]) {
        for (const owner of ['sam', 'webby', 'lena']) {
          const { objectiveId, keyResultId } = await keyResultOf(visibility, teamId, owner);
          const objective = await loadState(
            store,
            objectiveStream(objectiveId),
            tenantId,
            objectiveDecider,
          );
          for (const keyResultOwner of ['sam', 'bo'])
            cases.push({
              objective: objective!,
              keyResult: { keyResultId, ownerId: keyResultOwner },
            });
        }
      }
    }
    let checked = 0;
    for (const actor of actors) {
      const viewer = { personId: actor.actorId, roles: actor.roles ?? [] };
      for (const { objective, keyResult } of cases) {
        const teams = await access.teamsAbove(tenantId, objective.teamId);
        const expected = !canSee(visibilityScope(viewer, teams), objective)
          ? 'NOT_FOUND'
          : (keyResultWriteRefusal(viewer, keyResult, objective, teams) ?? 'allowed');
        const actual = await access.requireKeyResultWrite(actor, keyResult, objective).then(
          () => 'allowed',
          (error: unknown) =>
            error instanceof AggregateNotFound
              ? 'NOT_FOUND'
              : String((error as { rule?: string }).rule),
        );
        expect({ actor: actor.actorId, objective, keyResult, actual }).toEqual({
          actor: actor.actorId,
          objective,
          keyResult,
          actual: expected,
        });
        checked++;
      }
    }
    expect(checked).toBe(actors.length * 54);
  });
});
