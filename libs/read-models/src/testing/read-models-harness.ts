import { randomUUID } from 'node:crypto';
import { metadataFor, OkrCommands, okrUpcasters, type Actor } from '@okr-ledger/commands';
import {
  createPostgresEventStore,
  handleCommand,
  type PostgresEventStore,
} from '@okr-ledger/event-store';
import { keyResultDecider, keyResultStream } from '@okr-ledger/okr';
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
  // Upcast as the API's and the projector's stores do: the projections see today's shapes.
  const store = await createPostgresEventStore(database.url, {
    maxConnections: 10,
    upcasters: okrUpcasters(),
  });
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

/**
 * One key result's story (wait for `last` to see it projected): added 0 → 10 before its cycle starts, checked in at 1,
 * the cycle started, redefined to 20 with a reason, checked in at 5 (0.7) by an integration.
 */
export async function keyResultStory(h: Harness) {
  const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
  const bob: Actor = { tenantId: 'acme', actorId: 'bob', source: 'integration' };
  const { cycle, keyResult } = await seedCycle(h.commands, ana, false);
  await h.commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value: 1 });
  await h.commands.cycles.start(ana, { cycleId: cycle.id });
  await h.commands.keyResults.redefine(ana, {
    keyResultId: keyResult.id,
    targetValue: 20,
    reason: 'More demand',
  });
  const last = await h.commands.keyResults.checkIn(bob, {
    keyResultId: keyResult.id,
    value: 5,
    confidence: 0.7,
    source: 'INTEGRATION',
  });
  return { cycle, keyResult, last: last.position ?? '' };
}

/** The data source of `validTimeStory`. */
export const STORY_DATA_SOURCE = 'a0000000-0000-4000-8000-00000000d5d5';

/**
 * A key result's values in valid time (wait for `last`): a person checks in 4 measured on
 * 10 July and 8 on 20 July, then a late 6 measured on 15 July; a data source sends 9 for
 * 25 July, then 7 for the same instant (a correction). Current: 7, measured 25 July.
 */
export async function validTimeStory(h: Harness) {
  const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
  const { cycle, keyResult } = await seedCycle(h.commands, ana);
  for (const [value, measuredAt] of [
    [4, '2026-07-10T09:00:00Z'],
    [8, '2026-07-20T09:00:00Z'],
    [6, '2026-07-15T09:00:00Z'],
  ] as const) {
    await h.commands.keyResults.checkIn(ana, { keyResultId: keyResult.id, value, measuredAt });
  }
  const sensor: Actor = { tenantId: 'acme', actorId: STORY_DATA_SOURCE, source: 'integration' };
  let last = '';
  for (const value of [9, 7]) {
    const result = await handleCommand(
      h.store,
      keyResultStream(keyResult.id),
      keyResultDecider,
      {
        type: 'RecordMeasurements',
        data: {
          keyResultId: keyResult.id,
          dataSourceId: STORY_DATA_SOURCE,
          measurements: [
            {
              checkInId: randomUUID(),
              value,
              measuredAt: '2026-07-25T00:00:00Z',
              externalId: `row-${value}`,
              note: null,
            },
          ],
          now: new Date().toISOString(),
        },
      },
      { cycleStatus: 'ACTIVE' },
      { metadata: metadataFor(sensor, { cycleId: cycle.id }) },
    );
    last = result.position ?? last;
  }
  return { keyResult, last };
}

/**
 * For a spec file: a harness with a running projector, made before its tests and closed
 * after them (registers the beforeAll / afterAll hooks). Read `h` and `projector` in tests.
 */
export function projectedHarness(prefix: string): { h: Harness; projector: Projector } {
  const context = {} as { h: Harness; projector: Projector };
  beforeAll(async () => {
    context.h = await createHarness(prefix);
    context.projector = context.h.newProjector();
    await context.projector.start();
  });
  afterAll(async () => {
    await context.h.close();
  });
  return context;
}
