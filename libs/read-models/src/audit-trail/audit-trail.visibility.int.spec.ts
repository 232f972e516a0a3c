import { randomUUID } from 'node:crypto';
import {
  cycleStream,
  keyResultStream,
  objectiveStream,
  teamStream,
  visibilityScope,
  type Viewer,
} from '@okr-ledger/okr';
import { rebuildProjection } from '../projector/rebuild';
import { projectedHarness } from '../testing/read-models-harness';
import { auditTrailProjection } from './audit-trail.projection';

const TENANT = 'acme';

/**
 * Who sees which audit entry (ADR 0017): an entry about an objective (its own events and its
 * key results') only when the viewer may see the objective as that event left it and now;
 * entries about teams and cycles always. The events are appended as the handlers record them.
 */
describe('audit-trail visibility', () => {
  const context = projectedHarness('audit_visibility');
  const cycleId = randomUUID();
  const sales = randomUUID();
  const o = {
    public: randomUUID(),
    team: randomUUID(),
    private: randomUUID(),
    madePrivate: randomUUID(),
    madePublic: randomUUID(),
    sharedThenUnshared: randomUUID(),
  };
  const keyResultId = randomUUID();
  let last = '';

  async function record(stream: string, type: string, data: Record<string, unknown>) {
    const result = await context.h.store.append(stream, [
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
          ...(stream.startsWith('team-') ? {} : { cycleId }),
        },
      },
    ]);
    last = result.position;
  }
  const setObjective = (objectiveId: string, ownerId: string, visibility: string, team = false) =>
    record(objectiveStream(objectiveId), 'ObjectiveSet', {
      objectiveId,
      cycleId,
      title: 'An objective',
      description: null,
      ownerId,
      teamId: team ? sales : null,
      parent: null,
      visibility,
    });
  const changeVisibility = (objectiveId: string, from: string, to: string) =>
    record(objectiveStream(objectiveId), 'ObjectiveVisibilityChanged', {
      objectiveId,
      from,
      to,
      reason: null,
    });

  beforeAll(async () => {
    await record(teamStream(sales), 'TeamCreated', {
      teamId: sales,
      name: 'Sales',
      parentTeamId: null,
    });
    await record(teamStream(sales), 'TeamMemberAdded', {
      teamId: sales,
      personId: 'sam',
      lead: false,
    });
    await record(cycleStream(cycleId), 'CycleScheduled', {
      cycleId,
      name: 'Q3',
      startsAt: '2026-07-01T00:00:00Z',
      endsAt: '2026-09-30T00:00:00Z',
    });
    await setObjective(o.public, 'sam', 'PUBLIC', true);
    await setObjective(o.team, 'sam', 'TEAM', true);
    await setObjective(o.private, 'finn', 'PRIVATE');
    await setObjective(o.madePrivate, 'finn', 'PUBLIC');
    await setObjective(o.madePublic, 'finn', 'PRIVATE');
    await setObjective(o.sharedThenUnshared, 'finn', 'PRIVATE');
    await record(keyResultStream(keyResultId), 'KeyResultAdded', {
      keyResultId,
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
    });
    await record(keyResultStream(keyResultId), 'KeyResultCheckedIn', {
      keyResultId,
      checkInId: randomUUID(),
      value: 5,
      previousValue: 0,
      confidence: 0.5,
      plan: null,
      progress: null,
      problems: null,
      source: 'MANUAL',
    });
    await record(objectiveStream(o.sharedThenUnshared), 'ObjectiveShared', {
      objectiveId: o.sharedThenUnshared,
      personId: 'sara',
    });
    await changeVisibility(o.madePrivate, 'PUBLIC', 'PRIVATE');
    await changeVisibility(o.madePublic, 'PRIVATE', 'PUBLIC');
    await record(objectiveStream(o.sharedThenUnshared), 'ObjectiveUnshared', {
      objectiveId: o.sharedThenUnshared,
      personId: 'sara',
    });
    await record(teamStream(sales), 'TeamMemberAdded', {
      teamId: sales,
      personId: 'oli',
      lead: false,
    });
    expect(await context.projector.waitForPosition(last, 10_000)).toBe(true);
  });

  /** Each shown entry as `<objective key or aggregate type>:<event type>`, oldest first. */
  async function entriesFor(viewer: Viewer | null): Promise<string[]> {
    const scope = viewer
      ? visibilityScope(
          viewer,
          await context.h.readModels.teams.memberships(TENANT, viewer.personId),
        )
      : null;
    const page = await context.h.readModels.auditTrail.page(
      TENANT,
      { visibleTo: scope },
      { first: 100 },
    );
    expect(page.totalCount).toBe(page.items.length);
    const keyOf = new Map<string, string>([
      ...Object.entries(o).map(([k, id]) => [id, k] as [string, string]),
      [keyResultId, 'private/keyResult'],
    ]);
    return page.items.map(
      ({ node }) => `${keyOf.get(node.aggregateId) ?? node.aggregateType}:${node.eventType}`,
    );
  }

  const teamAndCycle = [
    'Team:TeamCreated',
    'Team:TeamMemberAdded',
    'Cycle:CycleScheduled',
    'Team:TeamMemberAdded',
  ];
  const everything = [
    'Team:TeamCreated',
    'Team:TeamMemberAdded',
    'Cycle:CycleScheduled',
    'public:ObjectiveSet',
    'team:ObjectiveSet',
    'private:ObjectiveSet',
    'madePrivate:ObjectiveSet',
    'madePublic:ObjectiveSet',
    'sharedThenUnshared:ObjectiveSet',
    'private/keyResult:KeyResultAdded',
    'private/keyResult:KeyResultCheckedIn',
    'sharedThenUnshared:ObjectiveShared',
    'madePrivate:ObjectiveVisibilityChanged',
    'madePublic:ObjectiveVisibilityChanged',
    'sharedThenUnshared:ObjectiveUnshared',
    'Team:TeamMemberAdded',
  ];
  const sorted = (entries: readonly string[]) => [...entries].sort();

  it.each<[string, Viewer | null, string[]]>([
    ['no scope (every entry)', null, everything],
    ['an AUDITOR', { personId: 'audrey', roles: ['AUDITOR'] }, everything],
    // Hidden now: madePrivate's entries, even those from when it was PUBLIC. Hidden then:
    // madePublic's setting (PRIVATE), not its change to PUBLIC.
    [
      'an ADMIN',
      { personId: 'admin', roles: ['ADMIN'] },
      [
        ...teamAndCycle,
        'public:ObjectiveSet',
        'team:ObjectiveSet',
        'madePublic:ObjectiveVisibilityChanged',
      ],
    ],
    [
      'the owner of the private ones',
      { personId: 'finn', roles: ['MEMBER'] },
      everything.filter((e) => !e.startsWith('team:')),
    ],
    [
      'a member of the team',
      { personId: 'sam', roles: ['MEMBER'] },
      [
        ...teamAndCycle,
        'public:ObjectiveSet',
        'team:ObjectiveSet',
        'madePublic:ObjectiveVisibilityChanged',
      ],
    ],
    // Membership at an entry's time is the current one (ADR 0017): oli sees the TEAM
    // objective's setting though he joined after it.
    [
      'a member who joined later',
      { personId: 'oli', roles: ['MEMBER'] },
      [
        ...teamAndCycle,
        'public:ObjectiveSet',
        'team:ObjectiveSet',
        'madePublic:ObjectiveVisibilityChanged',
      ],
    ],
    // Shared then, unshared since: nothing of it now.
    [
      'the person it was shared with',
      { personId: 'sara', roles: ['MEMBER'] },
      [...teamAndCycle, 'public:ObjectiveSet', 'madePublic:ObjectiveVisibilityChanged'],
    ],
    [
      'an outsider',
      { personId: 'otto', roles: ['MEMBER'] },
      [...teamAndCycle, 'public:ObjectiveSet', 'madePublic:ObjectiveVisibilityChanged'],
    ],
  ])('shows %s exactly the entries it may see', async (_name, viewer, expected) => {
    expect(sorted(await entriesFor(viewer))).toEqual(sorted(expected));
  });

  describe('when an objective’s entry has no objective yet (written before version 2)', () => {
    it('is hidden from all but an AUDITOR until the rebuild fills it', async () => {
      const where = `tenant_id = $1 AND aggregate_id = $2 AND event_type = 'ObjectiveSet'`;
      await context.h.dataSource.query(
        `UPDATE read_models.audit_entries SET objective_id = NULL WHERE ${where}`,
        [TENANT, o.public],
      );
      try {
        expect(await entriesFor({ personId: 'otto', roles: ['MEMBER'] })).not.toContain(
          'public:ObjectiveSet',
        );
        expect(await entriesFor({ personId: 'audrey', roles: ['AUDITOR'] })).toContain(
          'public:ObjectiveSet',
        );
      } finally {
        await context.h.dataSource.query(
          `UPDATE read_models.audit_entries SET objective_id = aggregate_id WHERE ${where}`,
          [TENANT, o.public],
        );
      }
      expect(await entriesFor({ personId: 'otto', roles: ['MEMBER'] })).toContain(
        'public:ObjectiveSet',
      );
    });
  });

  describe('when an entry is about sharing or visibility', () => {
    it('records the change of visibility and of the people shared with', async () => {
      const page = await context.h.readModels.auditTrail.page(
        TENANT,
        { aggregateId: o.sharedThenUnshared },
        { first: 10 },
      );
      expect(page.items.map((i) => i.node.changes.filter((c) => c.field !== 'title'))).toEqual([
        expect.arrayContaining([{ field: 'visibility', from: null, to: '"PRIVATE"' }]),
        [{ field: 'sharedWith', from: '[]', to: '["sara"]' }],
        [{ field: 'sharedWith', from: '["sara"]', to: '[]' }],
      ]);
    });
  });

  describe('when the audit trail is rebuilt (COPY, ADR 0004)', () => {
    it('writes the same access columns as the live projection', async () => {
      const rows = () =>
        context.h.dataSource.query<{ shared_with: string[] | null }[]>(
          `SELECT position, objective_id, visibility, owner_id, team_id, shared_with
             FROM read_models.audit_entries ORDER BY position`,
        );
      const live = await rows();
      expect(live.some((r) => r.shared_with?.includes('sara'))).toBe(true);
      const result = await rebuildProjection(
        context.projector.pool,
        context.h.store,
        auditTrailProjection,
        { batchSize: 4 },
      );
      expect(result.swapped).toBe(true);
      expect(await rows()).toEqual(live);
      expect(sorted(await entriesFor({ personId: 'finn', roles: ['MEMBER'] }))).toEqual(
        sorted(everything.filter((e) => !e.startsWith('team:'))),
      );
    });
  });
});
