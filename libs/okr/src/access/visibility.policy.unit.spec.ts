import fc from 'fast-check';
import {
  canSee,
  canSeeAsOf,
  defaultVisibility,
  scopeReadsTeams,
  VISIBILITIES,
  visibilityScope,
  type ObjectiveAccess,
  type TeamMembership,
  type Viewer,
  type VisibilityScope,
} from './visibility.policy';

// A small org: company ⊃ product ⊃ (web, mobile); sales beside product.
//   lena leads product, webby is a member of web, ceo leads company, sam is in sales.
const teams: TeamMembership[] = [
  { teamId: 'company', parentTeamId: null, members: [{ personId: 'ceo', lead: true }] },
  {
    teamId: 'product',
    parentTeamId: 'company',
    members: [
      { personId: 'lena', lead: true },
      { personId: 'pat', lead: false },
    ],
  },
  { teamId: 'web', parentTeamId: 'product', members: [{ personId: 'webby', lead: false }] },
  { teamId: 'mobile', parentTeamId: 'product', members: [] },
  { teamId: 'sales', parentTeamId: 'company', members: [{ personId: 'sam', lead: false }] },
];
const member = (personId: string): Viewer => ({ personId, roles: ['MEMBER'] });
const objective = (over: Partial<ObjectiveAccess> = {}): ObjectiveAccess => ({
  visibility: 'PUBLIC',
  ownerId: 'olga',
  teamId: null,
  sharedWith: [],
  ...over,
});

describe('visibilityScope', () => {
  describe('when the viewer is a plain member of a team', () => {
    it('covers that team only, not the teams below it', () => {
      const scope = visibilityScope(member('pat'), teams);
      expect([...scope.teamIds].sort()).toEqual(['product']);
      expect(scope).toMatchObject({ personId: 'pat', everything: false, allTeams: false });
    });
  });
  describe('when the viewer leads a team', () => {
    it('covers that team and every team below it, at any depth', () => {
      expect([...visibilityScope(member('lena'), teams).teamIds].sort()).toEqual([
        'mobile',
        'product',
        'web',
      ]);
      expect([...visibilityScope(member('ceo'), teams).teamIds].sort()).toEqual([
        'company',
        'mobile',
        'product',
        'sales',
        'web',
      ]);
    });
  });
  describe('when the viewer belongs to no team', () => {
    it('covers no team', () => {
      expect(visibilityScope(member('nobody'), teams).teamIds.size).toBe(0);
    });
  });
  describe('when the viewer has roles', () => {
    it('gives AUDITOR everything and ADMIN every team', () => {
      const auditor = visibilityScope({ personId: 'aud', roles: ['AUDITOR'] }, teams);
      const admin = visibilityScope({ personId: 'adm', roles: ['ADMIN'] }, teams);
      expect([auditor.everything, auditor.allTeams]).toEqual([true, false]);
      expect([admin.everything, admin.allTeams]).toEqual([false, true]);
    });
  });
  describe('when the tree loops (a corrupt history)', () => {
    it('still ends, covering the loop once', () => {
      const looping: TeamMembership[] = [
        { teamId: 'a', parentTeamId: 'b', members: [{ personId: 'x', lead: true }] },
        { teamId: 'b', parentTeamId: 'a', members: [] },
      ];
      expect([...visibilityScope(member('x'), looping).teamIds].sort()).toEqual(['a', 'b']);
    });
  });
});

