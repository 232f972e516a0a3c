import { createPostgresEventStore, type PostgresEventStore } from '@okr-ledger/event-store';
import { READ_MODEL_ENTITIES, READ_MODEL_MIGRATIONS } from '@okr-ledger/read-models';
import { DataSource } from 'typeorm';
import {
  externalDatabase,
  startEmbeddedPostgres,
  type RunningDatabase,
} from '../../api/src/database/embedded-postgres.runner';

export interface ProjectorDatabase {
  readonly database: RunningDatabase;
  readonly store: PostgresEventStore;
  close(): Promise<void>;
}

/**
 * DATABASE_URL, or (for the CLI on a developer machine) the embedded PostgreSQL in
 * OKR_DATA_DIR like the API starts it; then the event-store and read-model migrations.
 */
export async function openProjectorDatabase(options: {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string | undefined;
  readonly log: (message: string) => void;
}): Promise<ProjectorDatabase> {
  let database: RunningDatabase;
  if (options.databaseUrl) database = externalDatabase(options.databaseUrl);
  else if (options.dataDir) database = await startEmbeddedPostgres(options.dataDir, options.log);
  else throw new Error('DATABASE_URL is not set');
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
  const store = await createPostgresEventStore(database.url, { maxConnections: 4 });
  return {
    database,
    store,
    async close() {
      await store.close();
      await database.stop();
    },
  };
}
