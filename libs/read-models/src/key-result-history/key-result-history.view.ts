export interface KeyResultHistoryPoint {
  readonly at: Date;
  readonly position: string;
  readonly eventType: string;
  readonly currentValue: number;
  readonly targetValue: number;
  readonly startValue: number;
  readonly progress: number;
  readonly confidence: number | null;
}
