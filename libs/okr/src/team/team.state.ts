import type { TeamEvent } from './team.events';

export interface Team {
  readonly teamId: string;
  readonly name: string;
  readonly parentTeamId: string | null;
}

/** null until TeamCreated: the stream does not exist. */
export type TeamState = Team | null;

export const initialTeamState = (): TeamState => null;

export function evolveTeam(state: TeamState, event: TeamEvent): TeamState {
  switch (event.type) {
    case 'TeamCreated':
      return { ...event.data };
    case 'TeamRenamed':
      return state && { ...state, name: event.data.name };
    case 'TeamMoved':
      return state && { ...state, parentTeamId: event.data.toParentTeamId };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}
