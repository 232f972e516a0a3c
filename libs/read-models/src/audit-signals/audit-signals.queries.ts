import type { AuditSignalKind, SignalEvidence } from '@okr-ledger/okr';
import type { ReadModelQueries } from '../read-models.views';
import { toDate, type SqlRunner } from '../read-models.paging';
import type { AuditSignalView } from './audit-signals.view';

interface Row {
  key_result_id: string;
  position: string;
  kind: AuditSignalKind;
  detected_at: Date;
  summary: string;
  rests_on: SignalEvidence[];
}

const toView = (r: Row): AuditSignalView => ({
  kind: r.kind,
  keyResultId: r.key_result_id,
  position: r.position,
  detectedAt: toDate(r.detected_at),
  summary: r.summary,
  restsOn: r.rests_on,
});

export function auditSignalQueries(sql: SqlRunner): ReadModelQueries['auditSignals'] {
  return {
    async byKeyResultIds(tenantId, keyResultIds, kinds) {
      if (keyResultIds.length === 0) return [];
      const rows = await sql.query<Row[]>(
        `SELECT * FROM read_models.audit_signals
          WHERE tenant_id = $1 AND key_result_id = ANY($2::text[])
            AND ($3::text[] IS NULL OR kind = ANY($3::text[]))
          ORDER BY key_result_id, position, kind`,
        [tenantId, [...keyResultIds], kinds && kinds.length > 0 ? [...kinds] : null],
      );
      return rows.map(toView);
    },
  };
}
