import { isFeedStale, isStale } from '@okr-ledger/okr';
import type { SqlRunner } from '../read-models.paging';
import type {
  DataSourceStalenessSummary,
  DataSourceView,
  KeyResultFeedView,
} from './data-sources.view';

interface Row {
  tenant_id: string;
  id: string;
  name: string;
  kind: string;
  expected_interval_hours: number;
  revoked: boolean;
  registered_at: Date;
  version: number;
  key_result_ids: string[] | null;
  last_value_at: Date | null;
}

const SELECT_SOURCES = `
  SELECT s.tenant_id, s.id, s.name, s.kind, s.expected_interval_hours, s.revoked,
         s.registered_at, s.version,
         array_agg(k.key_result_id ORDER BY k.key_result_id)
           FILTER (WHERE k.key_result_id IS NOT NULL) AS key_result_ids,
         max(k.last_value_at) AS last_value_at
    FROM read_models.data_sources s
    LEFT JOIN read_models.data_source_key_results k
      ON k.tenant_id = s.tenant_id AND k.data_source_id = s.id`;

const freshnessOf = (r: {
  expected_interval_hours: number;
  last_value_at: Date | null;
  registered_at: Date;
  revoked: boolean;
}) => ({
  expectedIntervalHours: Number(r.expected_interval_hours),
  lastValueAt: r.last_value_at,
  since: r.registered_at,
  revoked: r.revoked,
});

const toView = (r: Row, now: Date): DataSourceView => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  expectedIntervalHours: Number(r.expected_interval_hours),
  revoked: r.revoked,
  registeredAt: r.registered_at,
  keyResultIds: r.key_result_ids ?? [],
  lastValueAt: r.last_value_at,
  stale: isStale(freshnessOf(r), now),
  version: r.version,
});

/** The data-sources read model; every query is scoped to its tenant argument. */
export class DataSourceQueries {
  constructor(private readonly sql: SqlRunner) {}

  /** Oldest registration first; `stale` filters on the staleness rule at `now`. */
  async all(
    tenantId: string,
    options: { readonly stale?: boolean | null; readonly now?: Date } = {},
  ): Promise<DataSourceView[]> {
    const now = options.now ?? new Date();
    const rows = await this.sql.query<Row[]>(
      `${SELECT_SOURCES} WHERE s.tenant_id = $1 GROUP BY s.tenant_id, s.id
        ORDER BY s.registered_at, s.id`,
      [tenantId],
    );
    const views = rows.map((r) => toView(r, now));
    const { stale } = options;
    return stale === undefined || stale === null ? views : views.filter((v) => v.stale === stale);
  }

  async byIds(tenantId: string, ids: readonly string[], now = new Date()) {
    if (ids.length === 0) return [];
    const rows = await this.sql.query<Row[]>(
      `${SELECT_SOURCES} WHERE s.tenant_id = $1 AND s.id = ANY($2::text[])
        GROUP BY s.tenant_id, s.id`,
      [tenantId, ids],
    );
    return rows.map((r) => toView(r, now));
  }

  /** Each key result's feeds (sources not revoked and revoked alike) with their staleness. */
  async feedsOf(
    tenantId: string,
    keyResultIds: readonly string[],
    now = new Date(),
  ): Promise<Map<string, { feeds: KeyResultFeedView[]; stale: boolean }>> {
    const result = new Map<string, { feeds: KeyResultFeedView[]; stale: boolean }>();
    if (keyResultIds.length === 0) return result;
    const rows = await this.sql.query<
      {
        key_result_id: string;
        data_source_id: string;
        last_value_at: Date | null;
        expected_interval_hours: number;
        registered_at: Date;
        revoked: boolean;
      }[]
    >(
      `SELECT k.key_result_id, k.data_source_id, k.last_value_at,
              s.expected_interval_hours, s.registered_at, s.revoked
         FROM read_models.data_source_key_results k
         JOIN read_models.data_sources s ON s.tenant_id = k.tenant_id AND s.id = k.data_source_id
        WHERE k.tenant_id = $1 AND k.key_result_id = ANY($2::text[])`,
      [tenantId, keyResultIds],
    );
    const grouped = new Map<string, typeof rows>();
    for (const r of rows)
      grouped.set(r.key_result_id, [...(grouped.get(r.key_result_id) ?? []), r]);
    for (const id of keyResultIds) {
      const feeds = grouped.get(id) ?? [];
      result.set(id, {
        feeds: feeds.map((r) => ({
          keyResultId: id,
          dataSourceId: r.data_source_id,
          lastValueAt: r.last_value_at,
          stale: isStale(freshnessOf(r), now),
        })),
        stale: isFeedStale(feeds.map(freshnessOf), now),
      });
    }
    return result;
  }

  /** Every organisation with data sources: how many, how many stale, which (for /health). */
  async stalenessByTenant(now = new Date()): Promise<DataSourceStalenessSummary[]> {
    const rows = await this.sql.query<Row[]>(
      `${SELECT_SOURCES} GROUP BY s.tenant_id, s.id ORDER BY s.tenant_id, s.registered_at, s.id`,
    );
    const byTenant = new Map<string, { count: number; stale: string[] }>();
    for (const r of rows) {
      const entry = byTenant.get(r.tenant_id) ?? { count: 0, stale: [] };
      entry.count += 1;
      if (isStale(freshnessOf(r), now)) entry.stale.push(r.id);
      byTenant.set(r.tenant_id, entry);
    }
    return [...byTenant].map(([tenantId, e]) => ({
      tenantId,
      dataSources: e.count,
      stale: e.stale.length,
      staleDataSourceIds: e.stale,
    }));
  }
}
