// Starts one throw-away embedded PostgreSQL for the whole jest run (integration and e2e).
// An external server can be used instead by setting TEST_DATABASE_URL. Jest loads this file
// without the projects' module mapper, hence the relative import.
import { startThrowawayPostgres } from '../../libs/platform/src/database/embedded-postgres.runner';

export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const database = await startThrowawayPostgres('okr-ledger-test-pg-', {
    // Tests throw their databases away: durability buys nothing here.
    settings: { fsync: 'off', max_connections: '400' },
  });
  (globalThis as { __OKR_TEST_PG__?: { stop(): Promise<void> } }).__OKR_TEST_PG__ = database;
  process.env.TEST_DATABASE_URL = database.url;
}
