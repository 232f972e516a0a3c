import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  EMBEDDED_OWNER_ROLE,
  EMBEDDED_SERVING_PASSWORD,
  EMBEDDED_SERVING_ROLE,
  freePort,
} from '@okr-ledger/platform';
import { launch as launchEntry, waitForOutput as waitFor } from '@okr-ledger/testing';

const launch = (env: NodeJS.ProcessEnv) => launchEntry('apps/api/src/main.ts', env);
const superuserUrl = (port: string) =>
  `postgres://okr:okr-ledger-embedded@127.0.0.1:${port}/okr_ledger`;

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const ownerOf = (client: Client, table: string) =>
  client
    .query<{ owner: string }>(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = $1::regclass`,
      [table],
    )
    .then((r) => r.rows[0]?.owner);

describe('The API on the embedded PostgreSQL, by database role', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'okr-ledger-roles-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves as the non-owner role, and takes back tables an older start left to the superuser', async () => {
    const first = launch({ PORT: String(await freePort()), OKR_DATA_DIR: dataDir });
    const dbPort = await waitFor(first, /embedded PostgreSQL on 127\.0\.0\.1:(\d+)/);
    await waitFor(first, /GraphQL: +http:\/\/localhost/);

    await withClient(superuserUrl(dbPort), async (admin) => {
      const { rows } = await admin.query<{ usename: string }>(
        `SELECT DISTINCT usename FROM pg_stat_activity
          WHERE datname = 'okr_ledger' AND backend_type = 'client backend'
            AND pid <> pg_backend_pid()`,
      );
      // Every connection the API holds (TypeORM, the event store, its listener).
      expect(rows).toEqual([{ usename: EMBEDDED_SERVING_ROLE }]);
      expect(await ownerOf(admin, 'event_store.events')).toBe(EMBEDDED_OWNER_ROLE);
      expect(await ownerOf(admin, 'read_models.teams')).toBe(EMBEDDED_SERVING_ROLE);
      // What a data folder from before the roles looks like: the superuser owns it all.
      await admin.query('ALTER TABLE event_store.events OWNER TO okr');
      await admin.query('ALTER TABLE read_models.teams OWNER TO okr');
    });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = launch({ PORT: String(await freePort()), OKR_DATA_DIR: dataDir });
    const port = await waitFor(second, /embedded PostgreSQL on 127\.0\.0\.1:(\d+)/);
    await waitFor(second, /GraphQL: +http:\/\/localhost/);
    await withClient(superuserUrl(port), async (admin) => {
      expect(await ownerOf(admin, 'event_store.events')).toBe(EMBEDDED_OWNER_ROLE);
      expect(await ownerOf(admin, 'read_models.teams')).toBe(EMBEDDED_SERVING_ROLE);
    });
    const servingUrl = `postgres://${EMBEDDED_SERVING_ROLE}:${EMBEDDED_SERVING_PASSWORD}@127.0.0.1:${port}/okr_ledger`;
    await withClient(servingUrl, async (serving) => {
      await expect(
        serving.query('ALTER TABLE event_store.events DISABLE TRIGGER events_are_immutable'),
      ).rejects.toThrow(/must be owner/);
      await expect(serving.query('TRUNCATE event_store.events')).rejects.toThrow(
        /permission denied/,
      );
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});
