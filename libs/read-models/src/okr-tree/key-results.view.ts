import type { KeyResultKind, KeyResultScoring, KeyResultType } from '@okr-ledger/okr';

export interface InitiativeView {
  readonly id: string;
  readonly title: string;
  readonly dueDate: string | null;
  readonly completed: boolean;
}

export interface KeyResultView {
  readonly id: string;
  readonly objectiveId: string;
  readonly cycleId: string;
  readonly title: string;
  readonly ownerId: string | null;
  readonly type: KeyResultType;
  readonly kind: KeyResultKind;
  readonly scoring: KeyResultScoring;
  readonly startValue: number;
  readonly targetValue: number;
  /** The value with the latest measuredAt (ADR 0014). */
  readonly currentValue: number;
  /** When the current value was true; null before the first check-in. */
  readonly measuredAt: Date | null;
  readonly unit: string | null;
  readonly weight: number;
  /** The progress it contributes (own value, or rolled up from aligned objectives). */
  readonly progress: number;
  readonly confidence: number | null;
  readonly dataSourceUrl: string | null;
  readonly healthMetric: boolean;
  readonly checkInCount: number;
  readonly initiatives: readonly InitiativeView[];
  readonly version: number;
}
