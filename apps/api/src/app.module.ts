import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '@okr-ledger/platform';
import { READ_MODEL_ENTITIES, READ_MODEL_MIGRATIONS } from '@okr-ledger/read-models';
import { APP_CONFIG } from './app.tokens';
import { ChartsModule } from './charts/charts.module';
import { GraphqlApiModule } from './graphql/graphql-api.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { OkrApiModule } from './okr-api.module';
import { RetroModule } from './retro/retro.module';
import { ServerInfoResolver } from './server-info.resolver';

export interface AppModuleOptions {
  readonly config: AppConfig;
  /** The PostgreSQL that holds the event store and the read models. */
  readonly databaseUrl: string;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.databaseUrl,
          // Schema changes go through migrations only, never through `synchronize`.
          synchronize: false,
          migrationsRun: true,
          migrations: [...READ_MODEL_MIGRATIONS],
          entities: [...READ_MODEL_ENTITIES],
          applicationName: 'okr-ledger-api',
        }),
        // GraphQL at /graphql (HTTP and graphql-ws): identity, errors, limits, explorer.
        GraphqlApiModule.forRoot(),
        HealthModule,
        MetricsModule.forRoot(options.config),
        OkrApiModule.forRoot({ databaseUrl: options.databaseUrl }),
        // SVG charts and the retrospective page beside GraphQL (issue 17).
        ChartsModule,
        RetroModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: options.config }, ServerInfoResolver],
      exports: [APP_CONFIG],
    };
  }
}
