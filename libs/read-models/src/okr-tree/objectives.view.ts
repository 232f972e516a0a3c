import type { Visibility, VisibilityScope } from '@okr-ledger/okr';

export interface ObjectiveView {
  readonly id: string;
  readonly cycleId: string;
  readonly title: string;
  readonly description: string | null;
  readonly ownerId: string | null;
  readonly teamId: string | null;
  readonly parentObjectiveId: string | null;
  readonly parentKeyResultId: string | null;
  /** With ownerId, teamId and sharedWith, what `canSee` (libs/okr) decides on. */
  readonly visibility: Visibility;
  readonly sharedWith: readonly string[];
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
  /** Only the objectives this scope may see (`canSee`, in SQL); every one when absent. */
  readonly visibleTo?: VisibilityScope | null;
}
