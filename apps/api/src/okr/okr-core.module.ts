import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { OkrCommands, okrUpcasters } from '@okr-ledger/commands';
import { openEventStore, type EventStore } from '@okr-ledger/event-store';
import type { AppConfig } from '@okr-ledger/platform';
import { Projector, READ_MODEL_PROJECTIONS, ReadModels, TimeTravel } from '@okr-ledger/read-models';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from '../app.tokens';
import { InstrumentedEventStore } from '../metrics/instrumented-event-store';
import { instrumentProjections } from '../metrics/instrumented-projections';
import { OkrMetrics } from '../metrics/okr-metrics';
import {
  DATABASE_URL,
  EVENT_STORE,
  OKR_COMMANDS,
  PROJECTION_PROGRESS,
  PROJECTOR,
  READ_MODELS,
  TIME_TRAVEL,
} from './okr-api.tokens';
import { OkrLoadersRegistration } from './okr-loaders.registration';
import { OkrWrites } from './okr-writes.service';

/**
 * Starts the in-process projector after boot and closes what the core opened on shutdown.
 * Provided by the app's OkrApiModule, above the areas, so its hooks run in the order they did
 * when the core and the areas were one module.
 */
@Injectable()
export class OkrLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTOR) private readonly projector: Projector,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // With PROJECTOR=external it is never started: it only reads the checkpoints another
    // process commits (read-your-writes and /health still work).
    if (this.config.projector === 'in-process') await this.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    await this.store.close();
  }
}

/**
 * The core every area works with: the event store, commands, read models, projector and time
 * travel as providers, with the write and loader services. Global so every area resolver can
 * inject them; it imports no area (the app imports both, see okr-api.module.ts).
 */
@Global()
@Module({})
export class OkrCoreModule {
  static forRoot(options: { readonly databaseUrl: string }): DynamicModule {
    return {
      module: OkrCoreModule,
      providers: [
        { provide: DATABASE_URL, useValue: options.databaseUrl },
        {
          provide: EVENT_STORE,
          inject: [APP_CONFIG, DATABASE_URL],
          useFactory: (config: AppConfig, databaseUrl: string): Promise<EventStore> =>
            openEventStore({
              kind: config.eventStore,
              databaseUrl,
              eventStoreUrl: config.eventStoreUrl,
              maxConnections: 10,
              upcasters: okrUpcasters(),
            }),
        },
        {
          provide: OKR_COMMANDS,
          // Commands write through the instrumented store (append latency in /metrics).
          inject: [EVENT_STORE, OkrMetrics],
          useFactory: (store: EventStore, metrics: OkrMetrics) =>
            new OkrCommands(new InstrumentedEventStore(store, metrics)),
        },
        {
          provide: READ_MODELS,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => new ReadModels(dataSource),
        },
        {
          provide: PROJECTOR,
          inject: [EVENT_STORE, DATABASE_URL, OkrMetrics],
          useFactory: (store: EventStore, databaseUrl: string, metrics: OkrMetrics) =>
            new Projector({
              store,
              databaseUrl,
              projections: instrumentProjections(READ_MODEL_PROJECTIONS, metrics),
              logger: new Logger('Projector'),
            }),
        },
        { provide: PROJECTION_PROGRESS, useExisting: PROJECTOR },
        {
          provide: TIME_TRAVEL,
          inject: [EVENT_STORE],
          useFactory: (store: EventStore) => new TimeTravel(store),
        },
        OkrWrites,
        OkrLoadersRegistration,
      ],
      exports: [
        EVENT_STORE,
        OKR_COMMANDS,
        READ_MODELS,
        PROJECTOR,
        PROJECTION_PROGRESS,
        TIME_TRAVEL,
        OkrWrites,
      ],
    };
  }
}
