import { isPosition } from '@okr-ledger/event-store';
import type { AuditSignalKind, VisibilityScope } from '@okr-ledger/okr';
import {
  InvalidCursor,
  type AuditEntryView,
  type FieldChangeView,
  type ReadModelQueries,
} from '../read-models.views';
import {
  clampFirst,
  decodeCursor,
  encodeCursor,
  toDate,
  toPage,
  type SqlRunner,
  TenantConditions,
} from '../read-models.paging';
import { visibleObjectiveSql } from '../okr-tree/visibility.queries';

interface Row {
  position: string;
  event_id: string;
  occurred_at: Date;
  actor_id: string;
  aggregate_type: string;
  aggregate_id: string;
  cycle_id: string | null;
  event_type: string;
  changes: FieldChangeView[];
  reason: string | null;
  source: string | null;
  during_active_cycle: boolean;
  signals: AuditSignalKind[];
}

const toView = (r: Row): AuditEntryView => ({
  id: r.event_id,
  position: r.position,
  occurredAt: toDate(r.occurred_at),
  actorId: r.actor_id,
  aggregateType: r.aggregate_type,
  aggregateId: r.aggregate_id,
  cycleId: r.cycle_id,
  eventType: r.event_type,
  changes: r.changes,
  reason: r.reason,
  source: r.source,
  duringActiveCycle: r.during_active_cycle,
  signals: r.signals,
});

const CURSOR = 'audit';

/**
 * Whether a row of read_models.audit_entries is one the scope may see (ADR 0017): about no
 * objective (teams, cycles), or about an objective the scope may see as the event left it (the
 * entry's columns) and now (audit_objective_access); an AUDITOR's scope sees every row. The
 * scope's values are appended to `values`; `entries` names the audit_entries row (its alias).
 */
export function visibleAuditEntrySql(
  scope: VisibilityScope,
  values: unknown[],
  entries = 'audit_entries',
): string {
  if (scope.everything) return 'TRUE';
  const then = visibleObjectiveSql(scope, values, entries);
  const now = visibleObjectiveSql(scope, values, 'a');
  // An objective's or key result's entry without its objective is one written before this
  // projection's version 2, until its rebuild swaps in: hidden rather than guessed.
  return `((${entries}.objective_id IS NULL
            AND ${entries}.aggregate_type NOT IN ('Objective', 'KeyResult'))
    OR (${then} AND EXISTS (
    SELECT 1 FROM read_models.audit_objective_access a
     WHERE a.tenant_id = ${entries}.tenant_id AND a.objective_id = ${entries}.objective_id
       AND ${now})))`;
}

export function auditTrailQueries(sql: SqlRunner): ReadModelQueries['auditTrail'] {
  return {
    /** Every filter is an equality or range on an indexed column, tenant first. */
    async page(tenantId, filter, page) {
      const first = clampFirst(page);
      const conditions = new TenantConditions(tenantId);
      const { values, where } = conditions;
      const add = conditions.add.bind(conditions);
      if (filter.aggregateId) add('aggregate_id = ?', filter.aggregateId);
      if (filter.cycleId) add('cycle_id = ?', filter.cycleId);
      if (filter.actorId) add('actor_id = ?', filter.actorId);
      if (filter.eventTypes && filter.eventTypes.length > 0) {
        add('event_type = ANY(?::text[])', [...filter.eventTypes]);
      }
      if (filter.from) add('occurred_at >= ?', filter.from);
      if (filter.to) add('occurred_at <= ?', filter.to);
      if (filter.duringActiveCycleOnly) where.push('during_active_cycle');
      if (filter.signals && filter.signals.length > 0) {
        add(
          `EXISTS (SELECT 1 FROM read_models.audit_signal_evidence s
                    WHERE s.tenant_id = e.tenant_id AND s.evidence_position = e.position
                      AND s.kind = ANY(?::text[]))`,
          [...filter.signals],
        );
      }
      if (filter.visibleTo) where.push(visibleAuditEntrySql(filter.visibleTo, values, 'e'));
      const countWhere = where.join(' AND ');
      const countValues = [...values];
      if (page.after) {
        const [position = ''] = decodeCursor(CURSOR, page.after, 1);
        if (!isPosition(position)) throw new InvalidCursor(page.after);
        add('position > ?', position);
      }
      values.push(first + 1);
      const [rows, count] = await Promise.all([
        sql.query<Row[]>(
          // The signals resting on each entry: a primary-key lookup per row of the page.
          `SELECT e.*, ARRAY(SELECT DISTINCT s.kind FROM read_models.audit_signal_evidence s
                              WHERE s.tenant_id = e.tenant_id AND s.evidence_position = e.position
                              ORDER BY s.kind) AS signals
             FROM read_models.audit_entries e WHERE ${where.join(' AND ')}
            ORDER BY position LIMIT $${values.length}`,
          values,
        ),
        sql.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM read_models.audit_entries e WHERE ${countWhere}`,
          countValues,
        ),
      ]);
      return toPage(rows, first, count[0]?.n ?? 0, Boolean(page.after), toView, (r) =>
        encodeCursor(CURSOR, r.position),
      );
    },
  };
}