describe('canSee', () => {
  const scopeOf = (personId: string, roles = ['MEMBER']) =>
    visibilityScope({ personId, roles }, teams);

  describe('when the objective is PUBLIC', () => {
    it('shows it to everyone in the organisation', () => {
      expect(canSee(scopeOf('nobody'), objective())).toBe(true);
    });
  });
  describe('when the objective is PRIVATE', () => {
    const secret = objective({ visibility: 'PRIVATE', teamId: 'web', sharedWith: ['sam'] });
    it('shows it to its owner, the people it is shared with and auditors only', () => {
      expect(canSee(scopeOf('olga'), secret)).toBe(true);
      expect(canSee(scopeOf('sam'), secret)).toBe(true);
      expect(canSee(scopeOf('aud', ['AUDITOR']), secret)).toBe(true);
    });
    it('hides it from its team, their leads and admins', () => {
      expect(canSee(scopeOf('webby'), secret)).toBe(false);
      expect(canSee(scopeOf('lena'), secret)).toBe(false);
      expect(canSee(scopeOf('adm', ['ADMIN']), secret)).toBe(false);
    });
  });
  describe('when the objective is TEAM', () => {
    const web = objective({ visibility: 'TEAM', teamId: 'web', ownerId: null });
    it("shows it to the team's members, the leads of teams above it and admins", () => {
      expect(canSee(scopeOf('webby'), web)).toBe(true);
      expect(canSee(scopeOf('lena'), web)).toBe(true);
      expect(canSee(scopeOf('ceo'), web)).toBe(true);
      expect(canSee(scopeOf('adm', ['ADMIN']), web)).toBe(true);
    });
    it('hides it from members of teams above it that do not lead, and other teams', () => {
      expect(canSee(scopeOf('pat'), web)).toBe(false);
      expect(canSee(scopeOf('sam'), web)).toBe(false);
      expect(canSee(scopeOf('nobody'), web)).toBe(false);
    });
    it('shows a TEAM objective without a team to its owner and admins only', () => {
      const teamless = objective({ visibility: 'TEAM', teamId: null });
      expect(canSee(scopeOf('olga'), teamless)).toBe(true);
      expect(canSee(scopeOf('adm', ['ADMIN']), teamless)).toBe(true);
      expect(canSee(scopeOf('ceo'), teamless)).toBe(false);
    });
  });

  // The rule's properties over generated viewers and objectives (B's SQL parity test generates
  // the same shapes).
  const people = ['olga', 'lena', 'pat', 'webby', 'ceo', 'sam', 'nobody'];
  const anyScope = fc
    .record({
      personId: fc.constantFrom(...people),
      roles: fc.subarray(['ADMIN', 'MEMBER', 'AUDITOR']),
    })
    .map((viewer) => visibilityScope(viewer, teams));
  const anyObjective = fc.record({
    visibility: fc.constantFrom(...VISIBILITIES),
    ownerId: fc.option(fc.constantFrom(...people), { nil: null }),
    teamId: fc.option(fc.constantFrom(...teams.map((t) => t.teamId)), { nil: null }),
    sharedWith: fc.subarray(people),
  });

  describe('over generated viewers and objectives', () => {
    it('always shows an objective to its owner, its shared people and auditors', () => {
      fc.assert(
        fc.property(anyScope, anyObjective, (scope, o) => {
          if (o.ownerId === scope.personId || o.sharedWith.includes(scope.personId)) {
            expect(canSee(scope, o)).toBe(true);
          }
          if (scope.everything) expect(canSee(scope, o)).toBe(true);
        }),
      );
    });
    it('never shows a PRIVATE objective to anyone else', () => {
      fc.assert(
        fc.property(anyScope, anyObjective, (scope, o) => {
          const named = o.ownerId === scope.personId || o.sharedWith.includes(scope.personId);
          if (o.visibility === 'PRIVATE' && !named && !scope.everything) {
            expect(canSee(scope, o)).toBe(false);
          }
        }),
      );
    });
    it('answers the same without the teams of a viewer whose scope reads none', () => {
      const anyViewer = fc.record({
        personId: fc.constantFrom(...people),
        roles: fc.subarray(['ADMIN', 'MEMBER', 'AUDITOR']),
      });
      fc.assert(
        fc.property(anyViewer, anyObjective, (viewer, o) => {
          if (scopeReadsTeams(viewer)) return;
          expect(canSee(visibilityScope(viewer, []), o)).toBe(
            canSee(visibilityScope(viewer, teams), o),
          );
        }),
      );
      expect(scopeReadsTeams(member('lena'))).toBe(true);
      expect(scopeReadsTeams({ personId: 'lena', roles: ['MEMBER', 'ADMIN'] })).toBe(false);
      expect(scopeReadsTeams({ personId: 'lena', roles: ['AUDITOR'] })).toBe(false);
      // A lead who is no ADMIN does see more with the teams: the shortcut is not for them.
      const teamOfLena = objective({ visibility: 'TEAM', teamId: 'web' });
      expect(canSee(visibilityScope(member('lena'), teams), teamOfLena)).toBe(true);
      expect(canSee(visibilityScope(member('lena'), []), teamOfLena)).toBe(false);
    });
    it('shows more the wider the visibility: PRIVATE ⊆ TEAM ⊆ PUBLIC', () => {
      fc.assert(
        fc.property(anyScope, anyObjective, (scope, o) => {
          const at = (visibility: ObjectiveAccess['visibility']) =>
            canSee(scope, { ...o, visibility });
          if (at('PRIVATE')) expect(at('TEAM')).toBe(true);
          if (at('TEAM')) expect(at('PUBLIC')).toBe(true);
        }),
      );
    });
  });
});

