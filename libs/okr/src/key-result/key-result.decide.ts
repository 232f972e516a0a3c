import type { CycleStatus } from '../cycle/cycle.events';
import { applyFieldChanges, diffFields, type Decider } from '../decider';
import type { Objective } from '../objective/objective.state';
import {
  AggregateNotFound,
  DomainRuleViolation,
  optionalText,
  requireDateOrInstant,
  requireFinite,
  requireId,
  requireInstant,
  requireText,
} from '../okr.errors';
import {
  CHECK_IN_SOURCES,
  KEY_RESULT_KINDS,
  KEY_RESULT_REDEFINABLE_FIELDS,
  KEY_RESULT_SCORINGS,
  KEY_RESULT_TYPES,
  MEASUREMENT_CLOCK_SKEW_MS,
  type CheckInSource,
  type KeyResultDefinition,
  type KeyResultCheckedIn,
  type KeyResultEvent,
  type MeasurementRefusal,
} from './key-result.events';
import {
  evolveKeyResult,
  initialKeyResultState,
  sourceInstantKey,
  type KeyResult,
  type KeyResultState,
} from './key-result.state';

/** weight defaults to 1 and scoring to OWN_VALUE; the cycle comes from the objective. */
export type AddKeyResult = {
  readonly type: 'AddKeyResult';
  readonly data: Omit<KeyResultDefinition, 'weight' | 'scoring'> & {
    readonly keyResultId: string;
    readonly objectiveId: string;
    readonly weight?: number;
    readonly scoring?: KeyResultDefinition['scoring'];
  };
};
/** A field left undefined keeps its value; null clears a nullable field. */
export type RedefineKeyResult = {
  readonly type: 'RedefineKeyResult';
  readonly data: {
    readonly keyResultId: string;
    readonly changes: Partial<KeyResultDefinition>;
    readonly reason: string | null;
  };
};
export type CheckInKeyResult = {
  readonly type: 'CheckInKeyResult';
  readonly data: {
    readonly keyResultId: string;
    readonly checkInId: string;
    readonly value: number;
    readonly confidence: number | null;
    readonly plan: string | null;
    readonly progress: string | null;
    readonly problems: string | null;
    readonly source: CheckInSource;
    readonly idempotencyKey: string | null;
    /** When the value was true (ISO-8601 UTC); the handler defaults it to `now`. */
    readonly measuredAt: string;
    /** The handler's clock: a `measuredAt` beyond it (plus the clock skew) is refused. */
    readonly now: string;
  };
};
/** One value a data source sends for one key result. */
export interface KeyResultMeasurement {
  /** The id the check-in gets if the measurement is recorded. */
  readonly checkInId: string;
  readonly value: number;
  /** ISO-8601 UTC instant. */
  readonly measuredAt: string;
  readonly externalId: string | null;
  /** Becomes the check-in's `progress` note. */
  readonly note: string | null;
}
/**
 * A data source's values for one key result; each is accepted or refused on its own
 * (`assessMeasurement`), and one `KeyResultCheckedIn` is recorded per new value.
 */
export type RecordMeasurements = {
  readonly type: 'RecordMeasurements';
  readonly data: {
    readonly keyResultId: string;
    readonly dataSourceId: string;
    readonly measurements: readonly KeyResultMeasurement[];
    /** The handler's clock. */
    readonly now: string;
  };
};
export type GraduateKeyResult = {
  readonly type: 'GraduateKeyResult';
  readonly data: { readonly keyResultId: string; readonly reason: string | null };
};
export type AddInitiative = {
  readonly type: 'AddInitiative';
  readonly data: {
    readonly keyResultId: string;
    readonly initiativeId: string;
    readonly title: string;
    readonly dueDate: string | null;
  };
};
export type CompleteInitiative = {
  readonly type: 'CompleteInitiative';
  readonly data: { readonly keyResultId: string; readonly initiativeId: string };
};

