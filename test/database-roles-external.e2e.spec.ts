import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort, urlAsRole } from '@okr-ledger/platform';
import {
  createTestDatabase,
  launch as launchEntry,
  type TestDatabase,
  waitForOutput as waitFor,
} from '@okr-ledger/testing';

const launch = (env: NodeJS.ProcessEnv) => launchEntry('apps/api/src/main.ts', env);
const WARNING = /DATABASE_URL without MIGRATION_DATABASE_URL: the serving role owns/;

/**
 * An operator's own PostgreSQL set up as the README says: two roles, the owner with CREATE on
 * the database, the serving role with CREATE on the database and on public.
 */
describe('The API on an external PostgreSQL, by database role', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `okr_ext_owner_${suffix}`;
  const serving = `okr_ext_app_${suffix}`;
  let database: TestDatabase;
  let admin: Client;

  beforeAll(async () => {
    database = await createTestDatabase('database_roles_external');
    admin = new Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${owner} LOGIN PASSWORD 'owner-secret'`);
    await admin.query(`CREATE ROLE ${serving} LOGIN PASSWORD 'app-secret'`);
    await admin.query(`GRANT CREATE ON DATABASE "${database.name}" TO ${owner}, ${serving}`);
    await admin.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${serving}`);
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
    const cleanup = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await cleanup.connect();
    await cleanup.query(`DROP ROLE IF EXISTS ${serving}`);
    await cleanup.query(`DROP ROLE IF EXISTS ${owner}`);
    await cleanup.end();
  });

  it('migrates as MIGRATION_DATABASE_URL, serves as DATABASE_URL, and warns without the first', async () => {
    const servingUrl = urlAsRole(database.url, serving, 'app-secret');
    const api = launch({
      PORT: String(await freePort()),
      DATABASE_URL: servingUrl,
      MIGRATION_DATABASE_URL: urlAsRole(database.url, owner, 'owner-secret'),
    });
    await waitFor(api, /GraphQL: +http:\/\/localhost/);
    expect(api.output()).not.toMatch(WARNING);
    const { rows } = await admin.query<{ owner: string }>(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class
        WHERE oid IN ('event_store.events'::regclass, 'read_models.teams'::regclass)
        ORDER BY oid = 'event_store.events'::regclass DESC`,
    );
    expect(rows.map((r) => r.owner)).toEqual([owner, serving]);
    const app = new Client({ connectionString: servingUrl });
    await app.connect();
    await expect(app.query('ALTER TABLE event_store.events DISABLE TRIGGER ALL')).rejects.toThrow(
      /must be owner/,
    );
    await app.end();
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);

    // The single-role setup still starts (the migrations are all applied), with a warning.
    const single = launch({ PORT: String(await freePort()), DATABASE_URL: servingUrl });
    await waitFor(single, /GraphQL: +http:\/\/localhost/);
    expect(single.output().match(new RegExp(WARNING, 'g'))).toHaveLength(1);
    single.child.kill('SIGTERM');
    expect(await single.exited).toBe(0);
  }, 120_000);
});
