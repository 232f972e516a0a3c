import type { TeamMembership, Viewer } from './visibility.policy';

/**
 * Who may change what, as pure functions of the writer and the folded state: each returns
 * null (allowed) or the name of the rule that refuses. The commands enforce them (FORBIDDEN
 * with `extensions.rule`); whether the writer may see the objective at all is `canSee`'s
 * question, asked first (a hidden objective is NOT_FOUND, never FORBIDDEN).
 */
export const WRITE_RULES = [
  /** AUDITOR, or no writing role at all: reads only. */
  'READ_ONLY_ROLE',
  /** A MEMBER writes objectives they own or of a team they are a member of. */
  'OBJECTIVE_OWNER_OR_TEAM',
  /** A MEMBER writes key results they own, of objectives they own, or of their teams. */
  'KEY_RESULT_OWNER_OR_TEAM',
  /** Membership of a team changes by ADMIN or a lead of that team. */
  'TEAM_LEAD',
] as const;
export type WriteRule = (typeof WRITE_RULES)[number];

/** A refused write: the API answers FORBIDDEN with the rule's name. */
export class WriteForbidden extends Error {
  override readonly name = 'WriteForbidden';

  constructor(readonly rule: WriteRule) {
    super(`refused by ${rule}`);
  }
}

/** The objective fields the write rules look at; the folded `Objective` state fits. */
export interface ObjectiveOwnership {
  readonly ownerId: string | null;
  readonly teamId: string | null;
}

export function isTeamMember(
  personId: string,
  teamId: string | null,
  teams: readonly TeamMembership[],
): boolean {
  if (teamId === null) return false;
  const team = teams.find((t) => t.teamId === teamId);
  return team?.members.some((m) => m.personId === personId) ?? false;
}

/** ADMIN → allowed; no MEMBER role → READ_ONLY_ROLE; otherwise undefined: the rule decides. */
function byRole(writer: Viewer): WriteRule | null | undefined {
  if (writer.roles.includes('ADMIN')) return null;
  if (!writer.roles.includes('MEMBER')) return 'READ_ONLY_ROLE';
  return undefined;
}

function ownsOrBelongs(
  writer: Viewer,
  objective: ObjectiveOwnership,
  teams: readonly TeamMembership[],
): boolean {
  return (
    objective.ownerId === writer.personId || isTeamMember(writer.personId, objective.teamId, teams)
  );
}

/**
 * Revising, aligning, archiving, sharing, changing the visibility of an objective, adding a key
 * result to it. `teams` must hold the objective's team.
 */
export function objectiveWriteRefusal(
  writer: Viewer,
  objective: ObjectiveOwnership,
  teams: readonly TeamMembership[],
): WriteRule | null {
  const role = byRole(writer);
  if (role !== undefined) return role;
  return ownsOrBelongs(writer, objective, teams) ? null : 'OBJECTIVE_OWNER_OR_TEAM';
}

/**
 * Setting a new objective: a MEMBER places it only in a team they belong to (whoever owns it),
 * and one without a team only for themselves — as `objectiveRevisionRefusal` moves it.
 */
export function newObjectiveRefusal(
  writer: Viewer,
  objective: ObjectiveOwnership,
  teams: readonly TeamMembership[],
): WriteRule | null {
  const role = byRole(writer);
  if (role !== undefined) return role;
  const allowed =
    objective.teamId === null
      ? objective.ownerId === writer.personId
      : isTeamMember(writer.personId, objective.teamId, teams);
  return allowed ? null : 'OBJECTIVE_OWNER_OR_TEAM';
}

/**
 * Moving an objective to another team: a MEMBER may write it as it is and belong to the new
 * team, so nobody places objectives in a team they are not part of.
 */
export function objectiveRevisionRefusal(
  writer: Viewer,
  objective: ObjectiveOwnership,
  toTeamId: string | null | undefined,
  teams: readonly TeamMembership[],
): WriteRule | null {
  const current = objectiveWriteRefusal(writer, objective, teams);
  if (current !== null || toTeamId === undefined || toTeamId === null) return current;
  if (toTeamId === objective.teamId || byRole(writer) === null) return null;
  return isTeamMember(writer.personId, toTeamId, teams) ? null : 'OBJECTIVE_OWNER_OR_TEAM';
}

/**
 * Redefining, checking in on, graduating a key result, and its initiatives (adding a key result
 * writes its objective). `teams` must hold the objective's team.
 */
export function keyResultWriteRefusal(
  writer: Viewer,
  keyResult: { readonly ownerId: string | null },
  objective: ObjectiveOwnership,
  teams: readonly TeamMembership[],
): WriteRule | null {
  const role = byRole(writer);
  if (role !== undefined) return role;
  if (keyResult.ownerId === writer.personId) return null;
  return ownsOrBelongs(writer, objective, teams) ? null : 'KEY_RESULT_OWNER_OR_TEAM';
}

/** Adding or removing a member of `team`. */
export function teamMembershipRefusal(writer: Viewer, team: TeamMembership): WriteRule | null {
  const role = byRole(writer);
  if (role !== undefined) return role;
  const leads = team.members.some((m) => m.personId === writer.personId && m.lead);
  return leads ? null : 'TEAM_LEAD';
}
