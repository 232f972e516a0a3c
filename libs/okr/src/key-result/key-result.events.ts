import type { DomainEvent, FieldChangeOf } from '../decider';

export const keyResultStream = (keyResultId: string): string => `key-result-${keyResultId}`;

export const KEY_RESULT_TYPES = [
  'INCREASE',
  'DECREASE',
  'STAY_ABOVE',
  'STAY_BELOW',
  'MILESTONE',
] as const;
export type KeyResultType = (typeof KEY_RESULT_TYPES)[number];

/** Activity, direct result, or final objective. */
export const KEY_RESULT_KINDS = ['INPUT', 'OUTPUT', 'OUTCOME'] as const;
export type KeyResultKind = (typeof KEY_RESULT_KINDS)[number];

/** OWN_VALUE scores the key result's value; ALIGNED_OBJECTIVES rolls up its aligned objectives. */
export const KEY_RESULT_SCORINGS = ['OWN_VALUE', 'ALIGNED_OBJECTIVES'] as const;
export type KeyResultScoring = (typeof KEY_RESULT_SCORINGS)[number];

export const CHECK_IN_SOURCES = ['MANUAL', 'INTEGRATION'] as const;
export type CheckInSource = (typeof CHECK_IN_SOURCES)[number];

/**
 * Why a data source's measurement was not accepted (public: `MeasurementResult.reason`).
 * - `MEASURED_AT_INVALID`: `measuredAt` is not an ISO-8601 UTC instant.
 * - `MEASURED_IN_FUTURE`: `measuredAt` is later than now plus the allowed clock skew.
 * - `VALUE_NOT_FINITE`: the value is NaN or infinite.
 * - `VALUE_NOT_MILESTONE`: a MILESTONE's value is neither 0 nor 1.
 * - `CYCLE_CLOSED`: the cycle closed before `measuredAt` (values measured by its close are
 *   still accepted as late values: they fill history, the frozen score stays).
 */
export const MEASUREMENT_REFUSALS = [
  'MEASURED_AT_INVALID',
  'MEASURED_IN_FUTURE',
  'VALUE_NOT_FINITE',
  'VALUE_NOT_MILESTONE',
  'CYCLE_CLOSED',
] as const;
export type MeasurementRefusal = (typeof MEASUREMENT_REFUSALS)[number];

/**
 * How far in the future a `measuredAt` may lie (the sender's or the person's clock running
 * ahead of ours); later is refused.
 */
export const MEASUREMENT_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The redefinable fields, keyed by their GraphQL names. */
export type KeyResultDefinition = {
  readonly title: string;
  readonly ownerId: string | null;
  readonly type: KeyResultType;
  readonly kind: KeyResultKind;
  readonly startValue: number;
  readonly targetValue: number;
  readonly unit: string | null;
  /** > 0; 1 by default, so key results weigh equally unless someone decides otherwise. */
  readonly weight: number;
  readonly dataSourceUrl: string | null;
  readonly scoring: KeyResultScoring;
};
export const KEY_RESULT_REDEFINABLE_FIELDS = [
  'title',
  'ownerId',
  'type',
  'kind',
  'startValue',
  'targetValue',
  'unit',
  'weight',
  'dataSourceUrl',
  'scoring',
] as const satisfies readonly (keyof KeyResultDefinition)[];

/** The fields a redefinition may clear (set to null): exactly the nullable ones. */
export const KEY_RESULT_CLEARABLE_FIELDS = [
  'ownerId',
  'unit',
  'dataSourceUrl',
] as const satisfies readonly NullableField[];

type NullableField = {
  [F in keyof KeyResultDefinition]: null extends KeyResultDefinition[F] ? F : never;
}[keyof KeyResultDefinition];
// Fails to compile when a nullable field is missing from the list above.
const _everyNullableFieldListed: [
  Exclude<NullableField, (typeof KEY_RESULT_CLEARABLE_FIELDS)[number]>,
] extends [never]
  ? true
  : false = true;

export function isClearableKeyResultField(field: string): boolean {
  return (KEY_RESULT_CLEARABLE_FIELDS as readonly string[]).includes(field);
}

export type KeyResultFieldChange = FieldChangeOf<KeyResultDefinition>;

/** The current value starts at startValue. */
export type KeyResultAdded = DomainEvent<
  'KeyResultAdded',
  KeyResultDefinition & {
    readonly keyResultId: string;
    readonly objectiveId: string;
    readonly cycleId: string;
  }
>;
/** Only the fields that really changed, each with its old and new value. */
export type KeyResultRedefined = DomainEvent<
  'KeyResultRedefined',
  {
    readonly keyResultId: string;
    readonly changes: readonly KeyResultFieldChange[];
    readonly reason: string | null;
  }
>;
export type KeyResultCheckedIn = DomainEvent<
  'KeyResultCheckedIn',
  {
    readonly keyResultId: string;
    readonly checkInId: string;
    readonly value: number;
    readonly previousValue: number;
    /** 0..1, stated by a person; never derived from progress. */
    readonly confidence: number | null;
    readonly plan: string | null;
    readonly progress: string | null;
    readonly problems: string | null;
    readonly source: CheckInSource;
    readonly idempotencyKey: string | null;
    /**
     * When the value was true (ISO-8601 UTC instant); the ledger learned it at the event's
     * recorded time. The current value is the latest measured (ADR 0014). Release 1 events are
     * upcast with their recorded time.
     */
    readonly measuredAt: string;
    /** The data source that sent the value; null for a person. */
    readonly dataSourceId: string | null;
    /** The sender's own id for the value, kept for tracing it back. */
    readonly externalId: string | null;
    /**
     * The check-in this one replaces: the same data source sent another value for the same
     * `measuredAt`. A correction is a new fact, never an edit.
     */
    readonly correctsCheckInId: string | null;
  }
>;
/** The key result becomes a health metric: monitored, no longer scored, history kept. */
export type KeyResultGraduated = DomainEvent<
  'KeyResultGraduated',
  { readonly keyResultId: string; readonly reason: string | null }
>;
/** Initiatives drive a key result but never count toward its progress. */
export type InitiativeAdded = DomainEvent<
  'InitiativeAdded',
  {
    readonly keyResultId: string;
    readonly initiativeId: string;
    readonly title: string;
    /** UTC ISO-8601 date (YYYY-MM-DD) or instant. */
    readonly dueDate: string | null;
  }
>;
export type InitiativeCompleted = DomainEvent<
  'InitiativeCompleted',
  { readonly keyResultId: string; readonly initiativeId: string }
>;

export type KeyResultEvent =
  | KeyResultAdded
  | KeyResultRedefined
  | KeyResultCheckedIn
  | KeyResultGraduated
  | InitiativeAdded
  | InitiativeCompleted;

export const KEY_RESULT_EVENT_TYPES = [
  'KeyResultAdded',
  'KeyResultRedefined',
  'KeyResultCheckedIn',
  'KeyResultGraduated',
  'InitiativeAdded',
  'InitiativeCompleted',
] as const satisfies readonly KeyResultEvent['type'][];
