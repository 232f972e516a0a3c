import type { Decider } from '../decider';
import {
  AggregateNotFound,
  DomainRuleViolation,
  requireId,
  requireInstant,
  requireText,
} from '../okr.errors';
import type { CycleEvent, CycleStatus } from './cycle.events';
import { evolveCycle, initialCycleState, type CycleState } from './cycle.state';

export type ScheduleCycle = {
  readonly type: 'ScheduleCycle';
  readonly data: {
    readonly cycleId: string;
    readonly name: string;
    readonly startsAt: string;
    readonly endsAt: string;
  };
};
export type StartCycle = {
  readonly type: 'StartCycle';
  readonly data: { readonly cycleId: string };
};
export type CloseCycle = {
  readonly type: 'CloseCycle';
  readonly data: { readonly cycleId: string };
};

export type CycleCommand = ScheduleCycle | StartCycle | CloseCycle;

function transition(state: CycleState, cycleId: string, from: CycleStatus): string {
  if (state === null) throw new AggregateNotFound('Cycle', cycleId);
  // Status only moves forward, one step at a time: a closed cycle's scores stay frozen.
  if (state.status !== from) {
    throw new DomainRuleViolation(
      'INVALID_CYCLE_TRANSITION',
      'status',
      `cycle is ${state.status}, expected ${from}`,
    );
  }
  return state.cycleId;
}

export function decideCycle(command: CycleCommand, state: CycleState): CycleEvent[] {
  switch (command.type) {
    case 'ScheduleCycle': {
      if (state !== null) throw new DomainRuleViolation('ALREADY_EXISTS', 'id');
      const cycleId = requireId(command.data.cycleId, 'id');
      const name = requireText(command.data.name, 'name');
      const { startsAt, endsAt } = command.data;
      if (requireInstant(endsAt, 'endsAt') <= requireInstant(startsAt, 'startsAt')) {
        throw new DomainRuleViolation(
          'INVALID_CYCLE_DATES',
          'endsAt',
          'endsAt must be after startsAt',
        );
      }
      return [{ type: 'CycleScheduled', data: { cycleId, name, startsAt, endsAt } }];
    }
    case 'StartCycle':
      return [
        {
          type: 'CycleStarted',
          data: { cycleId: transition(state, command.data.cycleId, 'PLANNING') },
        },
      ];
    case 'CloseCycle':
      return [
        {
          type: 'CycleClosed',
          data: { cycleId: transition(state, command.data.cycleId, 'ACTIVE') },
        },
      ];
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown cycle command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

export const cycleDecider: Decider<CycleState, CycleCommand, CycleEvent> = {
  decide: (command, state) => decideCycle(command, state),
  evolve: evolveCycle,
  initialState: initialCycleState,
};
