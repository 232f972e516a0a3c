import { defaultVisibility, VISIBILITIES, type Visibility } from '../access/visibility.policy';
import type { CycleStatus } from '../cycle/cycle.events';
import { diffFields, type Decider } from '../decider';
import {
  AggregateNotFound,
  DomainRuleViolation,
  optionalText,
  requireId,
  requireText,
} from '../okr.errors';
import {
  OBJECTIVE_REVISABLE_FIELDS,
  type ObjectiveDefinition,
  type ObjectiveEvent,
  type ObjectiveParent,
} from './objective.events';
import {
  evolveObjective,
  initialObjectiveState,
  type Objective,
  type ObjectiveState,
} from './objective.state';

export type SetObjective = {
  readonly type: 'SetObjective';
  readonly data: ObjectiveDefinition & {
    readonly objectiveId: string;
    readonly cycleId: string;
    readonly parent: ObjectiveParent | null;
    /** null: `defaultVisibility` of its team (PUBLIC with a team, PRIVATE without). */
    readonly visibility: Visibility | null;
  };
};
/** A field left undefined keeps its value; null clears a nullable field. */
export type ReviseObjective = {
  readonly type: 'ReviseObjective';
  readonly data: {
    readonly objectiveId: string;
    readonly changes: Partial<ObjectiveDefinition>;
    readonly reason: string | null;
  };
};
export type AlignObjective = {
  readonly type: 'AlignObjective';
  readonly data: {
    readonly objectiveId: string;
    readonly parent: ObjectiveParent | null;
    readonly reason: string | null;
  };
};
export type ArchiveObjective = {
  readonly type: 'ArchiveObjective';
  readonly data: { readonly objectiveId: string; readonly reason: string | null };
};

export type ChangeObjectiveVisibility = {
  readonly type: 'ChangeObjectiveVisibility';
  readonly data: {
    readonly objectiveId: string;
    readonly visibility: Visibility;
    readonly reason: string | null;
  };
};
export type ShareObjective = {
  readonly type: 'ShareObjective';
  readonly data: { readonly objectiveId: string; readonly personId: string };
};
export type UnshareObjective = {
  readonly type: 'UnshareObjective';
  readonly data: { readonly objectiveId: string; readonly personId: string };
};

export type ObjectiveCommand =
  | SetObjective
  | ReviseObjective
  | AlignObjective
  | ArchiveObjective
  | ChangeObjectiveVisibility
  | ShareObjective
  | UnshareObjective;

export interface ObjectiveContext {
  /** Status of the objective's cycle, read from the cycle stream. */
  readonly cycleStatus: CycleStatus;
  /**
   * Ids of the objectives above the proposed parent's objective (from the alignment read
   * model, so possibly stale: the check then catches what is already projected). Pass [] when
   * the command sets no parent.
   */
  readonly parentAncestorObjectiveIds: readonly string[];
}

function rejectLoop(
  objectiveId: string,
  parent: ObjectiveParent | null,
  context: ObjectiveContext,
) {
  if (parent === null) return;
  requireId(parent.objectiveId, 'parent');
  if (parent.kind === 'KEY_RESULT') requireId(parent.keyResultId, 'parentKeyResultId');
  // For a key-result parent, parent.objectiveId is that key result's objective: aligning under
  // one's own key result is a loop too.
  if (
    parent.objectiveId === objectiveId ||
    context.parentAncestorObjectiveIds.includes(objectiveId)
  ) {
    throw new DomainRuleViolation('ALIGNMENT_LOOP', 'parent');
  }
}

function rejectFrozen(cycleStatus: CycleStatus): void {
  if (cycleStatus === 'CLOSED') throw new DomainRuleViolation('CYCLE_CLOSED');
}

/** The objective a change applies to: it must exist, its cycle be open, and it be active. */
function changeable(
  state: ObjectiveState,
  objectiveId: string,
  context: ObjectiveContext,
): Objective {
  if (state === null) throw new AggregateNotFound('Objective', objectiveId);
  rejectFrozen(context.cycleStatus);
  if (state.status === 'ARCHIVED') throw new DomainRuleViolation('OBJECTIVE_ARCHIVED');
  return state;
}

/**
 * Who may see an objective is not part of what it says: it can change in a closed cycle and on
 * an archived objective too (hiding an old objective later hides its past, see ADR 0017).
 */
function existing(state: ObjectiveState, objectiveId: string): Objective {
  if (state === null) throw new AggregateNotFound('Objective', objectiveId);
  return state;
}

function requireVisibility(value: Visibility | null, field: string): Visibility {
  if (value === null || !VISIBILITIES.includes(value)) {
    throw new DomainRuleViolation(
      'INVALID_VALUE',
      field,
      `${field} is not one of ${VISIBILITIES.join(', ')}`,
    );
  }
  return value;
}