export type KeyResultCommand =
  | AddKeyResult
  | RedefineKeyResult
  | CheckInKeyResult
  | RecordMeasurements
  | GraduateKeyResult
  | AddInitiative
  | CompleteInitiative;

/** What decide needs from the objective: the folded `Objective` state fits. */
export type KeyResultObjective = Pick<Objective, 'objectiveId' | 'cycleId' | 'status'>;

export interface KeyResultContext {
  /** Status of the key result's cycle, read from the cycle stream. */
  readonly cycleStatus: CycleStatus;
  /**
   * When the cycle closed (its CycleClosed event's recorded time), null or absent while it is
   * open. RecordMeasurements accepts values measured by then in a CLOSED cycle.
   */
  readonly cycleClosedAt?: string | null;
  /** Required by AddKeyResult (null or absent: the objective does not exist); ignored otherwise. */
  readonly objective?: KeyResultObjective | null;
}

const URL_PATTERN = /^https?:\/\/\S+$/;

function oneOf<T extends string>(allowed: readonly T[], value: T, field: string): T {
  if (!allowed.includes(value)) throw new DomainRuleViolation('INVALID_VALUE', field);
  return value;
}

/** Validates and normalises the given fields of a definition; undefined stays undefined. */
function normalise<T extends Partial<KeyResultDefinition>>(changes: T): T {
  const { title, type, kind, startValue, targetValue, unit, weight, dataSourceUrl, scoring } =
    changes;
  if (weight !== undefined && !(requireFinite(weight, 'weight') > 0)) {
    throw new DomainRuleViolation('INVALID_VALUE', 'weight', 'weight must be greater than 0');
  }
  if (dataSourceUrl !== undefined && dataSourceUrl !== null && !URL_PATTERN.test(dataSourceUrl)) {
    throw new DomainRuleViolation('INVALID_VALUE', 'dataSourceUrl', 'not an http(s) URL');
  }
  return {
    ...changes,
    ...(title !== undefined && { title: requireText(title, 'title') }),
    ...(type !== undefined && { type: oneOf(KEY_RESULT_TYPES, type, 'type') }),
    ...(kind !== undefined && { kind: oneOf(KEY_RESULT_KINDS, kind, 'kind') }),
    ...(scoring !== undefined && { scoring: oneOf(KEY_RESULT_SCORINGS, scoring, 'scoring') }),
    ...(startValue !== undefined && { startValue: requireFinite(startValue, 'startValue') }),
    ...(targetValue !== undefined && { targetValue: requireFinite(targetValue, 'targetValue') }),
    ...(unit !== undefined && { unit: optionalText(unit) }),
  };
}

/**
 * Convention: a MILESTONE goes from 0 (not done) to 1 (done), so its progress is its value and
 * a check-in is 0 or 1.
 */
function requireMilestoneShape(definition: KeyResultDefinition): void {
  if (definition.type !== 'MILESTONE') return;
  if (definition.startValue !== 0) {
    throw new DomainRuleViolation('INVALID_VALUE', 'startValue', 'a MILESTONE starts at 0');
  }
  if (definition.targetValue !== 1) {
    throw new DomainRuleViolation('INVALID_VALUE', 'targetValue', 'a MILESTONE targets 1');
  }
}

function existing(state: KeyResultState, keyResultId: string): KeyResult {
  if (state === null) throw new AggregateNotFound('KeyResult', keyResultId);
  return state;
}

/** Closing a cycle freezes its scores: nothing about its key results changes afterwards. */
function rejectFrozen(cycleStatus: CycleStatus): void {
  if (cycleStatus === 'CLOSED') throw new DomainRuleViolation('CYCLE_CLOSED');
}

/** Once the cycle is ACTIVE, changing how a key result is scored needs a stated reason. */
function reasonFor(reason: string | null, cycleStatus: CycleStatus): string | null {
  const normalised = optionalText(reason);
  if (normalised === null && cycleStatus === 'ACTIVE') {
    throw new DomainRuleViolation('REASON_REQUIRED', 'reason');
  }
  return normalised;
}

