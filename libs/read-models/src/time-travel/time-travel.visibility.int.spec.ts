import { randomUUID } from 'node:crypto';
import { createPostgresEventStore, type PostgresEventStore } from '@okr-ledger/event-store';
import {
  cycleStream,
  keyResultStream,
  objectiveStream,
  teamStream,
  type Viewer,
} from '@okr-ledger/okr';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { TimeTravel } from './index';

const t = (iso: string): Date => new Date(`2026-${iso}Z`);
const TENANT = 'acme';

/**
 * Visibility in time travel (ADR 0017): an objective shows in an as-of answer or a replay frame
 * only when the viewer could see it at that instant (its access and the viewer's team
 * membership as folded then) and can see it now. The events are appended as the command
 * handlers record them, so this tests the reads alone.
 */
describe('TimeTravel visibility', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let now = t('06-01T00:00:00');
  const cycleId = randomUUID();
  const company = randomUUID();
  const sales = randomUUID();
  const o = {
    public: randomUUID(),
    team: randomUUID(),
    private: randomUUID(),
    child: randomUUID(),
    madePrivate: randomUUID(),
    sharedThenUnshared: randomUUID(),
    madePublic: randomUUID(),
  };
  const privateKeyResult = randomUUID();
  const before = t('07-10T00:00:00');
  const after = t('08-10T00:00:00');

  async function record(
    stream: string,
    type: string,
    data: Record<string, unknown>,
    iso: string,
    withCycle = true,
  ): Promise<void> {
    now = t(iso);
    await store.append(stream, [
      {
        type,
        data,
        metadata: {
          tenantId: TENANT,
          actorId: 'admin',
          correlationId: randomUUID(),
          causationId: null,
          schemaVersion: 2,
          source: 'api',
          ...(withCycle ? { cycleId } : {}),
        },
      },
    ]);
  }

  const setObjective = (
    objectiveId: string,
    fields: { ownerId: string; teamId?: string; visibility: string; parentObjectiveId?: string },
    iso: string,
  ) =>
    record(
      objectiveStream(objectiveId),
      'ObjectiveSet',
      {
        objectiveId,
        cycleId,
        title: `Objective ${objectiveId.slice(0, 4)}`,
        description: null,
        ownerId: fields.ownerId,
        teamId: fields.teamId ?? null,
        parent: fields.parentObjectiveId
          ? { kind: 'OBJECTIVE', objectiveId: fields.parentObjectiveId }
          : null,
        visibility: fields.visibility,
      },
      iso,
    );

  const team = (teamId: string, name: string, parentTeamId: string | null, iso: string) =>
    record(teamStream(teamId), 'TeamCreated', { teamId, name, parentTeamId }, iso, false);
  const member = (teamId: string, personId: string, lead: boolean, iso: string) =>
    record(teamStream(teamId), 'TeamMemberAdded', { teamId, personId, lead }, iso, false);

  beforeAll(async () => {
    database = await createTestDatabase('time_travel_visibility');
    store = await createPostgresEventStore(database.url, { simulatedClock: () => now });
    await team(company, 'Company', null, '06-10T09:00:00');
    await team(sales, 'Sales', company, '06-10T09:01:00');
    await member(company, 'lena', true, '06-10T09:02:00');
    await member(sales, 'sam', false, '06-10T09:03:00');
    await record(
      cycleStream(cycleId),
      'CycleScheduled',
      { cycleId, name: 'Q3', startsAt: '2026-07-01T00:00:00Z', endsAt: '2026-09-30T00:00:00Z' },
      '06-20T09:00:00',
    );
    await setObjective(
      o.public,
      { ownerId: 'sam', teamId: sales, visibility: 'PUBLIC' },
      '06-21T09:00:00',
    );
    await setObjective(
      o.team,
      { ownerId: 'sam', teamId: sales, visibility: 'TEAM' },
      '06-21T09:01:00',
    );
    await setObjective(o.private, { ownerId: 'finn', visibility: 'PRIVATE' }, '06-21T09:02:00');
    await setObjective(
      o.child,
      { ownerId: 'sam', teamId: sales, visibility: 'PUBLIC', parentObjectiveId: o.private },
      '06-21T09:03:00',
    );
    await setObjective(o.madePrivate, { ownerId: 'finn', visibility: 'PUBLIC' }, '06-21T09:04:00');
    await setObjective(
      o.sharedThenUnshared,
      { ownerId: 'finn', visibility: 'PRIVATE' },
      '06-21T09:05:00',
    );
    await setObjective(o.madePublic, { ownerId: 'finn', visibility: 'PRIVATE' }, '06-21T09:06:00');
    await record(
      keyResultStream(privateKeyResult),
      'KeyResultAdded',
      {
        keyResultId: privateKeyResult,
        objectiveId: o.private,
        cycleId,
        title: 'Run 5 times a week',
        ownerId: 'finn',
        type: 'INCREASE',
        kind: 'INPUT',
        startValue: 0,
        targetValue: 10,
        unit: null,
        weight: 1,
        dataSourceUrl: null,
        scoring: 'OWN_VALUE',
      },
      '06-22T09:00:00',
    );
    await record(
      objectiveStream(o.sharedThenUnshared),
      'ObjectiveShared',
      { objectiveId: o.sharedThenUnshared, personId: 'sara' },
      '07-01T09:00:00',
    );
    await record(
      keyResultStream(privateKeyResult),
      'KeyResultCheckedIn',
      {
        keyResultId: privateKeyResult,
        checkInId: randomUUID(),
        value: 5,
        previousValue: 0,
        confidence: null,
        plan: null,
        progress: null,
        problems: null,
        source: 'MANUAL',
      },
      '07-02T09:00:00',
    );
    // Between `before` and `after`: a change of visibility each way, an unshare, and oli
    // joining Sales (a member now, not yet then).
    await record(
      objectiveStream(o.madePrivate),
      'ObjectiveVisibilityChanged',
      { objectiveId: o.madePrivate, from: 'PUBLIC', to: 'PRIVATE', reason: 'M&A' },
      '07-20T09:00:00',
    );
    await record(
      objectiveStream(o.madePublic),
      'ObjectiveVisibilityChanged',
      { objectiveId: o.madePublic, from: 'PRIVATE', to: 'PUBLIC', reason: 'Announced' },
      '07-20T09:01:00',
    );
    await record(
      objectiveStream(o.sharedThenUnshared),
      'ObjectiveUnshared',
      { objectiveId: o.sharedThenUnshared, personId: 'sara' },
      '07-20T09:02:00',
    );
    await member(sales, 'oli', false, '07-20T09:03:00');
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const viewers = {
    admin: { personId: 'admin', roles: ['ADMIN'] },
    auditor: { personId: 'audrey', roles: ['AUDITOR'] },
    owner: { personId: 'finn', roles: ['MEMBER'] },
    teamMember: { personId: 'sam', roles: ['MEMBER'] },
    parentLead: { personId: 'lena', roles: ['MEMBER'] },
    joinedLater: { personId: 'oli', roles: ['MEMBER'] },
    shared: { personId: 'sara', roles: ['MEMBER'] },
    outsider: { personId: 'otto', roles: ['MEMBER'] },
  } satisfies Record<string, Viewer>;
  const all = Object.values(o);
  type Key = keyof typeof o;
  const idsOf = (keys: readonly Key[]): string[] => keys.map((k) => o[k]).sort();
  const keysOf = (ids: readonly string[]): Key[] =>
    (Object.keys(o) as Key[]).filter((k) => ids.includes(o[k]));

  // Exactly which objectives each viewer gets, as of `before` and as of `after` (≈ now).
  const expected: Record<string, { before: Key[]; after: Key[] }> = {
    // Every PUBLIC and TEAM one, never another's PRIVATE one; madePrivate was PUBLIC then but
    // is hidden now, madePublic is public now but was hidden then.
    admin: {
      before: ['public', 'team', 'child'],
      after: ['public', 'team', 'child', 'madePublic'],
    },
    auditor: { before: [...(Object.keys(o) as Key[])], after: [...(Object.keys(o) as Key[])] },
    // Hers: every PRIVATE one (she owns them); not Sales' TEAM objective.
    owner: {
      before: ['public', 'private', 'child', 'madePrivate', 'sharedThenUnshared', 'madePublic'],
      after: ['public', 'private', 'child', 'madePrivate', 'sharedThenUnshared', 'madePublic'],
    },
    teamMember: {
      before: ['public', 'team', 'child'],
      after: ['public', 'team', 'child', 'madePublic'],
    },
    parentLead: {
      before: ['public', 'team', 'child'],
      after: ['public', 'team', 'child', 'madePublic'],
    },
    // Not a member of Sales yet as of `before`: its TEAM objective hidden then.
    joinedLater: { before: ['public', 'child'], after: ['public', 'team', 'child', 'madePublic'] },
    // Shared then, unshared since: hidden in the past too.
    shared: { before: ['public', 'child'], after: ['public', 'child', 'madePublic'] },
    outsider: { before: ['public', 'child'], after: ['public', 'child', 'madePublic'] },
  };

  describe.each(Object.keys(viewers))('as %s', (name) => {
    const viewer = viewers[name as keyof typeof viewers];
    const cell = expected[name]!;

    it('objective(id, asOf) answers exactly the objectives visible then and now', async () => {
      const travel = new TimeTravel(store);
      for (const [at, keys] of [
        [before, cell.before],
        [after, cell.after],
      ] as const) {
        const found = await travel.queriesAsOf(TENANT, at, viewer).objectives.byIds(TENANT, all);
        expect(keysOf(found.map((f) => f.id)).sort()).toEqual([...keys].sort());
      }
    });

    it('the alignment tree and the cycle’s objectives hold the same ones', async () => {
      const travel = new TimeTravel(store);
      for (const [at, keys] of [
        [before, cell.before],
        [after, cell.after],
      ] as const) {
        const tree = await travel.alignmentTree(TENANT, cycleId, at, viewer);
        expect(tree.map((n) => n.objectiveId).sort()).toEqual(idsOf(keys));
        const objectives = await travel.cycleObjectives(TENANT, cycleId, at, viewer);
        expect(objectives.map((v) => v.id).sort()).toEqual(idsOf(keys));
      }
    });

    it('each replay frame holds the ones visible at its instant and now', async () => {
      const frames = await new TimeTravel(store).cycleReplay(TENANT, cycleId, {
        from: before,
        to: after,
        every: 'WEEK',
        viewer,
      });
      expect(frames.length).toBeGreaterThan(2);
      expect(keysOf(frames[0]!.objectives.map((f) => f.objectiveId)).sort()).toEqual(
        [...cell.before].sort(),
      );
      expect(keysOf(frames.at(-1)!.objectives.map((f) => f.objectiveId)).sort()).toEqual(
        [...cell.after].sort(),
      );
    });
  });

  describe('when a visible objective is aligned under a hidden one', () => {
    it('is a root with parentId null, and every progress still counts the hidden one', async () => {
      const travel = new TimeTravel(store);
      const outsider = await travel.alignmentTree(TENANT, cycleId, after, viewers.outsider);
      expect(outsider.find((n) => n.objectiveId === o.child)).toMatchObject({
        parentId: null,
        depth: 0,
      });
      const owner = await travel.alignmentTree(TENANT, cycleId, after, viewers.owner);
      expect(owner.find((n) => n.objectiveId === o.child)).toMatchObject({
        parentId: o.private,
        depth: 1,
      });
      // The private objective's progress (0.5) is in the cycle's for everyone.
      const [cycle] = await travel
        .queriesAsOf(TENANT, after, viewers.outsider)
        .cycles.byIds(TENANT, [cycleId]);
      expect(cycle?.progress).toBeCloseTo(0.5 / all.length);
      const [frame] = await travel.cycleReplay(TENANT, cycleId, {
        from: after,
        to: after,
        every: 'DAY',
        viewer: viewers.outsider,
      });
      expect(frame?.progress).toBeCloseTo(0.5 / all.length);
    });
  });

  describe('when asked for the key results of a hidden objective', () => {
    it('answers them to who sees the objective and to no one else', async () => {
      const travel = new TimeTravel(store);
      const keyResults = (viewer: Viewer) => travel.queriesAsOf(TENANT, after, viewer).keyResults;
      expect((await keyResults(viewers.owner).byIds(TENANT, [privateKeyResult])).length).toBe(1);
      expect(
        (await keyResults(viewers.owner).byObjectiveIds(TENANT, [o.private])).map((k) => k.id),
      ).toEqual([privateKeyResult]);
      expect(await keyResults(viewers.outsider).byIds(TENANT, [privateKeyResult])).toEqual([]);
      expect(await keyResults(viewers.admin).byObjectiveIds(TENANT, [o.private])).toEqual([]);
      const children = await travel
        .queriesAsOf(TENANT, after, viewers.outsider)
        .objectives.childrenOf(TENANT, [o.private]);
      expect(children.map((c) => c.id)).toEqual([o.child]);
    });
  });

  describe('without a viewer (the operator’s view)', () => {
    it('answers every objective, as before visibility existed', async () => {
      const found = await new TimeTravel(store)
        .queriesAsOf(TENANT, before)
        .objectives.byIds(TENANT, all);
      expect(found.map((f) => f.id).sort()).toEqual([...all].sort());
    });
  });
});
