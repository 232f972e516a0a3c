import { Test } from '@nestjs/testing';
import { loadConfig } from '@okr-ledger/platform';
import { AppModule } from '../../apps/api/src/app.module';
import { configureHttpTransport } from '../../apps/api/src/graphql/http-transport';
import { ProbeModule } from './probe.module';
import { createTestDatabase } from './test-database';
import type { TestApp } from './test-app';

/** startTestApp() plus the test-only ProbeModule resolvers. */
export async function startProbeApp(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const database = await createTestDatabase('e2e');
  const config = loadConfig({ ...env, DATABASE_URL: database.url });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ config, databaseUrl: database.url }), ProbeModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureHttpTransport(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    database,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
