import { createPostgresEventStore, type PostgresEventStore } from '@okr-ledger/event-store';
import { OkrCommands, type Actor } from '@okr-ledger/commands';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import {
  CycleNotFound,
  InvalidReplayRange,
  TimeTravel,
  TooManyReplayFrames,
  type TimePoint,
} from './index';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const eve: Actor = { tenantId: 'globex', actorId: 'eve' };
const t = (iso: string): Date => new Date(`2026-${iso}Z`);

describe('TimeTravel', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let commands: OkrCommands;
  let now = t('06-01T00:00:00');
  /** Every command below is recorded at the instant given: the store's clock is the only one. */
  const at = (iso: string): void => {
    now = t(iso);
  };
  let ids: { cycle: string; parent: string; keyResult: string; child: string; team: string };

  beforeAll(async () => {
    database = await createTestDatabase('time_travel');
    store = await createPostgresEventStore(database.url, { simulatedClock: () => now });
    commands = new OkrCommands(store);

    at('06-15T09:00:00');
    const team = await commands.teams.create(ana, { name: 'Sales', parentTeamId: null });
    at('06-20T09:00:00');
    const cycle = await commands.cycles.schedule(ana, {
      name: 'Q3',
      startsAt: '2026-07-01T00:00:00Z',
      endsAt: '2026-09-30T00:00:00Z',
    });
    at('06-21T09:00:00');
    const parent = await commands.objectives.set(ana, {
      cycleId: cycle.id,
      title: 'Put customers first',
      teamId: team.id,
    });
    at('06-22T09:00:00');
    const keyResult = await commands.keyResults.add(ana, {
      objectiveId: parent.id,
      title: 'Customer interviews',
      type: 'INCREASE',
      kind: 'INPUT',
      startValue: 0,
      targetValue: 25,
    });
    at('07-01T00:00:00');
    await commands.cycles.start(ana, { cycleId: cycle.id });
    at('07-02T09:00:00');
    const child = await commands.objectives.set(ana, {
      cycleId: cycle.id,
      title: 'Run the interview programme',
    });
    at('07-07T09:00:00');
    await commands.keyResults.checkIn(ana, {
      keyResultId: keyResult.id,
      value: 5,
      confidence: 0.8,
    });
    at('07-14T09:00:00');
    await commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 10 });
    at('07-20T09:00:00');
    await commands.keyResults.redefine(ana, {
      keyResultId: keyResult.id,
      targetValue: 40,
      title: 'Customer interviews (incl. churned)',
      reason: 'Churned customers added to the programme',
    });
    at('07-28T09:00:00');
    await commands.keyResults.checkIn(ana, {
      keyResultId: keyResult.id,
      value: 20,
      confidence: 0.6,
    });
    at('08-01T09:00:00');
    await commands.objectives.align(ana, {
      objectiveId: child.id,
      parentKeyResultId: keyResult.id,
    });
    ids = {
      cycle: cycle.id,
      parent: parent.id,
      keyResult: keyResult.id,
      child: child.id,
      team: team.id,
    };
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const keyResultAsOf = async (iso: string, travel = new TimeTravel(store)) => {
    const [view] = await travel
      .queriesAsOf('acme', t(iso))
      .keyResults.byIds('acme', [ids.keyResult]);
    return view;
  };

  describe('queriesAsOf', () => {
    describe('when a key result was redefined mid-quarter', () => {
      it('shows the old target and title before the change and the new ones after', async () => {
        expect(await keyResultAsOf('07-20T08:59:59')).toMatchObject({
          title: 'Customer interviews',
          targetValue: 25,
          currentValue: 10,
          progress: 10 / 25,
          version: 3,
        });
        expect(await keyResultAsOf('07-20T09:00:00')).toMatchObject({
          title: 'Customer interviews (incl. churned)',
          targetValue: 40,
          currentValue: 10,
          progress: 10 / 40,
          version: 4,
        });
      });
    });

    describe('when asked at several instants of the check-in series', () => {
      it('answers each with the values and confidence recorded up to it', async () => {
        const series = await Promise.all(
          [
            '06-30T00:00:00',
            '07-07T09:00:00',
            '07-10T00:00:00',
            '07-27T00:00:00',
            '08-15T00:00:00',
          ].map((iso) => keyResultAsOf(iso)),
        );
        expect(series.map((k) => [k?.currentValue, k?.confidence, k?.checkInCount])).toEqual([
          [0, null, 0],
          [5, 0.8, 1],
          [5, 0.8, 1],
          [10, 0.8, 2],
          [20, 0.6, 3],
        ]);
      });

      it('scores the objective and the cycle with the domain functions', async () => {
        const queries = new TimeTravel(store).queriesAsOf('acme', t('07-15T00:00:00'));
        const [objective] = await queries.objectives.byIds('acme', [ids.parent]);
        const [cycle] = await queries.cycles.byIds('acme', [ids.cycle]);
        expect(objective).toMatchObject({ progress: 10 / 25, checkedIn: true, version: 1 });
        // Two objectives, the child has no key result yet: mean of 0.4 and 0.
        expect(cycle).toMatchObject({ status: 'ACTIVE', progress: 0.2, version: 2 });
      });
    });

    describe('when asked before the key result was added', () => {
      it('answers null for it but shows the objective that existed', async () => {
        expect(await keyResultAsOf('06-22T08:59:59')).toBeUndefined();
        const queries = new TimeTravel(store).queriesAsOf('acme', t('06-22T08:59:59'));
        expect(await queries.keyResults.byObjectiveIds('acme', [ids.parent])).toEqual([]);
        const [objective] = await queries.objectives.byIds('acme', [ids.parent]);
        expect(objective).toMatchObject({ title: 'Put customers first', checkedIn: false });
        const [cycle] = await queries.cycles.byIds('acme', [ids.cycle]);
        expect(cycle).toMatchObject({ status: 'PLANNING', version: 1 });
      });

      it('answers nothing for an objective not set yet, nor for a team not created yet', async () => {
        const queries = new TimeTravel(store).queriesAsOf('acme', t('06-01T00:00:00'));
        expect(await queries.objectives.byIds('acme', [ids.parent])).toEqual([]);
        expect(await queries.cycles.byIds('acme', [ids.cycle])).toEqual([]);
        expect(await queries.teams.byIds('acme', [ids.team])).toEqual([]);
      });
    });

    describe('when an objective is aligned later', () => {
      it('is not a child before and is a child of the key result objective after', async () => {
        const travel = new TimeTravel(store);
        const before = travel.queriesAsOf('acme', t('07-31T00:00:00'));
        expect(await before.objectives.childrenOf('acme', [ids.parent])).toEqual([]);
        const after = travel.queriesAsOf('acme', t('08-02T00:00:00'));
        const children = await after.objectives.childrenOf('acme', [ids.parent]);
        expect(children.map((c) => [c.id, c.parentKeyResultId])).toEqual([
          [ids.child, ids.keyResult],
        ]);
      });
    });

    describe('when one request resolves many nested fields', () => {
      it('folds the cycle once', async () => {
        const readAll = jest.spyOn(store, 'readAll');
        try {
          const queries = new TimeTravel(store).queriesAsOf('acme', t('08-02T00:00:00'));
          await Promise.all([
            queries.cycles.byIds('acme', [ids.cycle]),
            queries.objectives.byIds('acme', [ids.parent, ids.child]),
            queries.keyResults.byObjectiveIds('acme', [ids.parent]),
          ]);
          await queries.keyResults.byIds('acme', [ids.keyResult]);
          const cycleReads = readAll.mock.calls.filter(([o]) => o?.metadata?.cycleId === ids.cycle);
          expect(cycleReads).toHaveLength(1);
        } finally {
          readAll.mockRestore();
        }
      });
    });

    describe('when a team moved to another parent later', () => {
      it('is a child of its old parent before the move and of the new one after', async () => {
        at('08-03T09:00:00');
        const marketing = await commands.teams.create(ana, {
          name: 'Marketing',
          parentTeamId: null,
        });
        const emea = await commands.teams.create(ana, { name: 'EMEA', parentTeamId: ids.team });
        const apac = await commands.teams.create(ana, { name: 'APAC', parentTeamId: ids.team });
        at('08-04T09:00:00');
        await commands.teams.move(ana, { teamId: emea.id, parentTeamId: marketing.id });
        const travel = new TimeTravel(store);
        const before = travel.queriesAsOf('acme', t('08-03T12:00:00'));
        expect(
          (await before.teams.childrenOf('acme', [ids.team, marketing.id])).map((c) => c.name),
        ).toEqual(['APAC', 'EMEA']);
        const after = travel.queriesAsOf('acme', t('08-04T12:00:00'));
        expect(await after.teams.childrenOf('acme', [ids.team])).toEqual([
          { id: apac.id, name: 'APAC', parentId: ids.team, version: 1 },
        ]);
        expect(await after.teams.childrenOf('acme', [marketing.id])).toEqual([
          { id: emea.id, name: 'EMEA', parentId: marketing.id, version: 2 },
        ]);
        expect(await after.teams.childrenOf('globex', [marketing.id])).toEqual([]);
      });
    });

    describe('when team members were added and removed later', () => {
      it('answers the members and lead flags of each instant, asOf and validAt', async () => {
        at('08-05T09:00:00');
        const support = await commands.teams.create(ana, { name: 'Support', parentTeamId: null });
        await commands.teams.addMember(ana, { teamId: support.id, personId: 'zoe', lead: true });
        await commands.teams.addMember(ana, { teamId: support.id, personId: 'bob' });
        at('08-06T09:00:00');
        await commands.teams.addMember(ana, { teamId: support.id, personId: 'cid' });
        await commands.teams.addMember(ana, { teamId: support.id, personId: 'bob', lead: true });
        at('08-07T09:00:00');
        await commands.teams.removeMember(ana, { teamId: support.id, personId: 'zoe' });
        const travel = new TimeTravel(store);
        const membersAt = async (point: Date | TimePoint, teamIds = [support.id]) =>
          (await travel.queriesAsOf('acme', point).teams.membersOf('acme', teamIds)).map(
            (m) => `${m.teamId === support.id ? '' : 'other:'}${m.personId}${m.lead ? '*' : ''}`,
          );

        expect(await membersAt(t('08-05T12:00:00'))).toEqual(['bob', 'zoe*']);
        expect(await membersAt(t('08-06T12:00:00'))).toEqual(['bob*', 'cid', 'zoe*']);
        expect(await membersAt(t('08-07T12:00:00'))).toEqual(['bob*', 'cid']);
        expect(await membersAt(t('08-04T12:00:00'))).toEqual([]);
        // At a valid time: what was recorded by then, known now or as of an instant.
        expect(await membersAt({ asOf: null, validAt: t('08-06T12:00:00') })).toEqual([
          'bob*',
          'cid',
          'zoe*',
        ]);
        expect(
          await membersAt({ asOf: t('08-05T12:00:00'), validAt: t('08-06T12:00:00') }),
        ).toEqual(['bob', 'zoe*']);
        // A team with no members then, an unknown id and another tenant answer none.
        expect(await membersAt(t('08-07T12:00:00'), [ids.team, 'no-such-team'])).toEqual([]);
        expect(
          await travel
            .queriesAsOf('acme', t('08-07T12:00:00'))
            .teams.membersOf('globex', [support.id]),
        ).toEqual([]);
      });
    });

    describe('when the teams are asked for', () => {
      it('answers the team with its version', async () => {
        const queries = new TimeTravel(store).queriesAsOf('acme', t('07-01T00:00:00'));
        expect(await queries.teams.byIds('acme', [ids.team, 'no-such-team'])).toEqual([
          { id: ids.team, name: 'Sales', parentId: null, version: 1 },
        ]);
      });
    });
  });

  describe('alignmentTree', () => {
    describe('when an objective is aligned to a key result later', () => {
      it('is a root before and a child of that key result objective after', async () => {
        const travel = new TimeTravel(store);
        expect(await travel.alignmentTree('acme', ids.cycle, t('07-31T00:00:00'))).toEqual([
          { objectiveId: ids.parent, parentId: null, depth: 0, progress: 20 / 40 },
          { objectiveId: ids.child, parentId: null, depth: 0, progress: 0 },
        ]);
        expect(await travel.alignmentTree('acme', ids.cycle, t('08-02T00:00:00'))).toEqual([
          { objectiveId: ids.parent, parentId: null, depth: 0, progress: 20 / 40 },
          { objectiveId: ids.child, parentId: ids.parent, depth: 1, progress: 0 },
        ]);
      });
    });

    describe('when the cycle was not scheduled yet at that instant', () => {
      it('answers an empty tree: the cycle exists, it had no objectives then', async () => {
        const travel = new TimeTravel(store);
        expect(await travel.alignmentTree('acme', ids.cycle, t('06-01T00:00:00'))).toEqual([]);
      });
    });

    describe('when the tenant has no such cycle at all', () => {
      it('throws CycleNotFound', async () => {
        const travel = new TimeTravel(store);
        await expect(
          travel.alignmentTree('acme', '00000000-0000-4000-8000-000000000000', t('08-01T00:00:00')),
        ).rejects.toBeInstanceOf(CycleNotFound);
      });
    });
  });

  describe('cycleObjectives', () => {
    it("lists the objectives the cycle's tree held then, oldest first", async () => {
      const travel = new TimeTravel(store);
      const before = await travel.cycleObjectives('acme', ids.cycle, t('07-01T00:00:00'));
      expect(before.map((o) => o.id)).toEqual([ids.parent]);
      const after = await travel.cycleObjectives('acme', ids.cycle, t('08-02T00:00:00'));
      expect(after.map((o) => o.id)).toEqual([ids.parent, ids.child]);
      // As the tree: another tenant's cycle does not exist for it.
      await expect(
        travel.cycleObjectives('globex', ids.cycle, t('08-02T00:00:00')),
      ).rejects.toBeInstanceOf(CycleNotFound);
    });
  });

  describe('checkInsAsOf', () => {
    it('lists the check-ins recorded by then, newest first; another tenant sees none', async () => {
      const travel = new TimeTravel(store);
      const checkIns = await travel.checkInsAsOf('acme', ids.keyResult, t('07-20T00:00:00'));
      expect(checkIns.map((c) => [c.value, c.confidence])).toEqual([
        [10, null],
        [5, 0.8],
      ]);
      expect(await travel.checkInsAsOf('globex', ids.keyResult, t('08-02T00:00:00'))).toEqual([]);
    });
  });

  describe('cycleReplay', () => {
    describe('when replayed week by week up to an instant between frames', () => {
      it('emits a frame per week and a last one at to, with the values of each instant', async () => {
        const frames = await new TimeTravel(store).cycleReplay('acme', ids.cycle, {
          from: t('07-01T00:00:00'),
          to: t('07-30T00:00:00'),
          every: 'WEEK',
        });
        expect(frames.map((f) => f.at.toISOString().slice(5, 10))).toEqual([
          '07-01',
          '07-08',
          '07-15',
          '07-22',
          '07-29',
          '07-30',
        ]);
        const keyResultOf = (i: number) => frames[i]?.objectives[0]?.keyResults[0];
        expect(
          [0, 1, 2, 3, 4, 5].map((i) => [
            keyResultOf(i)?.currentValue,
            keyResultOf(i)?.targetValue,
          ]),
        ).toEqual([
          [0, 25],
          [5, 25],
          [10, 25],
          [10, 40],
          [20, 40],
          [20, 40],
        ]);
        expect(keyResultOf(3)).toMatchObject({
          title: 'Customer interviews (incl. churned)',
          progress: 10 / 40,
          confidence: 0.8,
        });
        expect(frames[1]?.objectives.map((o) => o.title)).toEqual([
          'Put customers first',
          'Run the interview programme',
        ]);
        expect(frames[1]?.progress).toBeCloseTo((5 / 25 + 0) / 2);
      });

      it('gives the same frames when the events are read in small pages', async () => {
        const options = {
          from: t('07-01T00:00:00'),
          to: t('08-05T00:00:00'),
          every: 'DAY',
        } as const;
        const paged = await new TimeTravel(store, { pageSize: 2 }).cycleReplay(
          'acme',
          ids.cycle,
          options,
        );
        const whole = await new TimeTravel(store).cycleReplay('acme', ids.cycle, options);
        expect(paged).toHaveLength(36);
        expect(paged).toEqual(whole);
      });
    });

    describe('when from equals to', () => {
      it('emits exactly one frame at that instant', async () => {
        const frames = await new TimeTravel(store).cycleReplay('acme', ids.cycle, {
          from: t('07-14T09:00:00'),
          to: t('07-14T09:00:00'),
          every: 'DAY',
        });
        expect(frames).toHaveLength(1);
        expect(frames[0]?.at).toEqual(t('07-14T09:00:00'));
        expect(frames[0]?.objectives[0]?.keyResults[0]?.currentValue).toBe(10);
      });
    });

    describe('when from and to are left out', () => {
      it('runs from the cycle start to the earlier of its end and now', async () => {
        const travel = new TimeTravel(store, { clock: () => t('07-16T12:00:00') });
        const frames = await travel.cycleReplay('acme', ids.cycle, { every: 'WEEK' });
        expect(frames.map((f) => f.at)).toEqual([
          t('07-01T00:00:00'),
          t('07-08T00:00:00'),
          t('07-15T00:00:00'),
          t('07-16T12:00:00'),
        ]);
        const later = new TimeTravel(store, { clock: () => new Date('2027-01-01T00:00:00Z') });
        const all = await later.cycleReplay('acme', ids.cycle, { every: 'WEEK' });
        expect(all.at(-1)?.at).toEqual(t('09-30T00:00:00'));
        // 1 July to 30 September is exactly 13 weeks: the last step lands on `to`.
        expect(all).toHaveLength(14);
      });
    });

    describe('when the range is invalid or too long', () => {
      it('throws InvalidReplayRange for to before from, TooManyReplayFrames past the cap', async () => {
        const travel = new TimeTravel(store, { maxFrames: 50 });
        await expect(
          travel.cycleReplay('acme', ids.cycle, {
            from: t('07-10T00:00:00'),
            to: t('07-09T00:00:00'),
            every: 'DAY',
          }),
        ).rejects.toBeInstanceOf(InvalidReplayRange);
        await expect(
          travel.cycleReplay('acme', ids.cycle, {
            from: t('07-01T00:00:00'),
            to: t('09-30T00:00:00'),
            every: 'DAY',
          }),
        ).rejects.toBeInstanceOf(TooManyReplayFrames);
      });
    });

    describe('when the cycle does not exist', () => {
      it('throws CycleNotFound', async () => {
        await expect(
          new TimeTravel(store).cycleReplay('acme', '00000000-0000-4000-8000-000000000000', {
            every: 'WEEK',
          }),
        ).rejects.toBeInstanceOf(CycleNotFound);
      });
    });
  });

  describe('tenant isolation', () => {
    describe('when another tenant asks for these ids', () => {
      it('behaves as if they did not exist', async () => {
        const travel = new TimeTravel(store);
        const asOf = t('08-15T00:00:00');
        const foreign = travel.queriesAsOf('globex', asOf);
        expect(await foreign.objectives.byIds('globex', [ids.parent])).toEqual([]);
        expect(await foreign.keyResults.byIds('globex', [ids.keyResult])).toEqual([]);
        expect(await foreign.keyResults.byObjectiveIds('globex', [ids.parent])).toEqual([]);
        expect(await foreign.objectives.childrenOf('globex', [ids.parent])).toEqual([]);
        expect(await foreign.cycles.byIds('globex', [ids.cycle])).toEqual([]);
        expect(await foreign.teams.byIds('globex', [ids.team])).toEqual([]);
        // Lookups bound to acme answer nothing when called for another tenant.
        const bound = travel.queriesAsOf('acme', asOf);
        expect(await bound.objectives.byIds('globex', [ids.parent])).toEqual([]);
        await expect(travel.alignmentTree('globex', ids.cycle, asOf)).rejects.toBeInstanceOf(
          CycleNotFound,
        );
        await expect(
          travel.cycleReplay('globex', ids.cycle, { every: 'WEEK' }),
        ).rejects.toBeInstanceOf(CycleNotFound);
      });

      it('keeps its own objectives out of the other tenant replay', async () => {
        at('07-03T09:00:00');
        const cycle = await commands.cycles.schedule(eve, {
          name: 'Q3',
          startsAt: '2026-07-01T00:00:00Z',
          endsAt: '2026-09-30T00:00:00Z',
        });
        await commands.objectives.set(eve, { cycleId: cycle.id, title: 'Globex secret' });
        const frames = await new TimeTravel(store).cycleReplay('acme', ids.cycle, {
          from: t('08-15T00:00:00'),
          to: t('08-15T00:00:00'),
          every: 'DAY',
        });
        expect(frames[0]?.objectives.map((o) => o.title)).not.toContain('Globex secret');
        const [own] = await new TimeTravel(store)
          .queriesAsOf('globex', t('08-15T00:00:00'))
          .cycles.byIds('globex', [cycle.id]);
        expect(own).toMatchObject({ name: 'Q3', progress: 0 });
      });
    });
  });

  describe('caching', () => {
    describe('when an event with an earlier recorded time arrives after a fold was cached', () => {
      it('answers the next request with it', async () => {
        const travel = new TimeTravel(store);
        at('07-05T09:00:00');
        const objective = await commands.objectives.set(ana, {
          cycleId: ids.cycle,
          title: 'Late one',
        });
        const asOf = t('07-06T00:00:00');
        const first = await travel
          .queriesAsOf('acme', asOf)
          .objectives.byIds('acme', [objective.id]);
        expect(first[0]?.title).toBe('Late one');
        // A simulated clock may record in the past: the cache must not hide it.
        at('07-05T10:00:00');
        await commands.objectives.revise(ana, {
          objectiveId: objective.id,
          title: 'Late one, renamed',
          reason: 'clearer',
        });
        const second = await travel
          .queriesAsOf('acme', asOf)
          .objectives.byIds('acme', [objective.id]);
        expect(second[0]).toMatchObject({ title: 'Late one, renamed', version: 2 });
        await commands.objectives.archive(ana, { objectiveId: objective.id, reason: 'test only' });
      });
    });
  });
});
