import { isPosition } from '@okr-ledger/event-store';
import { InvalidCursor, type CheckInView, type ReadModelQueries } from '../read-models.views';
import {
  clampFirst,
  decodeCursor,
  encodeCursor,
  toDate,
  toPage,
  type SqlRunner,
} from '../read-models.paging';

interface Row {
  id: string;
  key_result_id: string;
  cycle_id: string | null;
  value: number;
  confidence: number | null;
  plan: string | null;
  progress: string | null;
  problems: string | null;
  source: CheckInView['source'];
  actor_id: string;
  recorded_at: Date;
  measured_at: Date;
  data_source_id: string | null;
  external_id: string | null;
  corrects_check_in_id: string | null;
  position: string;
}

const toView = (r: Row): CheckInView => ({
  id: r.id,
  keyResultId: r.key_result_id,
  cycleId: r.cycle_id ?? '',
  value: r.value,
  confidence: r.confidence,
  plan: r.plan,
  progress: r.progress,
  problems: r.problems,
  source: r.source,
  actorId: r.actor_id,
  recordedAt: toDate(r.recorded_at),
  measuredAt: toDate(r.measured_at),
  dataSourceId: r.data_source_id,
  externalId: r.external_id,
  correctsCheckInId: r.corrects_check_in_id,
  position: r.position,
});

const CURSOR = 'check-ins';

export function checkInQueries(sql: SqlRunner): ReadModelQueries['checkIns'] {
  return {
    async byIds(tenantId, ids) {
      if (ids.length === 0) return [];
      const rows = await sql.query<Row[]>(
        `SELECT * FROM read_models.check_ins WHERE tenant_id = $1 AND id = ANY($2::text[])`,
        [tenantId, ids],
      );
      return rows.map(toView);
    },
    async page(tenantId, keyResultId, page) {
      const first = clampFirst(page);
      let before: string | null = null;
      if (page.after) {
        const [position = ''] = decodeCursor(CURSOR, page.after, 1);
        if (!isPosition(position)) throw new InvalidCursor(page.after);
        before = position;
      }
      const [rows, count] = await Promise.all([
        sql.query<Row[]>(
          `SELECT * FROM read_models.check_ins
            WHERE tenant_id = $1 AND key_result_id = $2 AND ($3::text IS NULL OR position < $3)
            ORDER BY position DESC LIMIT $4`,
          [tenantId, keyResultId, before, first + 1],
        ),
        sql.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM read_models.check_ins
            WHERE tenant_id = $1 AND key_result_id = $2`,
          [tenantId, keyResultId],
        ),
      ]);
      return toPage(rows, first, count[0]?.n ?? 0, before !== null, toView, (r) =>
        encodeCursor(CURSOR, r.position),
      );
    },
  };
}
