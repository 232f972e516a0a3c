import type { CycleEvent } from './cycle/cycle.events';
import type { DataSourceEvent } from './data-source/data-source.events';
import type { KeyResultEvent } from './key-result/key-result.events';
import type { ObjectiveEvent } from './objective/objective.events';
import type { TeamEvent } from './team/team.events';

type EventType = (
  TeamEvent | CycleEvent | ObjectiveEvent | KeyResultEvent | DataSourceEvent
)['type'];

/**
 * The release of the event vocabulary that new events are written with (`schemaVersion` in
 * their metadata). Version 2 is the second round's: values carry the time they were true
 * (`measuredAt`) and objectives their visibility.
 */
export const OKR_SCHEMA_VERSION = 2;

/** Lifts one event's data from `fromVersion` to the next; pure, given what the store recorded. */
export type OkrUpcast = (
  data: Readonly<Record<string, unknown>>,
  recorded: { readonly recordedAt: string },
) => Record<string, unknown>;

/**
 * Every shape change of the log, by event type and the version it lifts from. A type without
 * an entry for a version kept its shape in that release (the step is the identity). The stored
 * log is never rewritten: the stores apply these on every read (libs/commands registers them).
 */
export const OKR_UPCASTS: Readonly<
  Partial<Record<EventType, Readonly<Partial<Record<number, OkrUpcast>>>>>
> = {
  // Release 1 knew one clock: a value was true when it was recorded, and came from a person or
  // an unnamed integration (ADR 0014).
  KeyResultCheckedIn: {
    1: (data, { recordedAt }) => ({
      ...data,
      measuredAt: recordedAt,
      dataSourceId: null,
      externalId: null,
      correctsCheckInId: null,
    }),
  },
  // Release 1 had no visibility: everything was visible to the organisation, so that is what
  // those objectives were (and stay, until a ObjectiveVisibilityChanged says otherwise).
  ObjectiveSet: { 1: (data) => ({ ...data, visibility: 'PUBLIC' }) },
};
