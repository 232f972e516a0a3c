import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { EventStoreIndicator } from './event-store.indicator';
import { ProjectionLagIndicator } from './projection-lag.indicator';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly projections: ProjectionLagIndicator,
    private readonly eventStore: EventStoreIndicator,
  ) {}

  /**
   * 200 with `status: ok` while the database and the event store answer, 503 with the failing
   * check otherwise; `details.projections.lag` shows each projection's lag.
   */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1500 }),
      () => this.eventStore.check('eventStore'),
      () => this.projections.check('projections'),
    ]);
  }
}
