import { deciderSpec } from '../testing/decider-spec';
import {
  objectiveDecider,
  type ChangeObjectiveVisibility,
  type ObjectiveContext,
  type SetObjective,
} from './objective.decide';
import type {
  ObjectiveArchived,
  ObjectiveParent,
  ObjectiveSet,
  ObjectiveShared,
} from './objective.events';
import { objectiveStream } from './objective.events';

const given = deciderSpec(objectiveDecider);
const objectiveId = 'b0000000-0000-4000-8000-000000000001';
const parentId = 'b0000000-0000-4000-8000-000000000002';
const grandParentId = 'b0000000-0000-4000-8000-000000000003';
const keyResultId = 'd0000000-0000-4000-8000-000000000001';
const cycleId = 'c0000000-0000-4000-8000-000000000001';
const planning: ObjectiveContext = { cycleStatus: 'PLANNING', parentAncestorObjectiveIds: [] };
const active: ObjectiveContext = { cycleStatus: 'ACTIVE', parentAncestorObjectiveIds: [] };
const closed: ObjectiveContext = { cycleStatus: 'CLOSED', parentAncestorObjectiveIds: [] };
const toParent: ObjectiveParent = { kind: 'OBJECTIVE', objectiveId: parentId };

const setData = {
  objectiveId,
  cycleId,
  title: 'Delight customers',
  description: null,
  ownerId: null,
  teamId: null,
  parent: null,
  visibility: 'PRIVATE' as const,
};
const set: ObjectiveSet = { type: 'ObjectiveSet', data: setData };
const archived: ObjectiveArchived = {
  type: 'ObjectiveArchived',
  data: { objectiveId, reason: 'dropped' },
};
const setCommand = (data: Partial<SetObjective['data']> = {}): SetObjective => ({
  type: 'SetObjective',
  data: { ...setData, visibility: null, ...data },
});

