import { deciderSpec } from '../testing/decider-spec';
import { teamDecider } from './team.decide';
import type { TeamCreated, TeamMemberAdded } from './team.events';
import { teamMembership } from './team.state';
import { teamStream } from './team.events';

const given = deciderSpec(teamDecider);
const team = 'a0000000-0000-4000-8000-000000000001';
const parent = 'a0000000-0000-4000-8000-000000000002';
const other = 'a0000000-0000-4000-8000-000000000003';
const noAncestors = { parentAncestorTeamIds: [] };
const created: TeamCreated = {
  type: 'TeamCreated',
  data: { teamId: team, name: 'Platform', parentTeamId: parent },
};

describe('teamDecider', () => {
  describe('when a team is created', () => {
    it('records TeamCreated with the trimmed name', () => {
      given([])
        .when(
          { type: 'CreateTeam', data: { teamId: team, name: '  Platform ', parentTeamId: parent } },
          noAncestors,
        )
        .then([created]);
    });
    it('refuses a second creation of the same team', () => {
      given([created])
        .when(
          { type: 'CreateTeam', data: { teamId: team, name: 'X', parentTeamId: null } },
          noAncestors,
        )
        .thenThrows('ALREADY_EXISTS');
    });
    it('refuses a blank name', () => {
      given([])
        .when(
          { type: 'CreateTeam', data: { teamId: team, name: ' ', parentTeamId: null } },
          noAncestors,
        )
        .thenThrows('INVALID_VALUE', 'name');
    });
    it('refuses being its own parent', () => {
      given([])
        .when(
          { type: 'CreateTeam', data: { teamId: team, name: 'X', parentTeamId: team } },
          noAncestors,
        )
        .thenThrows('TEAM_LOOP');
    });
  });

  describe('when a team is renamed', () => {
    it('records the previous and the new name', () => {
      given([created])
        .when({ type: 'RenameTeam', data: { teamId: team, name: 'Core' } }, noAncestors)
        .then([
          { type: 'TeamRenamed', data: { teamId: team, previousName: 'Platform', name: 'Core' } },
        ]);
    });
    it('refuses the same name', () => {
      given([created])
        .when({ type: 'RenameTeam', data: { teamId: team, name: 'Platform' } }, noAncestors)
        .thenThrows('NOTHING_CHANGED');
    });
    it('reports a team that does not exist', () => {
      given([])
        .when({ type: 'RenameTeam', data: { teamId: team, name: 'Core' } }, noAncestors)
        .thenNotFound('Team', team);
    });
  });

  describe('when a team is moved', () => {
    it('records the old and new parent', () => {
      given([created])
        .when(
          { type: 'MoveTeam', data: { teamId: team, toParentTeamId: other } },
          {
            parentAncestorTeamIds: [parent],
          },
        )
        .then([
          {
            type: 'TeamMoved',
            data: { teamId: team, fromParentTeamId: parent, toParentTeamId: other },
          },
        ]);
    });
    it('allows moving to the root', () => {
      given([created])
        .when({ type: 'MoveTeam', data: { teamId: team, toParentTeamId: null } }, noAncestors)
        .then([
          {
            type: 'TeamMoved',
            data: { teamId: team, fromParentTeamId: parent, toParentTeamId: null },
          },
        ]);
    });
    it('refuses moving under one of its own descendants', () => {
      given([created])
        .when(
          { type: 'MoveTeam', data: { teamId: team, toParentTeamId: other } },
          {
            parentAncestorTeamIds: [parent, team],
          },
        )
        .thenThrows('TEAM_LOOP', 'parentTeamId');
    });
    it('refuses moving under itself', () => {
      given([created])
        .when({ type: 'MoveTeam', data: { teamId: team, toParentTeamId: team } }, noAncestors)
        .thenThrows('TEAM_LOOP');
    });
    it('refuses moving to the parent it already has', () => {
      given([created])
        .when({ type: 'MoveTeam', data: { teamId: team, toParentTeamId: parent } }, noAncestors)
        .thenThrows('NOTHING_CHANGED');
    });
  });

  describe('when members are added and removed', () => {
    const lena: TeamMemberAdded = {
      type: 'TeamMemberAdded',
      data: { teamId: team, personId: 'lena', lead: true },
    };
    const add = (personId: string, lead: boolean) =>
      ({ type: 'AddTeamMember', data: { teamId: team, personId, lead } }) as const;
    it('records a new member with their lead flag', () => {
      given([created]).when(add('lena', true), noAncestors).then([lena]);
    });
    it('records an existing member again with a new lead flag, and refuses the same flag', () => {
      given([created, lena])
        .when(add('lena', false), noAncestors)
        .then([{ type: 'TeamMemberAdded', data: { teamId: team, personId: 'lena', lead: false } }]);
      given([created, lena]).when(add('lena', true), noAncestors).thenThrows('NOTHING_CHANGED');
    });
    it('refuses a blank person', () => {
      given([created]).when(add(' ', false), noAncestors).thenThrows('INVALID_VALUE', 'personId');
    });
    it('records removing a member, and refuses removing someone who is not one', () => {
      const remove = {
        type: 'RemoveTeamMember',
        data: { teamId: team, personId: 'lena' },
      } as const;
      given([created, lena])
        .when(remove, noAncestors)
        .then([{ type: 'TeamMemberRemoved', data: { teamId: team, personId: 'lena' } }]);
      given([created]).when(remove, noAncestors).thenThrows('NOTHING_CHANGED', 'personId');
    });
    it('reports a team that does not exist', () => {
      given([]).when(add('lena', true), noAncestors).thenNotFound('Team', team);
    });
    it('folds the members, a re-added one keeping their place with the new flag', () => {
      const state = [
        created,
        lena,
        { type: 'TeamMemberAdded', data: { teamId: team, personId: 'pat', lead: false } },
        { type: 'TeamMemberAdded', data: { teamId: team, personId: 'sam', lead: false } },
        { type: 'TeamMemberAdded', data: { teamId: team, personId: 'lena', lead: false } },
        { type: 'TeamMemberRemoved', data: { teamId: team, personId: 'pat' } },
      ].reduce(
        (s, e) => teamDecider.evolve(s, e as Parameters<typeof teamDecider.evolve>[1]),
        teamDecider.initialState(),
      );
      expect(state && teamMembership(state)).toEqual({
        teamId: team,
        parentTeamId: parent,
        members: [
          { personId: 'lena', lead: false },
          { personId: 'sam', lead: false },
        ],
      });
    });
  });

  describe('when folding its events', () => {
    it('holds the latest name and parent', () => {
      const state = [
        created,
        { type: 'TeamRenamed', data: { teamId: team, previousName: 'Platform', name: 'Core' } },
        {
          type: 'TeamMoved',
          data: { teamId: team, fromParentTeamId: parent, toParentTeamId: null },
        },
      ].reduce(
        (s, e) => teamDecider.evolve(s, e as Parameters<typeof teamDecider.evolve>[1]),
        teamDecider.initialState(),
      );
      expect(state).toEqual({ teamId: team, name: 'Core', parentTeamId: null, members: new Map() });
      expect(teamStream(team)).toBe(`team-${team}`);
    });
  });
});
