import type { DomainEvent } from '../decider';

export const teamStream = (teamId: string): string => `team-${teamId}`;

export type TeamCreated = DomainEvent<
  'TeamCreated',
  { readonly teamId: string; readonly name: string; readonly parentTeamId: string | null }
>;
export type TeamRenamed = DomainEvent<
  'TeamRenamed',
  { readonly teamId: string; readonly previousName: string; readonly name: string }
>;
export type TeamMoved = DomainEvent<
  'TeamMoved',
  {
    readonly teamId: string;
    readonly fromParentTeamId: string | null;
    readonly toParentTeamId: string | null;
  }
>;

/** A person joins the team, or (already a member) takes or leaves its lead with a new flag. */
export type TeamMemberAdded = DomainEvent<
  'TeamMemberAdded',
  { readonly teamId: string; readonly personId: string; readonly lead: boolean }
>;
export type TeamMemberRemoved = DomainEvent<
  'TeamMemberRemoved',
  { readonly teamId: string; readonly personId: string }
>;

export type TeamEvent = TeamCreated | TeamRenamed | TeamMoved | TeamMemberAdded | TeamMemberRemoved;

export const TEAM_EVENT_TYPES = [
  'TeamCreated',
  'TeamRenamed',
  'TeamMoved',
  'TeamMemberAdded',
  'TeamMemberRemoved',
] as const satisfies readonly TeamEvent['type'][];
