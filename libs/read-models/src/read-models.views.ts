/**
 * What the read models answer, as plain values: the API maps these to GraphQL models and
 * never sees a TypeORM entity. Every query is scoped to one tenant (its first argument);
 * another tenant's ids behave as if they did not exist. `version` is the number of events in
 * the aggregate's stream (stream revision + 1).
 */
import type { TeamMembership, VisibilityScope } from '@okr-ledger/okr';
import type { TeamMemberView, TeamView } from './teams/teams.view';
import type { CycleView } from './okr-tree/cycles.view';
import type { ObjectiveView, ObjectiveFilter } from './okr-tree/objectives.view';
import type { InitiativeView, KeyResultView } from './okr-tree/key-results.view';
import type { FieldChangeView, AuditEntryView, AuditFilter } from './audit-trail/audit-trail.view';
import type { AlignmentNodeView } from './okr-tree/alignment.view';
import type { KeyResultHistoryPoint } from './key-result-history/key-result-history.view';
import type { CheckInView } from './check-ins/check-ins.view';
import type { AuditSignalView } from './audit-signals/audit-signals.view';
import type { AuditSignalKind } from '@okr-ledger/okr';

// Each view lives in its read model's folder; this file gathers them for the API.
export type {
  TeamView,
  TeamMemberView,
  CycleView,
  ObjectiveView,
  ObjectiveFilter,
  InitiativeView,
  KeyResultView,
  FieldChangeView,
  AuditEntryView,
  AuditFilter,
  AlignmentNodeView,
  KeyResultHistoryPoint,
  CheckInView,
  AuditSignalView,
};

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

/** The read side the API depends on; `ReadModels` in this lib implements it on PostgreSQL. */
export interface ReadModelQueries {
  teams: {
    all(tenantId: string): Promise<TeamView[]>;
    byIds(tenantId: string, ids: readonly string[]): Promise<TeamView[]>;
    childrenOf(tenantId: string, parentIds: readonly string[]): Promise<TeamView[]>;
    /** The members of these teams, by team then person id. */
    membersOf(tenantId: string, teamIds: readonly string[]): Promise<TeamMemberView[]>;
    /**
     * Every team of the tenant with its parent, for `visibilityScope` (libs/okr), in one query.
     * With a person, `members` holds only that person's membership (all the scope looks at),
     * so its cost follows the number of teams, not of people.
     */
    memberships(tenantId: string, personId: string | null): Promise<TeamMembership[]>;
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
    tree(
      tenantId: string,
      cycleId: string,
      visibleTo?: VisibilityScope | null,
    ): Promise<AlignmentNodeView[]>;
  };
  keyResultHistory: {
    /** Oldest first. */
    series(tenantId: string, keyResultId: string): Promise<KeyResultHistoryPoint[]>;
  };
  auditSignals: {
    /** Per key result, oldest first; only the given kinds when `kinds` is non-empty. */
    byKeyResultIds(
      tenantId: string,
      keyResultIds: readonly string[],
      kinds?: readonly AuditSignalKind[] | null,
    ): Promise<AuditSignalView[]>;
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
