import { applyFieldChanges } from '../decider';
import type { ObjectiveDefinition, ObjectiveEvent, ObjectiveParent } from './objective.events';

export type ObjectiveStatus = 'ACTIVE' | 'ARCHIVED';

export interface Objective extends ObjectiveDefinition {
  readonly objectiveId: string;
  readonly cycleId: string;
  readonly parent: ObjectiveParent | null;
  readonly status: ObjectiveStatus;
}

/** null until ObjectiveSet: the stream does not exist. */
export type ObjectiveState = Objective | null;

export const initialObjectiveState = (): ObjectiveState => null;

export function evolveObjective(state: ObjectiveState, event: ObjectiveEvent): ObjectiveState {
  switch (event.type) {
    case 'ObjectiveSet':
      return { ...event.data, status: 'ACTIVE' };
    case 'ObjectiveRevised':
      return state && applyFieldChanges<ObjectiveDefinition, Objective>(state, event.data.changes);
    case 'ObjectiveAligned':
      return state && { ...state, parent: event.data.to };
    case 'ObjectiveArchived':
      return state && { ...state, status: 'ARCHIVED' };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}
