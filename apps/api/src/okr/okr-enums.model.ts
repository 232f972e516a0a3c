import { registerEnumType } from '@nestjs/graphql';
import {
  CHECK_IN_SOURCES,
  HEALTH_VALUES,
  KEY_RESULT_KINDS,
  KEY_RESULT_SCORINGS,
  KEY_RESULT_TYPES,
  type CheckInSource,
  type CycleStatus,
  type Health,
  type KeyResultKind,
  type KeyResultScoring,
  type KeyResultType,
} from '@okr-ledger/okr';

// GraphQL enums are built from the domain's own lists so the two can never drift apart.
const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const CycleStatusEnum = enumOf<CycleStatus>(['PLANNING', 'ACTIVE', 'CLOSED']);
export const KeyResultTypeEnum = enumOf<KeyResultType>(KEY_RESULT_TYPES);
export const KeyResultKindEnum = enumOf<KeyResultKind>(KEY_RESULT_KINDS);
export const KeyResultScoringEnum = enumOf<KeyResultScoring>(KEY_RESULT_SCORINGS);
export const HealthEnum = enumOf<Health>(HEALTH_VALUES);
export const CheckInSourceEnum = enumOf<CheckInSource>(CHECK_IN_SOURCES);
export const ReplayIntervalEnum = enumOf(['DAY', 'WEEK'] as const);
export type ReplayInterval = keyof typeof ReplayIntervalEnum;

registerEnumType(CycleStatusEnum, {
  name: 'CycleStatus',
  description: 'Where a cycle is in its life: PLANNING → ACTIVE → CLOSED.',
});
registerEnumType(KeyResultTypeEnum, {
  name: 'KeyResultType',
  description: 'How progress is computed from the start, target and current values.',
});
registerEnumType(KeyResultKindEnum, {
  name: 'KeyResultKind',
  description: 'INPUT (activity), OUTPUT (direct result) or OUTCOME (final objective).',
});
registerEnumType(KeyResultScoringEnum, {
  name: 'KeyResultScoring',
  description:
    'OWN_VALUE scores the key result by its own value; ALIGNED_OBJECTIVES rolls up the progress of the objectives aligned to it.',
});
registerEnumType(HealthEnum, {
  name: 'Health',
  description:
    'Progress against the time elapsed in the cycle: NOT_STARTED before the first check-in, DONE at progress 1.',
});
registerEnumType(CheckInSourceEnum, {
  name: 'CheckInSource',
  description: 'MANUAL (typed by a person) or INTEGRATION (pushed by a data source).',
});
registerEnumType(ReplayIntervalEnum, {
  name: 'ReplayInterval',
  description: 'The step between two frames of a cycle replay.',
});
