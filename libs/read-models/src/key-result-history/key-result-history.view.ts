export interface KeyResultHistoryPoint {
  readonly at: Date;
  readonly position: string;
  readonly eventType: string;
  /** The current value after this point: the latest measured, not the last recorded. */
  readonly currentValue: number;
  /** A check-in point's own value and when it was true (ADR 0014); null for a definition. */
  readonly value: number | null;
  readonly measuredAt: Date | null;
  readonly targetValue: number;
  readonly startValue: number;
  readonly progress: number;
  readonly confidence: number | null;
}