/** What assessing a measurement needs of its key result's cycle. */
export interface MeasurementCycle {
  readonly status: CycleStatus;
  /** When it closed; null while open (or unknown: then nothing is accepted once CLOSED). */
  readonly closedAt: string | null;
}

export type MeasurementAssessment =
  | {
      readonly accepted: true;
      /** The recorded check-in's id, or the earlier one's when nothing new was recorded. */
      readonly checkInId: string;
      /** False when the data source sent the same value for the same instant before. */
      readonly recorded: boolean;
      /** Set when it replaces another value of the same data source for the same instant. */
      readonly correctsCheckInId: string | null;
    }
  | { readonly accepted: false; readonly reason: MeasurementRefusal };

const instantOrNaN = (iso: string): number => {
  try {
    return requireInstant(iso, 'measuredAt');
  } catch {
    return Number.NaN;
  }
};

/** A person's or a data source's `measuredAt` must not lie beyond now plus the clock skew. */
function inFuture(measuredAtMs: number, now: string): boolean {
  return measuredAtMs > Date.parse(now) + MEASUREMENT_CLOCK_SKEW_MS;
}

/**
 * Decides one data-source measurement against the key result as it is (pure). The rules
 * (ADR 0014): the same value for the same instant from the same data source is accepted and
 * not recorded again; another value for that instant is recorded as a correction; in a CLOSED
 * cycle a value measured by the close is accepted as a late value (the frozen score stays),
 * one measured after it is refused.
 */
export function assessMeasurement(
  state: KeyResult,
  cycle: MeasurementCycle,
  measurement: KeyResultMeasurement & { readonly dataSourceId: string },
  now: string,
): MeasurementAssessment {
  const measuredAtMs = instantOrNaN(measurement.measuredAt);
  if (Number.isNaN(measuredAtMs)) return { accepted: false, reason: 'MEASURED_AT_INVALID' };
  const { value } = measurement;
  if (!Number.isFinite(value)) return { accepted: false, reason: 'VALUE_NOT_FINITE' };
  if (state.type === 'MILESTONE' && value !== 0 && value !== 1) {
    return { accepted: false, reason: 'VALUE_NOT_MILESTONE' };
  }
  const earlier = state.measurementsBySourceInstant.get(
    sourceInstantKey(measurement.dataSourceId, measurement.measuredAt),
  );
  // A resend (retry, overlapping batches) answers the value recorded then, even after a close.
  if (earlier !== undefined && Object.is(earlier.value, value)) {
    return {
      accepted: true,
      checkInId: earlier.checkInId,
      recorded: false,
      correctsCheckInId: null,
    };
  }
  if (inFuture(measuredAtMs, now)) return { accepted: false, reason: 'MEASURED_IN_FUTURE' };
  if (cycle.status === 'CLOSED') {
    const closedAtMs = cycle.closedAt === null ? Number.NaN : Date.parse(cycle.closedAt);
    if (!(measuredAtMs <= closedAtMs)) return { accepted: false, reason: 'CYCLE_CLOSED' };
  }
  return {
    accepted: true,
    checkInId: measurement.checkInId,
    recorded: true,
    correctsCheckInId: earlier?.checkInId ?? null,
  };
}

/**
 * Every measurement of a RecordMeasurements assessed in order, each against the key result
 * after the ones before it were recorded (a batch may repeat or correct itself), with the
 * events to record. `decide` records these; handlers answer each measurement from them.
 */
