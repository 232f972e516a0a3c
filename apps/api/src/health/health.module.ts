import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { DataSourceStalenessIndicator } from './data-source-staleness.indicator';
import { EventStoreIndicator } from './event-store.indicator';
import { ProjectionLagIndicator } from './projection-lag.indicator';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ProjectionLagIndicator, EventStoreIndicator, DataSourceStalenessIndicator],
})
export class HealthModule {}