describe('canSeeAsOf', () => {
  const olga: VisibilityScope = visibilityScope(member('olga'), teams);
  const webby = visibilityScope(member('webby'), teams);
  const wasInWeb = webby;
  const leftWeb = visibilityScope(member('webby'), [
    ...teams.filter((t) => t.teamId !== 'web'),
    { teamId: 'web', parentTeamId: 'product', members: [] },
  ]);
  const teamObjective = objective({ visibility: 'TEAM', teamId: 'web' });

  describe('when it was visible then and is visible now', () => {
    it('shows it', () => {
      expect(
        canSeeAsOf(
          { scope: webby, objective: teamObjective },
          { scope: webby, objective: teamObjective },
        ),
      ).toBe(true);
    });
  });
  describe('when it was private then and is public now', () => {
    it('hides the past: what was private then stays private', () => {
      expect(
        canSeeAsOf(
          { scope: webby, objective: objective({ visibility: 'PRIVATE' }) },
          { scope: webby, objective: objective() },
        ),
      ).toBe(false);
      expect(
        canSeeAsOf(
          { scope: olga, objective: objective({ visibility: 'PRIVATE' }) },
          { scope: olga, objective: objective() },
        ),
      ).toBe(true);
    });
  });
  describe('when the viewer was in the team then but has left it', () => {
    it('hides it: the past is intersected with what the caller may see now', () => {
      expect(
        canSeeAsOf(
          { scope: wasInWeb, objective: teamObjective },
          { scope: leftWeb, objective: teamObjective },
        ),
      ).toBe(false);
    });
  });
  describe('when the objective is not known now', () => {
    it('hides it', () => {
      expect(
        canSeeAsOf({ scope: olga, objective: objective() }, { scope: olga, objective: null }),
      ).toBe(false);
    });
  });
  describe('over generated cases', () => {
    it('is exactly canSee then and canSee now', () => {
      const anyAccess = fc.record({
        visibility: fc.constantFrom(...VISIBILITIES),
        ownerId: fc.option(fc.constantFrom('olga', 'webby'), { nil: null }),
        teamId: fc.option(fc.constantFrom('web', 'sales'), { nil: null }),
        sharedWith: fc.subarray(['olga', 'webby']),
      });
      fc.assert(
        fc.property(fc.boolean(), anyAccess, anyAccess, (left, then, now) => {
          const nowScope = left ? leftWeb : webby;
          expect(
            canSeeAsOf({ scope: webby, objective: then }, { scope: nowScope, objective: now }),
          ).toBe(canSee(webby, then) && canSee(nowScope, now));
        }),
      );
    });
  });
});

describe('defaultVisibility', () => {
  describe('when the objective has a team', () => {
    it('is PUBLIC', () => expect(defaultVisibility('web')).toBe('PUBLIC'));
  });
  describe('when it has none', () => {
    it('is PRIVATE', () => expect(defaultVisibility(null)).toBe('PRIVATE'));
  });
});
