import { migrateEventStoreAsOwner, openEventStore, type EventStore } from '@okr-ledger/event-store';
import { okrUpcasters } from '@okr-ledger/commands';
import { type AppConfig, openDatabase, type RunningDatabase } from '@okr-ledger/platform';
import { READ_MODEL_ENTITIES, READ_MODEL_MIGRATIONS } from '@okr-ledger/read-models';
import { DataSource } from 'typeorm';

export interface ProjectorDatabase {
  readonly database: RunningDatabase;
  readonly store: EventStore;
  close(): Promise<void>;
}

/**
 * The configured database (DATABASE_URL, or the embedded PostgreSQL of OKR_DATA_DIR, shared
 * with a running API when `shareRunning`), its read-model migrations (a projector may start
 * before any API has created the tables), and the configured event store.
 */
export async function openProjectorDatabase(
  config: AppConfig,
  log: (message: string) => void,
  options: { readonly shareRunning?: boolean } = {},
): Promise<ProjectorDatabase> {
  const database = await openDatabase(config, log, options);
  try {
    const migrations = new DataSource({
      type: 'postgres',
      url: database.url,
      entities: READ_MODEL_ENTITIES,
      migrations: READ_MODEL_MIGRATIONS,
      synchronize: false,
      applicationName: 'okr-ledger-projector-migrations',
    });
    await migrations.initialize();
    try {
      await migrations.runMigrations();
    } finally {
      await migrations.destroy();
    }
    if (config.eventStore === 'postgres') await migrateEventStoreAsOwner(database);
    const store = await openEventStore({
      kind: config.eventStore,
      databaseUrl: database.url,
      eventStoreUrl: config.eventStoreUrl,
      maxConnections: 4,
      upcasters: okrUpcasters(),
    });
    return {
      database,
      store,
      async close() {
        await store.close();
        await database.stop();
      },
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}
