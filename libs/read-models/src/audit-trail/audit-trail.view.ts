import type { AuditSignalKind, VisibilityScope } from '@okr-ledger/okr';

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
  /** The kinds of the audit signals that rest on this event (ADR 0016), sorted. */
  readonly signals: readonly AuditSignalKind[];
}

export interface AuditFilter {
  readonly aggregateId?: string | null;
  readonly cycleId?: string | null;
  readonly actorId?: string | null;
  readonly eventTypes?: readonly string[] | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
  readonly duringActiveCycleOnly?: boolean | null;
  /** Only events some signal of these kinds rests on. */
  readonly signals?: readonly AuditSignalKind[] | null;
  /**
   * Only the entries this scope may see (ADR 0017): those about no objective, and those about
   * an objective it may see as the event left it and now. Every entry when absent.
   */
  readonly visibleTo?: VisibilityScope | null;
}

/** The fields of a change that name another objective or key result (an alignment's parent). */
const PARENT_FIELDS = { parentObjective: 'objective', parentKeyResult: 'keyResult' } as const;

/** The objectives and key results the entries' alignment changes name, to be checked. */
export function parentsNamed(entries: readonly Pick<AuditEntryView, 'changes'>[]): {
  objectiveIds: string[];
  keyResultIds: string[];
} {
  const found = { objective: new Set<string>(), keyResult: new Set<string>() };
  for (const { changes } of entries) {
    for (const change of changes) {
      const kind = PARENT_FIELDS[change.field as keyof typeof PARENT_FIELDS];
      if (kind === undefined) continue;
      for (const value of [change.from, change.to]) {
        const id = value === null ? null : (JSON.parse(value) as unknown);
        if (typeof id === 'string') found[kind].add(id);
      }
    }
  }
  return { objectiveIds: [...found.objective], keyResultIds: [...found.keyResult] };
}

/**
 * The entry with every alignment change's parent the reader may not see shown as null, as the
 * alignment tree shows a visible child of a hidden parent as a root (ADR 0017).
 */
export function withoutHiddenParents<E extends Pick<AuditEntryView, 'changes'>>(
  entry: E,
  visible: { objective: (id: string) => boolean; keyResult: (id: string) => boolean },
): E {
  let masked = false;
  const changes = entry.changes.map((change) => {
    const kind = PARENT_FIELDS[change.field as keyof typeof PARENT_FIELDS];
    if (kind === undefined) return change;
    const mask = (value: string | null): string | null => {
      const id = value === null ? null : (JSON.parse(value) as unknown);
      if (typeof id !== 'string' || visible[kind](id)) return value;
      masked = true;
      return null;
    };
    return { ...change, from: mask(change.from), to: mask(change.to) };
  });
  return masked ? { ...entry, changes } : entry;
}
