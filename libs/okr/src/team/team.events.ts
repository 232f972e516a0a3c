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

export type TeamEvent = TeamCreated | TeamRenamed | TeamMoved;

export const TEAM_EVENT_TYPES = [
  'TeamCreated',
  'TeamRenamed',
  'TeamMoved',
] as const satisfies readonly TeamEvent['type'][];
