/**
 * Who sees which objective: one pure rule, applied by every read (read models translate it to
 * SQL and are checked against it) and by the write side (a hidden objective is NOT_FOUND).
 * A key result, check-in or initiative is visible exactly when its objective is.
 */
export const VISIBILITIES = ['PUBLIC', 'TEAM', 'PRIVATE'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** Who asks: the token's `sub` and roles ('ADMIN' | 'MEMBER' | 'AUDITOR'; others are ignored). */
export interface Viewer {
  readonly personId: string;
  readonly roles: readonly string[];
}

/** One team of the tree with its members, as folded from its stream (or a read model). */
export interface TeamMembership {
  readonly teamId: string;
  readonly parentTeamId: string | null;
  readonly members: readonly { readonly personId: string; readonly lead: boolean }[];
}

/** What one viewer may see, computed once per request (or per instant) from the team tree. */
export interface VisibilityScope {
  readonly personId: string;
  /** AUDITOR: every objective, PRIVATE included. */
  readonly everything: boolean;
  /** ADMIN: every PUBLIC and TEAM objective (not others' PRIVATE ones). */
  readonly allTeams: boolean;
  /**
   * TEAM objectives of these teams: the viewer's teams + teams below a team the viewer leads.
   * Not read when `everything` or `allTeams` (see `scopeReadsTeams`).
   */
  readonly teamIds: ReadonlySet<string>;
}

/** The fields of an objective the rule looks at; the folded `Objective` state fits. */
export interface ObjectiveAccess {
  readonly visibility: Visibility;
  readonly ownerId: string | null;
  readonly teamId: string | null;
  readonly sharedWith: readonly string[];
}

export function visibilityScope(viewer: Viewer, teams: readonly TeamMembership[]): VisibilityScope {
  const children = new Map<string, string[]>();
  for (const team of teams) {
    if (team.parentTeamId === null) continue;
    const siblings = children.get(team.parentTeamId) ?? [];
    siblings.push(team.teamId);
    children.set(team.parentTeamId, siblings);
  }
  const teamIds = new Set<string>();
  const below = (teamId: string): void => {
    for (const child of children.get(teamId) ?? []) {
      // The set doubles as the visited mark, so a corrupt (looping) tree still ends.
      if (teamIds.has(child)) continue;
      teamIds.add(child);
      below(child);
    }
  };
  for (const team of teams) {
    const membership = team.members.find((m) => m.personId === viewer.personId);
    if (membership === undefined) continue;
    teamIds.add(team.teamId);
    if (membership.lead) below(team.teamId);
  }
  return {
    personId: viewer.personId,
    everything: viewer.roles.includes('AUDITOR'),
    allTeams: viewer.roles.includes('ADMIN'),
    teamIds,
  };
}

/**
 * Whether the viewer's teams can change what `canSee` answers: not for an AUDITOR or an ADMIN,
 * whose scope covers every team, so a read may build their scope without looking teams up.
 */
export function scopeReadsTeams(viewer: Viewer): boolean {
  return !viewer.roles.includes('AUDITOR') && !viewer.roles.includes('ADMIN');
}

export function canSee(scope: VisibilityScope, objective: ObjectiveAccess): boolean {
  if (scope.everything || objective.visibility === 'PUBLIC') return true;
  if (objective.ownerId === scope.personId || objective.sharedWith.includes(scope.personId)) {
    return true;
  }
  if (objective.visibility === 'TEAM') {
    return scope.allTeams || (objective.teamId !== null && scope.teamIds.has(objective.teamId));
  }
  return false;
}

/**
 * The past: visible as it was then (scope and objective as of the instant) and visible now.
 * `now.objective` null (not known now) hides it: what the caller may not see today stays hidden
 * in every answer about the past, and what was hidden then is not revealed by a later change.
 */
export function canSeeAsOf(
  then: { readonly scope: VisibilityScope; readonly objective: ObjectiveAccess },
  now: { readonly scope: VisibilityScope; readonly objective: ObjectiveAccess | null },
): boolean {
  return (
    now.objective !== null && canSee(then.scope, then.objective) && canSee(now.scope, now.objective)
  );
}

/** An objective of a team is the organisation's by default; one without a team its owner's. */
export function defaultVisibility(teamId: string | null): Visibility {
  return teamId === null ? 'PRIVATE' : 'PUBLIC';
}