export function assessMeasurements(
  state: KeyResult,
  cycle: MeasurementCycle,
  data: RecordMeasurements['data'],
): { assessments: MeasurementAssessment[]; events: KeyResultCheckedIn[] } {
  const assessments: MeasurementAssessment[] = [];
  const events: KeyResultCheckedIn[] = [];
  let current = state;
  for (const measurement of data.measurements) {
    const assessment = assessMeasurement(
      current,
      cycle,
      { ...measurement, dataSourceId: data.dataSourceId },
      data.now,
    );
    assessments.push(assessment);
    if (!assessment.accepted || !assessment.recorded) continue;
    const event: KeyResultCheckedIn = {
      type: 'KeyResultCheckedIn',
      data: {
        keyResultId: current.keyResultId,
        checkInId: assessment.checkInId,
        value: measurement.value,
        previousValue: current.currentValue,
        confidence: null,
        plan: null,
        progress: optionalText(measurement.note),
        problems: null,
        source: 'INTEGRATION',
        idempotencyKey: null,
        measuredAt: new Date(Date.parse(measurement.measuredAt)).toISOString(),
        dataSourceId: data.dataSourceId,
        externalId: measurement.externalId,
        correctsCheckInId: assessment.correctsCheckInId,
      },
    };
    events.push(event);
    current = evolveKeyResult(current, event) ?? current;
  }
  return { assessments, events };
}