describe('objectiveDecider', () => {
  describe('when an objective is set', () => {
    it('records ObjectiveSet with trimmed title and blank description as null', () => {
      given([])
        .when(setCommand({ title: ' Delight customers ', description: '  ' }), planning)
        .then([set]);
    });
    it('records its parent key result', () => {
      const parent: ObjectiveParent = { kind: 'KEY_RESULT', keyResultId, objectiveId: parentId };
      given([])
        .when(setCommand({ parent }), planning)
        .then([{ type: 'ObjectiveSet', data: { ...setData, parent } }]);
    });
    it('refuses a blank title', () => {
      given([])
        .when(setCommand({ title: '\t' }), planning)
        .thenThrows('INVALID_VALUE', 'title');
    });
    it('refuses an objective in a CLOSED cycle', () => {
      given([]).when(setCommand(), closed).thenThrows('CYCLE_CLOSED');
    });
    it('refuses setting it twice', () => {
      given([set]).when(setCommand(), planning).thenThrows('ALREADY_EXISTS');
    });
    it('defaults its visibility by its team: PRIVATE without one, PUBLIC with one', () => {
      given([]).when(setCommand(), planning).then([set]);
      given([])
        .when(setCommand({ teamId: 'web' }), planning)
        .then([
          { type: 'ObjectiveSet', data: { ...setData, teamId: 'web', visibility: 'PUBLIC' } },
        ]);
    });
    it('records the visibility it is given', () => {
      given([])
        .when(setCommand({ teamId: 'web', visibility: 'TEAM' }), planning)
        .then([{ type: 'ObjectiveSet', data: { ...setData, teamId: 'web', visibility: 'TEAM' } }]);
    });
    it('refuses a visibility that is not one of PUBLIC, TEAM, PRIVATE', () => {
      given([])
        .when(setCommand({ visibility: 'SECRET' as 'TEAM' }), planning)
        .thenThrows('INVALID_VALUE', 'visibility');
    });
    it('refuses itself as parent', () => {
      given([])
        .when(setCommand({ parent: { kind: 'OBJECTIVE', objectiveId } }), planning)
        .thenThrows('ALIGNMENT_LOOP');
    });
  });

  describe('when an objective is revised', () => {
    it('lists only the fields that really change, with before and after', () => {
      given([set])
        .when(
          {
            type: 'ReviseObjective',
            data: {
              objectiveId,
              changes: { title: 'Delight customers', description: 'NPS', ownerId: 'u1' },
              reason: ' clarity ',
            },
          },
          active,
        )
        .then([
          {
            type: 'ObjectiveRevised',
            data: {
              objectiveId,
              changes: [
                { field: 'description', from: null, to: 'NPS' },
                { field: 'ownerId', from: null, to: 'u1' },
              ],
              reason: 'clarity',
            },
          },
        ]);
    });
    it('refuses a revision that changes nothing', () => {
      given([set])
        .when(
          {
            type: 'ReviseObjective',
            data: { objectiveId, changes: { teamId: null }, reason: null },
          },
          active,
        )
        .thenThrows('NOTHING_CHANGED');
    });
    it('refuses a revision in a CLOSED cycle', () => {
      given([set])
        .when(
          {
            type: 'ReviseObjective',
            data: { objectiveId, changes: { title: 'New' }, reason: 'x' },
          },
          closed,
        )
        .thenThrows('CYCLE_CLOSED');
    });
    it('refuses a revision of an archived objective', () => {
      given([set, archived])
        .when(
          {
            type: 'ReviseObjective',
            data: { objectiveId, changes: { title: 'New' }, reason: 'x' },
          },
          active,
        )
        .thenThrows('OBJECTIVE_ARCHIVED');
    });
    it('reports an objective that does not exist', () => {
      given([])
        .when(
          {
            type: 'ReviseObjective',
            data: { objectiveId, changes: { title: 'New' }, reason: null },
          },
          active,
        )
        .thenNotFound('Objective', objectiveId);
    });
  });

  describe('when an objective is aligned', () => {
    it('records the old and new parent', () => {
      given([set])
        .when(
          { type: 'AlignObjective', data: { objectiveId, parent: toParent, reason: null } },
          {
            ...active,
            parentAncestorObjectiveIds: [grandParentId],
          },
        )
        .then([
          {
            type: 'ObjectiveAligned',
            data: { objectiveId, from: null, to: toParent, reason: null },
          },
        ]);
    });
    it('refuses a parent whose ancestors include the objective', () => {
      given([set])
        .when(
          { type: 'AlignObjective', data: { objectiveId, parent: toParent, reason: null } },
          {
            ...active,
            parentAncestorObjectiveIds: [grandParentId, objectiveId],
          },
        )
        .thenThrows('ALIGNMENT_LOOP', 'parent');
    });
    it('refuses aligning under one of its own key results', () => {
      given([set])
        .when(
          {
            type: 'AlignObjective',
            data: {
              objectiveId,
              parent: { kind: 'KEY_RESULT', keyResultId, objectiveId },
              reason: null,
            },
          },
          active,
        )
        .thenThrows('ALIGNMENT_LOOP');
    });
    it('refuses the parent it already has', () => {
      given([
        set,
        { type: 'ObjectiveAligned', data: { objectiveId, from: null, to: toParent, reason: null } },
      ])
        .when(
          { type: 'AlignObjective', data: { objectiveId, parent: toParent, reason: null } },
          active,
        )
        .thenThrows('NOTHING_CHANGED');
    });
    it('tells a key-result parent from its objective', () => {
      const underKr: ObjectiveParent = { kind: 'KEY_RESULT', keyResultId, objectiveId: parentId };
      given([
        set,
        { type: 'ObjectiveAligned', data: { objectiveId, from: null, to: toParent, reason: null } },
      ])
        .when(
          { type: 'AlignObjective', data: { objectiveId, parent: underKr, reason: null } },
          active,
        )
        .then([
          {
            type: 'ObjectiveAligned',
            data: { objectiveId, from: toParent, to: underKr, reason: null },
          },
        ]);
    });
    it('refuses aligning in a CLOSED cycle', () => {
      given([set])
        .when({ type: 'AlignObjective', data: { objectiveId, parent: null, reason: null } }, closed)
        .thenThrows('CYCLE_CLOSED');
    });
  });

  describe('when an objective is archived', () => {
    it('records ObjectiveArchived', () => {
      given([set])
        .when({ type: 'ArchiveObjective', data: { objectiveId, reason: 'dropped' } }, active)
        .then([archived]);
    });
    it('refuses archiving it twice', () => {
      given([set, archived])
        .when({ type: 'ArchiveObjective', data: { objectiveId, reason: null } }, active)
        .thenThrows('OBJECTIVE_ARCHIVED');
    });
    it('refuses archiving in a CLOSED cycle', () => {
      given([set])
        .when({ type: 'ArchiveObjective', data: { objectiveId, reason: null } }, closed)
        .thenThrows('CYCLE_CLOSED');
    });
  });

  describe("when an objective's visibility is changed", () => {
    const change = (
      visibility: ChangeObjectiveVisibility['data']['visibility'],
      reason: string | null,
    ) =>
      ({ type: 'ChangeObjectiveVisibility', data: { objectiveId, visibility, reason } }) as const;
    it('records from and to, without a reason while the cycle is planned', () => {
      given([set])
        .when(change('PUBLIC', ' '), planning)
        .then([
          {
            type: 'ObjectiveVisibilityChanged',
            data: { objectiveId, from: 'PRIVATE', to: 'PUBLIC', reason: null },
          },
        ]);
    });
    it('needs a reason once the cycle is ACTIVE', () => {
      given([set]).when(change('PUBLIC', null), active).thenThrows('REASON_REQUIRED', 'reason');
      given([set])
        .when(change('TEAM', ' reorg '), active)
        .then([
          {
            type: 'ObjectiveVisibilityChanged',
            data: { objectiveId, from: 'PRIVATE', to: 'TEAM', reason: 'reorg' },
          },
        ]);
    });
    it('may still hide an archived objective of a CLOSED cycle, with a reason', () => {
      given([set, archived]).when(change('TEAM', null), closed).thenThrows('REASON_REQUIRED');
      given([set, archived])
        .when(change('TEAM', 'leak'), closed)
        .then([
          {
            type: 'ObjectiveVisibilityChanged',
            data: { objectiveId, from: 'PRIVATE', to: 'TEAM', reason: 'leak' },
          },
        ]);
    });
    it('refuses the visibility it already has, and unknown ones', () => {
      given([set]).when(change('PRIVATE', 'x'), active).thenThrows('NOTHING_CHANGED', 'visibility');
      given([set])
        .when(change('HIDDEN' as 'TEAM', 'x'), active)
        .thenThrows('INVALID_VALUE', 'visibility');
    });
    it('reports an objective that does not exist', () => {
      given([]).when(change('PUBLIC', 'x'), active).thenNotFound('Objective', objectiveId);
    });
  });

  describe('when an objective is shared and unshared', () => {
    const shared: ObjectiveShared = {
      type: 'ObjectiveShared',
      data: { objectiveId, personId: 'sam' },
    };
    it('records the person it is shared with', () => {
      given([set])
        .when({ type: 'ShareObjective', data: { objectiveId, personId: 'sam' } }, active)
        .then([shared]);
    });
    it('refuses sharing twice with the same person, and a blank person', () => {
      given([set, shared])
        .when({ type: 'ShareObjective', data: { objectiveId, personId: 'sam' } }, active)
        .thenThrows('NOTHING_CHANGED', 'personId');
      given([set])
        .when({ type: 'ShareObjective', data: { objectiveId, personId: ' ' } }, active)
        .thenThrows('INVALID_VALUE', 'personId');
    });
    it('records unsharing with a person it was shared with, and refuses anyone else', () => {
      given([set, shared])
        .when({ type: 'UnshareObjective', data: { objectiveId, personId: 'sam' } }, active)
        .then([{ type: 'ObjectiveUnshared', data: { objectiveId, personId: 'sam' } }]);
      given([set])
        .when({ type: 'UnshareObjective', data: { objectiveId, personId: 'sam' } }, active)
        .thenThrows('NOTHING_CHANGED', 'personId');
    });
    it('reports an objective that does not exist', () => {
      given([])
        .when({ type: 'ShareObjective', data: { objectiveId, personId: 'sam' } }, active)
        .thenNotFound('Objective', objectiveId);
    });
    it('folds into the state: visibility, and who it is shared with in order', () => {
      const state = [
        set,
        shared,
        { type: 'ObjectiveShared', data: { objectiveId, personId: 'ana' } },
        { type: 'ObjectiveShared', data: { objectiveId, personId: 'sam' } },
        {
          type: 'ObjectiveVisibilityChanged',
          data: { objectiveId, from: 'PRIVATE', to: 'TEAM', reason: null },
        },
        { type: 'ObjectiveUnshared', data: { objectiveId, personId: 'sam' } },
      ].reduce(
        (s, e) => objectiveDecider.evolve(s, e as Parameters<typeof objectiveDecider.evolve>[1]),
        objectiveDecider.initialState(),
      );
      expect(state).toMatchObject({ visibility: 'TEAM', sharedWith: ['ana'] });
    });
  });

  describe('when folding its events', () => {
    it('applies revisions and alignment, and keeps the archived objective', () => {
      const state = [
        set,
        {
          type: 'ObjectiveRevised',
          data: {
            objectiveId,
            changes: [{ field: 'title', from: 'Delight customers', to: 'Win' }],
            reason: null,
          },
        },
        { type: 'ObjectiveAligned', data: { objectiveId, from: null, to: toParent, reason: null } },
        archived,
      ].reduce(
        (s, e) => objectiveDecider.evolve(s, e as Parameters<typeof objectiveDecider.evolve>[1]),
        objectiveDecider.initialState(),
      );
      expect(state).toEqual({
        ...setData,
        title: 'Win',
        parent: toParent,
        status: 'ARCHIVED',
        sharedWith: [],
      });
      expect(objectiveStream(objectiveId)).toBe(`objective-${objectiveId}`);
    });
  });
});
