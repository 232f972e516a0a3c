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
  requireText,
} from '../okr.errors';
import {
  CHECK_IN_SOURCES,
  KEY_RESULT_KINDS,
  KEY_RESULT_REDEFINABLE_FIELDS,
  KEY_RESULT_SCORINGS,
  KEY_RESULT_TYPES,
  type CheckInSource,
  type KeyResultDefinition,
  type KeyResultEvent,
} from './key-result.events';
import {
  evolveKeyResult,
  initialKeyResultState,
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
  | GraduateKeyResult
  | AddInitiative
  | CompleteInitiative;

/** What decide needs from the objective: the folded `Objective` state fits. */
export type KeyResultObjective = Pick<Objective, 'objectiveId' | 'cycleId' | 'status'>;

export interface KeyResultContext {
  /** Status of the key result's cycle, read from the cycle stream. */
  readonly cycleStatus: CycleStatus;
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
      const { checkInId, value, confidence, source, idempotencyKey } = command.data;
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
          },
        },
      ];
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
