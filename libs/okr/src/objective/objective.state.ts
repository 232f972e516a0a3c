import type { Visibility } from '../access/visibility.policy';
import { applyFieldChanges } from '../decider';
import type { ObjectiveDefinition, ObjectiveEvent, ObjectiveParent } from './objective.events';

export type ObjectiveStatus = 'ACTIVE' | 'ARCHIVED';

export interface Objective extends ObjectiveDefinition {
  readonly objectiveId: string;
  readonly cycleId: string;
  readonly parent: ObjectiveParent | null;
  readonly status: ObjectiveStatus;
  readonly visibility: Visibility;
  /** People who may see it whatever its visibility, in the order they were shared with. */
  readonly sharedWith: readonly string[];
}

/** null until ObjectiveSet: the stream does not exist. */
export type ObjectiveState = Objective | null;

export const initialObjectiveState = (): ObjectiveState => null;

export function evolveObjective(state: ObjectiveState, event: ObjectiveEvent): ObjectiveState {
  switch (event.type) {
    case 'ObjectiveSet':
      return { ...event.data, status: 'ACTIVE', sharedWith: [] };
    case 'ObjectiveRevised':
      return state && applyFieldChanges<ObjectiveDefinition, Objective>(state, event.data.changes);
    case 'ObjectiveAligned':
      return state && { ...state, parent: event.data.to };
    case 'ObjectiveArchived':
      return state && { ...state, status: 'ARCHIVED' };
    case 'ObjectiveVisibilityChanged':
      return state && { ...state, visibility: event.data.to };
    case 'ObjectiveShared':
      return (
        state &&
        (state.sharedWith.includes(event.data.personId)
          ? state
          : { ...state, sharedWith: [...state.sharedWith, event.data.personId] })
      );
    case 'ObjectiveUnshared':
      return (
        state && {
          ...state,
          sharedWith: state.sharedWith.filter((personId) => personId !== event.data.personId),
        }
      );
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}
