import type { CycleStatus } from '@okr-ledger/okr';

export interface CycleView {
  readonly id: string;
  readonly name: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly status: CycleStatus;
  /** cycleProgress of its objectives, kept current by the projection. */
  readonly progress: number;
  readonly version: number;
}
