import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '@okr-ledger/platform';
import { launch as launchEntry, waitForOutput as waitFor } from '@okr-ledger/testing';

const launch = (env: NodeJS.ProcessEnv) => launchEntry('apps/api/src/main.ts', env);

describe('The API process', () => {
  describe('when the configuration is invalid', () => {
    it.each([
      [{ PORT: 'eighty' }, /^okr-ledger: invalid configuration: PORT: must be a whole number/m],
      [
        { DATABASE_URL: 'mysql://db/okr' },
        /invalid configuration: DATABASE_URL: must use postgres/,
      ],
      [{ DATABASE_URL: '::nonsense' }, /invalid configuration: DATABASE_URL: is not a valid URL/],
    ])('stops with one line naming the variable (%p)', async (env, expected) => {
      const started = launch(env);
      expect(await started.exited).toBe(1);
      const lines = started.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
    });
  });

  describe('when started without DATABASE_URL', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'okr-ledger-start-'));
    });
    afterAll(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('serves on an embedded PostgreSQL, refuses a second start, and keeps data across restarts', async () => {
      const port = await freePort();
      const first = launch({ PORT: String(port), OKR_DATA_DIR: dataDir });
      const dbPort = await waitFor(first, /embedded PostgreSQL on 127\.0\.0\.1:(\d+)/);
      await waitFor(first, /GraphQL: +http:\/\/localhost:\d+\/graphql/);
      expect(first.output()).toContain(`data in ${join(dataDir, 'pg')}`);

      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);

      const url = `postgres://okr:okr-ledger-embedded@127.0.0.1:${dbPort}/okr_ledger`;
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query('CREATE TABLE restart_probe (value text)');
      await client.query(`INSERT INTO restart_probe VALUES ('kept')`);
      await client.end();

      const second = launch({ PORT: String(await freePort()), OKR_DATA_DIR: dataDir });
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/data folder .* is in use by another OKR Ledger/);
      expect(second.output()).toContain('The data was not touched');

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.output()).toContain('SIGTERM received: stopping');

      const third = launch({ PORT: String(await freePort()), OKR_DATA_DIR: dataDir });
      const newDbPort = await waitFor(third, /embedded PostgreSQL on 127\.0\.0\.1:(\d+)/);
      await waitFor(third, /GraphQL: +http:\/\/localhost/);
      expect(third.output()).not.toContain('Creating a new embedded PostgreSQL cluster');
      const again = new Client({
        connectionString: `postgres://okr:okr-ledger-embedded@127.0.0.1:${newDbPort}/okr_ledger`,
      });
      await again.connect();
      const { rows } = await again.query<{ value: string }>('SELECT value FROM restart_probe');
      await again.end();
      expect(rows).toEqual([{ value: 'kept' }]);
      third.child.kill('SIGINT');
      expect(await third.exited).toBe(0);
    }, 120_000);
  });
});
