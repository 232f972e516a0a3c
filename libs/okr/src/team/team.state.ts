import type { TeamMembership } from '../access/visibility.policy';
import type { TeamEvent } from './team.events';

export interface TeamMember {
  readonly personId: string;
  readonly lead: boolean;
}

export interface Team {
  readonly teamId: string;
  readonly name: string;
  readonly parentTeamId: string | null;
  /** By person id, in the order they joined. */
  readonly members: ReadonlyMap<string, TeamMember>;
}

/** null until TeamCreated: the stream does not exist. */
export type TeamState = Team | null;

export const initialTeamState = (): TeamState => null;

export function evolveTeam(state: TeamState, event: TeamEvent): TeamState {
  switch (event.type) {
    case 'TeamCreated':
      return { ...event.data, members: new Map() };
    case 'TeamRenamed':
      return state && { ...state, name: event.data.name };
    case 'TeamMoved':
      return state && { ...state, parentTeamId: event.data.toParentTeamId };
    case 'TeamMemberAdded': {
      if (state === null) return state;
      const { personId, lead } = event.data;
      return { ...state, members: new Map(state.members).set(personId, { personId, lead }) };
    }
    case 'TeamMemberRemoved': {
      if (state === null) return state;
      const members = new Map(state.members);
      members.delete(event.data.personId);
      return { ...state, members };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** The team as the visibility and write rules see it. */
export function teamMembership(team: Team): TeamMembership {
  return {
    teamId: team.teamId,
    parentTeamId: team.parentTeamId,
    members: [...team.members.values()],
  };
}
