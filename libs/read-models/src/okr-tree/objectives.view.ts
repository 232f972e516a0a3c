export interface ObjectiveView {
  readonly id: string;
  readonly cycleId: string;
  readonly title: string;
  readonly description: string | null;
  readonly ownerId: string | null;
  readonly teamId: string | null;
  readonly parentObjectiveId: string | null;
  readonly parentKeyResultId: string | null;
  readonly archived: boolean;
  /** objectiveProgress of its key results (with roll-ups), kept current by the projection. */
  readonly progress: number;
  /** Whether any of its key results was checked in: health is NOT_STARTED before. */
  readonly checkedIn: boolean;
  readonly version: number;
  readonly createdAt: Date;
}

export interface ObjectiveFilter {
  readonly cycleId?: string | null;
  readonly teamId?: string | null;
  readonly ownerId?: string | null;
  readonly includeArchived?: boolean;
}
