import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DataSourcesModule } from '../data-sources/data-sources.module';
import { IntegrationsController } from './integrations.controller';

/** Plain HTTP beside GraphQL for data sources (ADR 0015). */
@Module({
  imports: [AuthModule, DataSourcesModule],
  controllers: [IntegrationsController],
})
export class IntegrationsModule {}
