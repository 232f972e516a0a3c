import type { DomainEvent } from '../decider';

export const cycleStream = (cycleId: string): string => `cycle-${cycleId}`;

export const CYCLE_STATUSES = ['PLANNING', 'ACTIVE', 'CLOSED'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

export type CycleScheduled = DomainEvent<
  'CycleScheduled',
  {
    readonly cycleId: string;
    readonly name: string;
    /** UTC ISO-8601 instants. */
    readonly startsAt: string;
    readonly endsAt: string;
  }
>;
export type CycleStarted = DomainEvent<'CycleStarted', { readonly cycleId: string }>;
/** Freezes every score of the cycle: later changes to its objectives and key results are refused. */
export type CycleClosed = DomainEvent<'CycleClosed', { readonly cycleId: string }>;

export type CycleEvent = CycleScheduled | CycleStarted | CycleClosed;

export const CYCLE_EVENT_TYPES = [
  'CycleScheduled',
  'CycleStarted',
  'CycleClosed',
] as const satisfies readonly CycleEvent['type'][];
