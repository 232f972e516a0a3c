import type { CycleEvent, CycleStatus } from './cycle.events';

export interface Cycle {
  readonly cycleId: string;
  readonly name: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly status: CycleStatus;
}

/** null until CycleScheduled: the stream does not exist. */
export type CycleState = Cycle | null;

export const initialCycleState = (): CycleState => null;

export function evolveCycle(state: CycleState, event: CycleEvent): CycleState {
  switch (event.type) {
    case 'CycleScheduled':
      return { ...event.data, status: 'PLANNING' };
    case 'CycleStarted':
      return state && { ...state, status: 'ACTIVE' };
    case 'CycleClosed':
      return state && { ...state, status: 'CLOSED' };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}
