// Given / when / then for deciders: given past events, when a command (with its context),
// then these events — or this rule violation.
import type { Decider, DomainEvent } from '../decider';
import {
  AggregateNotFound,
  DomainRuleViolation,
  type AggregateType,
  type DomainRule,
} from '../okr.errors';

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected decide to throw, but it returned');
}

export function deciderSpec<State, Command, Event extends DomainEvent, Context>(
  decider: Decider<State, Command, Event, Context>,
) {
  return (given: readonly Event[]) => ({
    when(command: Command, context: Context) {
      const state = given.reduce((s, e) => decider.evolve(s, e), decider.initialState());
      const run = () => decider.decide(command, state, context);
      return {
        then(expected: readonly Event[]): void {
          expect(run()).toEqual(expected);
        },
        thenThrows(rule: DomainRule, field?: string): void {
          const error = thrownBy(run);
          expect(error).toBeInstanceOf(DomainRuleViolation);
          expect((error as DomainRuleViolation).rule).toBe(rule);
          if (field !== undefined) expect((error as DomainRuleViolation).field).toBe(field);
        },
        thenNotFound(aggregateType: AggregateType, id: string): void {
          const error = thrownBy(run);
          expect(error).toBeInstanceOf(AggregateNotFound);
          expect(error).toMatchObject({ aggregateType, id });
        },
      };
    },
  });
}
