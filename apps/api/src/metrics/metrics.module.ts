import { ConsoleLogger, type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import type { AppConfig } from '@okr-ledger/platform';
import { GraphqlMetricsPlugin } from './graphql-metrics.plugin';
import { MetricsController } from './metrics.controller';
import { OkrMetrics } from './okr-metrics';
import { RequestLog } from './request-log';

/**
 * `GET /metrics` (Prometheus), the GraphQL request metrics and, with LOG_FORMAT=json, one
 * JSON line per request. Global: the OKR module's providers wrap the event store and the
 * projections with `OkrMetrics`.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (config.logFormat === 'json') {
      // Nest's own lines as JSON too, from here on (main.ts passes no logger to NestFactory,
      // so this override stays; lines written before the app module is built stay text).
      Logger.overrideLogger(new ConsoleLogger({ json: true, colors: false }));
    }
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [
        { provide: OkrMetrics, useFactory: () => new OkrMetrics() },
        { provide: RequestLog, useFactory: () => new RequestLog() },
        GraphqlMetricsPlugin,
      ],
      exports: [OkrMetrics],
    };
  }
}
