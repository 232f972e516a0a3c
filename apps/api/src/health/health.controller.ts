import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { DataSourceStalenessIndicator } from './data-source-staleness.indicator';
import { EventStoreIndicator } from './event-store.indicator';
import { ProjectionLagIndicator, type StallSummary } from './projection-lag.indicator';

/** Terminus's result, with `degraded` when a projection is halted for some tenant. */
export type HealthReport = Omit<HealthCheckResult, 'status'> & {
  status: HealthCheckResult['status'] | 'degraded';
};

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly projections: ProjectionLagIndicator,
    private readonly eventStore: EventStoreIndicator,
    private readonly dataSources: DataSourceStalenessIndicator,
  ) {}

  /**
   * 200 with `status: ok` while the database and the event store answer, 503 with the failing
   * check otherwise; `details.projections.lag` shows each projection's lag.
   * 200 with `status: degraded` when they answer but a projection is halted for a tenant
   * (`details.projections.stalls`: projection, tenant, position): the instance serves every
   * other tenant, and restarting or routing around it would not help that one; the stall is
   * retried with `npm run okr -- projections retry` after a fix.
   * `details.dataSources.tenants` counts each organisation's data sources and names the stale.
   */
  @Get()
  @HealthCheck()
  async check(): Promise<HealthReport> {
    const result = await this.health.check([
      () => this.database.pingCheck('database', { timeout: 1500 }),
      () => this.eventStore.check('eventStore'),
      () => this.projections.check('projections'),
      () => this.dataSources.check('dataSources'),
    ]);
    const stalls = result.details.projections?.stalls as readonly StallSummary[] | undefined;
    return stalls && stalls.length > 0 ? { ...result, status: 'degraded' } : result;
  }
}
