import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSourceQueries } from '@okr-ledger/read-models';
import type { DataSource } from 'typeorm';

/**
 * `dataSources` in /health: per organisation, how many data sources it has and which are stale
 * (ids only, no names: /health is unauthenticated). Staleness keeps it up: a late feed is a
 * fact about one organisation's source, not about this instance.
 */
@Injectable()
export class DataSourceStalenessIndicator {
  private readonly queries: DataSourceQueries;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(getDataSourceToken()) dataSource: DataSource,
  ) {
    this.queries = new DataSourceQueries(dataSource);
  }

  async check(key = 'dataSources') {
    const indicator = this.indicators.check(key);
    try {
      const summary = await this.queries.stalenessByTenant();
      return indicator.up({
        tenants: Object.fromEntries(
          summary.map((s) => [
            s.tenantId,
            {
              dataSources: s.dataSources,
              stale: s.stale,
              staleDataSourceIds: s.staleDataSourceIds,
            },
          ]),
        ),
      });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
