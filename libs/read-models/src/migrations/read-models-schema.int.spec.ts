import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import type { DataSource } from 'typeorm';
import { migratedReadModels } from '../testing/read-models-harness';

// The entities describe the tables the migrations make: after the migrations, TypeORM finds
// nothing to change (the apps never synchronize, so a drift would otherwise go unnoticed).
describe('read-model schema', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('schema');
    dataSource = await migratedReadModels(database.url, 2);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('matches the entities after the migrations: the schema diff is empty', async () => {
    const diff = await dataSource.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });
});
