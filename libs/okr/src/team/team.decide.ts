import type { Decider } from '../decider';
import { AggregateNotFound, DomainRuleViolation, requireId, requireText } from '../okr.errors';
import type { TeamEvent } from './team.events';
import { evolveTeam, initialTeamState, type TeamState } from './team.state';

export type CreateTeam = {
  readonly type: 'CreateTeam';
  readonly data: {
    readonly teamId: string;
    readonly name: string;
    readonly parentTeamId: string | null;
  };
};
export type RenameTeam = {
  readonly type: 'RenameTeam';
  readonly data: { readonly teamId: string; readonly name: string };
};
export type MoveTeam = {
  readonly type: 'MoveTeam';
  readonly data: { readonly teamId: string; readonly toParentTeamId: string | null };
};

/** Adding a member again with another `lead` flag records the new flag. */
export type AddTeamMember = {
  readonly type: 'AddTeamMember';
  readonly data: { readonly teamId: string; readonly personId: string; readonly lead: boolean };
};
export type RemoveTeamMember = {
  readonly type: 'RemoveTeamMember';
  readonly data: { readonly teamId: string; readonly personId: string };
};

export type TeamCommand = CreateTeam | RenameTeam | MoveTeam | AddTeamMember | RemoveTeamMember;

/**
 * Ids of every ancestor of the proposed parent team (from a read model, so possibly a little
 * stale). Pass [] when the command sets no parent.
 */
export interface TeamContext {
  readonly parentAncestorTeamIds: readonly string[];
}

function rejectLoop(teamId: string, parentTeamId: string | null, context: TeamContext): void {
  if (parentTeamId === null) return;
  if (parentTeamId === teamId || context.parentAncestorTeamIds.includes(teamId)) {
    throw new DomainRuleViolation('TEAM_LOOP', 'parentTeamId');
  }
}

function existing(state: TeamState, teamId: string) {
  if (state === null) throw new AggregateNotFound('Team', teamId);
  return state;
}

export function decideTeam(
  command: TeamCommand,
  state: TeamState,
  context: TeamContext,
): TeamEvent[] {
  switch (command.type) {
    case 'CreateTeam': {
      const { teamId, parentTeamId } = command.data;
      if (state !== null) throw new DomainRuleViolation('ALREADY_EXISTS', 'id');
      requireId(teamId, 'id');
      const name = requireText(command.data.name, 'name');
      rejectLoop(teamId, parentTeamId, context);
      return [{ type: 'TeamCreated', data: { teamId, name, parentTeamId } }];
    }
    case 'RenameTeam': {
      const team = existing(state, command.data.teamId);
      const name = requireText(command.data.name, 'name');
      if (name === team.name) throw new DomainRuleViolation('NOTHING_CHANGED', 'name');
      return [
        { type: 'TeamRenamed', data: { teamId: team.teamId, previousName: team.name, name } },
      ];
    }
    case 'MoveTeam': {
      const team = existing(state, command.data.teamId);
      const { toParentTeamId } = command.data;
      rejectLoop(team.teamId, toParentTeamId, context);
      if (toParentTeamId === team.parentTeamId) {
        throw new DomainRuleViolation('NOTHING_CHANGED', 'parentTeamId');
      }
      return [
        {
          type: 'TeamMoved',
          data: { teamId: team.teamId, fromParentTeamId: team.parentTeamId, toParentTeamId },
        },
      ];
    }
    case 'AddTeamMember': {
      const team = existing(state, command.data.teamId);
      const personId = requireId(command.data.personId, 'personId');
      const { lead } = command.data;
      if (team.members.get(personId)?.lead === lead) {
        throw new DomainRuleViolation('NOTHING_CHANGED', 'personId');
      }
      return [{ type: 'TeamMemberAdded', data: { teamId: team.teamId, personId, lead } }];
    }
    case 'RemoveTeamMember': {
      const team = existing(state, command.data.teamId);
      const personId = requireId(command.data.personId, 'personId');
      if (!team.members.has(personId)) throw new DomainRuleViolation('NOTHING_CHANGED', 'personId');
      return [{ type: 'TeamMemberRemoved', data: { teamId: team.teamId, personId } }];
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown team command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

export const teamDecider: Decider<TeamState, TeamCommand, TeamEvent, TeamContext> = {
  decide: decideTeam,
  evolve: evolveTeam,
  initialState: initialTeamState,
};
