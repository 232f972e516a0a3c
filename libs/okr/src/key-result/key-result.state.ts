import { applyFieldChanges } from '../decider';
import type { KeyResultDefinition, KeyResultEvent } from './key-result.events';

export interface Initiative {
  readonly initiativeId: string;
  readonly title: string;
  readonly dueDate: string | null;
  readonly completed: boolean;
}

export interface KeyResult extends KeyResultDefinition {
  readonly keyResultId: string;
  readonly objectiveId: string;
  readonly cycleId: string;
  readonly currentValue: number;
  /** The last confidence someone stated; a check-in without one keeps it. */
  readonly confidence: number | null;
  readonly checkInCount: number;
  readonly lastCheckInId: string | null;
  /** Lets the caller answer a repeated idempotency key with the first check-in. */
  readonly checkInIdsByIdempotencyKey: ReadonlyMap<string, string>;
  readonly healthMetric: boolean;
  readonly initiatives: ReadonlyMap<string, Initiative>;
}

/** null until KeyResultAdded: the stream does not exist. */
export type KeyResultState = KeyResult | null;

export const initialKeyResultState = (): KeyResultState => null;

export function evolveKeyResult(state: KeyResultState, event: KeyResultEvent): KeyResultState {
  if (event.type === 'KeyResultAdded') {
    return {
      ...event.data,
      currentValue: event.data.startValue,
      confidence: null,
      checkInCount: 0,
      lastCheckInId: null,
      checkInIdsByIdempotencyKey: new Map(),
      healthMetric: false,
      initiatives: new Map(),
    };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'KeyResultRedefined': {
      const next = applyFieldChanges<KeyResultDefinition, KeyResult>(state, event.data.changes);
      // Until someone checks in, the current value is the start value, so it follows it.
      return state.checkInCount === 0 ? { ...next, currentValue: next.startValue } : next;
    }
    case 'KeyResultCheckedIn': {
      const { checkInId, value, confidence, idempotencyKey } = event.data;
      return {
        ...state,
        currentValue: value,
        confidence: confidence ?? state.confidence,
        checkInCount: state.checkInCount + 1,
        lastCheckInId: checkInId,
        checkInIdsByIdempotencyKey:
          idempotencyKey === null
            ? state.checkInIdsByIdempotencyKey
            : new Map(state.checkInIdsByIdempotencyKey).set(idempotencyKey, checkInId),
      };
    }
    case 'KeyResultGraduated':
      return { ...state, healthMetric: true };
    case 'InitiativeAdded': {
      const { initiativeId, title, dueDate } = event.data;
      const initiative: Initiative = { initiativeId, title, dueDate, completed: false };
      return { ...state, initiatives: new Map(state.initiatives).set(initiativeId, initiative) };
    }
    case 'InitiativeCompleted': {
      const initiative = state.initiatives.get(event.data.initiativeId);
      if (initiative === undefined) return state;
      const completed = { ...initiative, completed: true };
      return {
        ...state,
        initiatives: new Map(state.initiatives).set(initiative.initiativeId, completed),
      };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}
