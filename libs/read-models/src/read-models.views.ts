/**
 * What the read models answer, as plain values: the API maps these to GraphQL models and
 * never sees a TypeORM entity. Every query is scoped to one tenant (its first argument);
 * another tenant's ids behave as if they did not exist. `version` is the number of events in
 * the aggregate's stream (stream revision + 1).
 */
import type {
  CheckInSource,
  CycleStatus,
  KeyResultKind,
  KeyResultScoring,
  KeyResultType,
} from '@okr-ledger/okr';

export interface TeamView {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly version: number;
}

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
  readonly currentValue: number;
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

export interface CheckInView {
  readonly id: string;
  readonly keyResultId: string;
  readonly cycleId: string;
  readonly value: number;
  readonly confidence: number | null;
  readonly plan: string | null;
  readonly progress: string | null;
  readonly problems: string | null;
  readonly source: CheckInSource;
  readonly actorId: string;
  readonly recordedAt: Date;
  readonly position: string;
}

export interface FieldChangeView {
  readonly field: string;
  /** JSON-encoded values; null when the field had no value before (or after). */
  readonly from: string | null;
  readonly to: string | null;
}

export interface AuditEntryView {
  /** The event id. */
  readonly id: string;
  readonly position: string;
  readonly occurredAt: Date;
  readonly actorId: string;
  /** Team | Cycle | Objective | KeyResult */
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly cycleId: string | null;
  readonly eventType: string;
  readonly changes: readonly FieldChangeView[];
  readonly reason: string | null;
  readonly source: string | null;
  readonly duringActiveCycle: boolean;
}

export interface AlignmentNodeView {
  readonly objectiveId: string;
  /** The parent objective, or for an objective aligned to a key result, that key result's objective. */
  readonly parentId: string | null;
  readonly depth: number;
  readonly progress: number;
}

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

/** A page in the order of the query; cursors are opaque strings. */
export interface Page<T> {
  readonly items: readonly { readonly cursor: string; readonly node: T }[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
  readonly totalCount: number;
}

export interface PageRequest {
  /** 1..100; the API defaults it. */
  readonly first: number;
  /** Exclusive; an invalid cursor is an InvalidCursor error (BAD_USER_INPUT). */
  readonly after?: string | null;
}

export interface ObjectiveFilter {
  readonly cycleId?: string | null;
  readonly teamId?: string | null;
  readonly ownerId?: string | null;
  readonly includeArchived?: boolean;
}

export interface AuditFilter {
  readonly aggregateId?: string | null;
  readonly cycleId?: string | null;
  readonly actorId?: string | null;
  readonly eventTypes?: readonly string[] | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
  readonly duringActiveCycleOnly?: boolean | null;
}

/** The read side the API depends on; `ReadModels` in this lib implements it on PostgreSQL. */
export interface ReadModelQueries {
  teams: {
    all(tenantId: string): Promise<TeamView[]>;
    byIds(tenantId: string, ids: readonly string[]): Promise<TeamView[]>;
    childrenOf(tenantId: string, parentIds: readonly string[]): Promise<TeamView[]>;
  };
  cycles: {
    all(tenantId: string): Promise<CycleView[]>;
    byIds(tenantId: string, ids: readonly string[]): Promise<CycleView[]>;
  };
  objectives: {
    byIds(tenantId: string, ids: readonly string[]): Promise<ObjectiveView[]>;
    /** Ordered by creation (oldest first), then id. */
    page(
      tenantId: string,
      filter: ObjectiveFilter,
      page: PageRequest,
    ): Promise<Page<ObjectiveView>>;
    /** Objectives aligned to these objectives directly or to one of their key results. */
    childrenOf(tenantId: string, parentObjectiveIds: readonly string[]): Promise<ObjectiveView[]>;
  };
  keyResults: {
    byIds(tenantId: string, ids: readonly string[]): Promise<KeyResultView[]>;
    byObjectiveIds(tenantId: string, objectiveIds: readonly string[]): Promise<KeyResultView[]>;
  };
  checkIns: {
    byIds(tenantId: string, ids: readonly string[]): Promise<CheckInView[]>;
    /** Newest first. */
    page(tenantId: string, keyResultId: string, page: PageRequest): Promise<Page<CheckInView>>;
  };
  auditTrail: {
    /** Oldest first (global position). */
    page(tenantId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntryView>>;
  };
  alignment: {
    /** The whole current tree of a cycle in one recursive query: pre-order, roots first. */
    tree(tenantId: string, cycleId: string): Promise<AlignmentNodeView[]>;
  };
  keyResultHistory: {
    /** Oldest first. */
    series(tenantId: string, keyResultId: string): Promise<KeyResultHistoryPoint[]>;
  };
}

/** Read-your-writes for the API, and lag for /health. */
export interface ProjectionProgress {
  /** Resolves true once every projection's checkpoint is ≥ position, false after timeoutMs. */
  waitForPosition(position: string, timeoutMs: number): Promise<boolean>;
  lag(): Promise<readonly ProjectionLag[]>;
  /**
   * The projections halted for this tenant (an event they could not apply), empty when none:
   * a write of that tenant is recorded but its read models do not show it until a retry.
   */
  stalls(tenantId: string): Promise<readonly ProjectionStall[]>;
  /** Every projection halted for any tenant, for /health. */
  allStalls(): Promise<readonly ProjectionStall[]>;
}

/** One projection halted for one tenant at the first event it could not apply. */
export interface ProjectionStall {
  readonly projection: string;
  readonly tenantId: string;
  /** Global position of the event that failed (opaque, as in checkpoints). */
  readonly position: string;
  readonly eventId: string;
  readonly streamName: string;
  readonly eventType: string;
  /** The error's message, as recorded when it stalled. */
  readonly error: string;
  readonly stalledAt: Date;
}

export interface ProjectionLag {
  readonly projection: string;
  readonly checkpoint: string;
  readonly eventsBehind: number;
  readonly millisecondsBehind: number;
}

/** An `after` cursor that this query did not hand out. */
export class InvalidCursor extends Error {
  override readonly name = 'InvalidCursor';
  constructor(readonly cursor: string) {
    super(`invalid cursor "${cursor}"`);
  }
}
