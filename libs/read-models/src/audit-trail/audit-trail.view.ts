import type { VisibilityScope } from '@okr-ledger/okr';

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

export interface AuditFilter {
  readonly aggregateId?: string | null;
  readonly cycleId?: string | null;
  readonly actorId?: string | null;
  readonly eventTypes?: readonly string[] | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
  readonly duringActiveCycleOnly?: boolean | null;
  /**
   * Only the entries this scope may see (ADR 0014): those about no objective, and those about
   * an objective it may see as the event left it and now. Every entry when absent.
   */
  readonly visibleTo?: VisibilityScope | null;
}
