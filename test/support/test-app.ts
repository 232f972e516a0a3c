import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@okr-ledger/platform';
import type { ClientBase } from 'pg';
import { AppModule } from '../../apps/api/src/app.module';
import { configureHttpTransport } from '../../apps/api/src/graphql/http-transport';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The API booted in-process on its own fresh database, listening on a free port. */
export interface TestApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly database: TestDatabase;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Share this database (several API instances on one database); it is then not dropped. */
  readonly database?: TestDatabase;
}

export async function startTestApp(
  env: NodeJS.ProcessEnv = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase('e2e'));
  const config = loadConfig({ ...env, DATABASE_URL: database.url });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ config, databaseUrl: database.url })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureHttpTransport(app);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url: url.replace('[::1]', '127.0.0.1'),
    database,
    async close() {
      await app.close();
      if (!options.database) await database.drop();
    },
  };
}

/** Every event in the app's store: what "a refused write recorded nothing" is checked against. */
export async function recordedEventCount(db: Pick<ClientBase, 'query'>): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM event_store.events');
  return Number(rows[0]?.n);
}