/** Once the cycle has started, narrowing or widening who sees an objective needs a reason. */
function reasonFor(reason: string | null, cycleStatus: CycleStatus): string | null {
  const normalised = optionalText(reason);
  if (normalised === null && cycleStatus !== 'PLANNING') {
    throw new DomainRuleViolation('REASON_REQUIRED', 'reason');
  }
  return normalised;
}

function sameParent(a: ObjectiveParent | null, b: ObjectiveParent | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'KEY_RESULT' && b.kind === 'KEY_RESULT') return a.keyResultId === b.keyResultId;
  return a.kind === b.kind && a.objectiveId === b.objectiveId;
}

function normalise(changes: Partial<ObjectiveDefinition>): Partial<ObjectiveDefinition> {
  return {
    ...changes,
    ...(changes.title !== undefined && { title: requireText(changes.title, 'title') }),
    ...(changes.description !== undefined && { description: optionalText(changes.description) }),
  };
}

export function decideObjective(
  command: ObjectiveCommand,
  state: ObjectiveState,
  context: ObjectiveContext,
): ObjectiveEvent[] {
  switch (command.type) {
    case 'SetObjective': {
      const { objectiveId, cycleId, ownerId, teamId, parent } = command.data;
      if (state !== null) throw new DomainRuleViolation('ALREADY_EXISTS', 'id');
      rejectFrozen(context.cycleStatus);
      requireId(objectiveId, 'id');
      requireId(cycleId, 'cycleId');
      const title = requireText(command.data.title, 'title');
      const description = optionalText(command.data.description);
      rejectLoop(objectiveId, parent, context);
      return [
        {
          type: 'ObjectiveSet',
          data: {
            objectiveId,
            cycleId,
            title,
            description,
            ownerId,
            teamId,
            parent,
            visibility:
              command.data.visibility === null
                ? defaultVisibility(teamId)
                : requireVisibility(command.data.visibility, 'visibility'),
          },
        },
      ];
    }
    case 'ReviseObjective': {
      const objective = changeable(state, command.data.objectiveId, context);
      const changes = diffFields(
        objective,
        normalise(command.data.changes),
        OBJECTIVE_REVISABLE_FIELDS,
      );
      if (changes.length === 0) throw new DomainRuleViolation('NOTHING_CHANGED');
      return [
        {
          type: 'ObjectiveRevised',
          data: {
            objectiveId: objective.objectiveId,
            changes,
            reason: optionalText(command.data.reason),
          },
        },
      ];
    }
    case 'AlignObjective': {
      const objective = changeable(state, command.data.objectiveId, context);
      const { parent } = command.data;
      rejectLoop(objective.objectiveId, parent, context);
      if (sameParent(objective.parent, parent))
        throw new DomainRuleViolation('NOTHING_CHANGED', 'parent');
      return [
        {
          type: 'ObjectiveAligned',
          data: {
            objectiveId: objective.objectiveId,
            from: objective.parent,
            to: parent,
            reason: optionalText(command.data.reason),
          },
        },
      ];
    }
    case 'ArchiveObjective': {
      const objective = changeable(state, command.data.objectiveId, context);
      return [
        {
          type: 'ObjectiveArchived',
          data: { objectiveId: objective.objectiveId, reason: optionalText(command.data.reason) },
        },
      ];
    }
    case 'ChangeObjectiveVisibility': {
      const objective = existing(state, command.data.objectiveId);
      const to = requireVisibility(command.data.visibility, 'visibility');
      if (to === objective.visibility)
        throw new DomainRuleViolation('NOTHING_CHANGED', 'visibility');
      const reason = reasonFor(command.data.reason, context.cycleStatus);
      return [
        {
          type: 'ObjectiveVisibilityChanged',
          data: { objectiveId: objective.objectiveId, from: objective.visibility, to, reason },
        },
      ];
    }
    case 'ShareObjective': {
      const objective = existing(state, command.data.objectiveId);
      const personId = requireId(command.data.personId, 'personId');
      if (objective.sharedWith.includes(personId)) {
        throw new DomainRuleViolation('NOTHING_CHANGED', 'personId');
      }
      return [{ type: 'ObjectiveShared', data: { objectiveId: objective.objectiveId, personId } }];
    }
    case 'UnshareObjective': {
      const objective = existing(state, command.data.objectiveId);
      const personId = requireId(command.data.personId, 'personId');
      if (!objective.sharedWith.includes(personId)) {
        throw new DomainRuleViolation('NOTHING_CHANGED', 'personId');
      }
      return [
        { type: 'ObjectiveUnshared', data: { objectiveId: objective.objectiveId, personId } },
      ];
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown objective command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

export const objectiveDecider: Decider<
  ObjectiveState,
  ObjectiveCommand,
  ObjectiveEvent,
  ObjectiveContext
> = {
  decide: decideObjective,
  evolve: evolveObjective,
  initialState: initialObjectiveState,
};