export function decideKeyResult(
  command: KeyResultCommand,
  state: KeyResultState,
  context: KeyResultContext,
): KeyResultEvent[] {
  switch (command.type) {
    case 'AddKeyResult': {
      const { keyResultId, objectiveId } = command.data;
      if (state !== null) throw new DomainRuleViolation('ALREADY_EXISTS', 'id');
      const objective = context.objective;
      if (objective === undefined || objective === null || objective.objectiveId !== objectiveId) {
        throw new AggregateNotFound('Objective', objectiveId);
      }
      rejectFrozen(context.cycleStatus);
      if (objective.status === 'ARCHIVED') throw new DomainRuleViolation('OBJECTIVE_ARCHIVED');
      requireId(keyResultId, 'id');
      const definition = normalise<KeyResultDefinition>({
        title: command.data.title,
        ownerId: command.data.ownerId,
        type: command.data.type,
        kind: command.data.kind,
        startValue: command.data.startValue,
        targetValue: command.data.targetValue,
        unit: command.data.unit,
        weight: command.data.weight ?? 1,
        dataSourceUrl: command.data.dataSourceUrl,
        scoring: command.data.scoring ?? 'OWN_VALUE',
      });
      const data = { keyResultId, objectiveId, cycleId: objective.cycleId, ...definition };
      requireMilestoneShape(data);
      return [{ type: 'KeyResultAdded', data }];
    }
    case 'RedefineKeyResult': {
      const keyResult = existing(state, command.data.keyResultId);
      rejectFrozen(context.cycleStatus);
      // The definition a health metric was scored by stays as it was; relaxing this later is
      // compatible, tightening it would not be.
      if (keyResult.healthMetric) throw new DomainRuleViolation('KEY_RESULT_GRADUATED');
      const changes = diffFields(
        keyResult,
        normalise(command.data.changes),
        KEY_RESULT_REDEFINABLE_FIELDS,
      );
      if (changes.length === 0) throw new DomainRuleViolation('NOTHING_CHANGED');
      requireMilestoneShape(applyFieldChanges<KeyResultDefinition, KeyResult>(keyResult, changes));
      const reason = reasonFor(command.data.reason, context.cycleStatus);
      return [
        {
          type: 'KeyResultRedefined',
          data: { keyResultId: keyResult.keyResultId, changes, reason },
        },
      ];
    }
    case 'CheckInKeyResult': {
      const keyResult = existing(state, command.data.keyResultId);
      const { checkInId, value, confidence, source, idempotencyKey, now } = command.data;
      // A retry after a lost reply records nothing; the caller answers with the first check-in.
      if (idempotencyKey !== null && keyResult.checkInIdsByIdempotencyKey.has(idempotencyKey)) {
        return [];
      }
      rejectFrozen(context.cycleStatus);
      requireId(checkInId, 'checkInId');
      requireFinite(value, 'value');
      if (keyResult.type === 'MILESTONE' && value !== 0 && value !== 1) {
        throw new DomainRuleViolation('INVALID_VALUE', 'value', 'a MILESTONE is 0 or 1');
      }
      if (confidence !== null && !(confidence >= 0 && confidence <= 1)) {
        throw new DomainRuleViolation('INVALID_VALUE', 'confidence', 'confidence is within 0..1');
      }
      oneOf(CHECK_IN_SOURCES, source, 'source');
      const measuredAtMs = requireInstant(command.data.measuredAt, 'measuredAt');
      if (inFuture(measuredAtMs, now)) {
        throw new DomainRuleViolation(
          'MEASURED_IN_FUTURE',
          'measuredAt',
          'measuredAt is later than now: a value is recorded once it was true',
        );
      }
      return [
        {
          type: 'KeyResultCheckedIn',
          data: {
            keyResultId: keyResult.keyResultId,
            checkInId,
            value,
            previousValue: keyResult.currentValue,
            confidence,
            plan: optionalText(command.data.plan),
            progress: optionalText(command.data.progress),
            problems: optionalText(command.data.problems),
            source,
            idempotencyKey,
            measuredAt: new Date(measuredAtMs).toISOString(),
            dataSourceId: null,
            externalId: null,
            correctsCheckInId: null,
          },
        },
      ];
    }
    case 'RecordMeasurements': {
      const keyResult = existing(state, command.data.keyResultId);
      requireId(command.data.dataSourceId, 'dataSourceId');
      requireInstant(command.data.now, 'now');
      for (const measurement of command.data.measurements) {
        requireId(measurement.checkInId, 'checkInId');
      }
      const cycle = { status: context.cycleStatus, closedAt: context.cycleClosedAt ?? null };
      return assessMeasurements(keyResult, cycle, command.data).events;
    }
    case 'GraduateKeyResult': {
      const keyResult = existing(state, command.data.keyResultId);
      rejectFrozen(context.cycleStatus);
      if (keyResult.healthMetric) throw new DomainRuleViolation('KEY_RESULT_GRADUATED');
      // Graduating drops the key result from its objective's score, like a redefinition.
      const reason = reasonFor(command.data.reason, context.cycleStatus);
      return [{ type: 'KeyResultGraduated', data: { keyResultId: keyResult.keyResultId, reason } }];
    }
    case 'AddInitiative': {
      const keyResult = existing(state, command.data.keyResultId);
      const { initiativeId, dueDate } = command.data;
      rejectFrozen(context.cycleStatus);
      if (keyResult.initiatives.has(initiativeId)) {
        throw new DomainRuleViolation('ALREADY_EXISTS', 'initiativeId');
      }
      requireId(initiativeId, 'initiativeId');
      const title = requireText(command.data.title, 'title');
      if (dueDate !== null) requireDateOrInstant(dueDate, 'dueDate');
      return [
        {
          type: 'InitiativeAdded',
          data: { keyResultId: keyResult.keyResultId, initiativeId, title, dueDate },
        },
      ];
    }
    case 'CompleteInitiative': {
      const keyResult = existing(state, command.data.keyResultId);
      const { initiativeId } = command.data;
      rejectFrozen(context.cycleStatus);
      const initiative = keyResult.initiatives.get(initiativeId);
      if (initiative === undefined) throw new AggregateNotFound('Initiative', initiativeId);
      if (initiative.completed) throw new DomainRuleViolation('NOTHING_CHANGED');
      return [
        { type: 'InitiativeCompleted', data: { keyResultId: keyResult.keyResultId, initiativeId } },
      ];
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown key-result command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

export const keyResultDecider: Decider<
  KeyResultState,
  KeyResultCommand,
  KeyResultEvent,
  KeyResultContext
> = {
  decide: decideKeyResult,
  evolve: evolveKeyResult,
  initialState: initialKeyResultState,
};
