import { OkrCommands, type Actor } from '@okr-ledger/commands';
import { createPostgresEventStore, type PostgresEventStore } from '@okr-ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { DataSource } from 'typeorm';
import { READ_MODEL_ENTITIES, READ_MODEL_MIGRATIONS, READ_MODEL_PROJECTIONS } from '../index';
import { Projector, type ProjectorLogger } from '../projector/projector';
import { ReadModels } from '../read-models.queries';

export const silentLogger: ProjectorLogger = { log: () => {}, warn: () => {}, error: () => {} };

/** A fresh database with the event store, the read-model schema, commands and queries. */
export interface Harness {
  readonly database: TestDatabase;
  readonly store: PostgresEventStore;
  readonly dataSource: DataSource;
  readonly readModels: ReadModels;
  readonly commands: OkrCommands;
  newProjector(name?: string, lockRetryMs?: number): Projector;
  close(): Promise<void>;
}

/** A TypeORM data source on the read-model entities, the migrations run (never synchronize). */
export async function migratedReadModels(url: string, maxConnections = 4): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
    synchronize: false,
    extra: { max: maxConnections },
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}

export async function createHarness(prefix: string): Promise<Harness> {
  const database = await createTestDatabase(prefix);
  const store = await createPostgresEventStore(database.url, { maxConnections: 10 });
  const dataSource = await migratedReadModels(database.url);
  const projectors: Projector[] = [];
  return {
    database,
    store,
    dataSource,
    readModels: new ReadModels(dataSource),
    commands: new OkrCommands(store),
    newProjector(name = 'test', lockRetryMs = 200) {
      const projector = new Projector({
        store,
        databaseUrl: database.url,
        projections: READ_MODEL_PROJECTIONS,
        instanceName: name,
        lockRetryMs,
        logger: silentLogger,
      });
      projectors.push(projector);
      return projector;
    },
    async close() {
      for (const p of projectors) await p.stop();
      await dataSource.destroy();
      await store.close();
      await database.drop();
    },
  };
}

/** A cycle with one objective and one INCREASE key result 0 → 10, optionally started. */
export async function seedCycle(commands: OkrCommands, actor: Actor, start = true) {
  const cycle = await commands.cycles.schedule(actor, {
    name: 'Q3',
    startsAt: '2026-07-01T00:00:00Z',
    endsAt: '2026-09-30T23:59:59Z',
  });
  const objective = await commands.objectives.set(actor, { cycleId: cycle.id, title: 'Delight' });
  const keyResult = await commands.keyResults.add(actor, {
    objectiveId: objective.id,
    title: 'Interviews',
    type: 'INCREASE',
    kind: 'INPUT',
    startValue: 0,
    targetValue: 10,
  });
  const started = start ? await commands.cycles.start(actor, { cycleId: cycle.id }) : null;
  return { cycle, objective, keyResult, last: started?.position ?? keyResult.position ?? '' };
}
