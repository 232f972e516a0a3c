import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  EMBEDDED_OWNER_PASSWORD,
  EMBEDDED_OWNER_ROLE,
  EMBEDDED_SERVING_PASSWORD,
  EMBEDDED_SERVING_ROLE,
  ensureEmbeddedRoles,
  urlAsRole,
} from '@okr-ledger/platform';
import { createTestDatabase, type TestDatabase } from '@okr-ledger/testing/test-database';
import { event } from '../testing/event-store.contract';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store';
import { migrateEventStore } from './postgres-migrations';
import { migrateEventStoreAsOwner } from './serving-role';

/**
 * The embedded cluster's roles on a database from before them: everything owned by the
 * superuser, as an old data folder is. The start-up hands ownership over, the owner migrates,
 * and the serving role can append and read but neither change the log nor switch its
 * triggers off.
 */
describe('database roles: the serving role cannot alter the log', () => {
  let database: TestDatabase;
  let superuser: Client;
  let serving: Client;
  let store: PostgresEventStore;
  let servingUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase('database_roles');
    superuser = new Client({ connectionString: database.url });
    await superuser.connect();
    // The single-role past: the superuser migrated, owns the log and a read model.
    const { Pool } = await import('pg');
    const legacy = new Pool({ connectionString: database.url, max: 1 });
    await migrateEventStore(legacy);
    await legacy.end();
    await superuser.query(`CREATE SCHEMA read_models;
      CREATE TABLE read_models.teams (id text PRIMARY KEY)`);

    await ensureEmbeddedRoles(database.url);
    // Twice: every start runs it.
    await ensureEmbeddedRoles(database.url);
    servingUrl = urlAsRole(database.url, EMBEDDED_SERVING_ROLE, EMBEDDED_SERVING_PASSWORD);
    await migrateEventStoreAsOwner({
      url: servingUrl,
      migrationUrl: urlAsRole(database.url, EMBEDDED_OWNER_ROLE, EMBEDDED_OWNER_PASSWORD),
    });
    store = await createPostgresEventStore(servingUrl);
    serving = new Client({ connectionString: servingUrl });
    await serving.connect();
  });
  afterAll(async () => {
    await serving?.end();
    await store?.close();
    await superuser?.end();
    await database?.drop();
  });

  it('hands the log to the owner and the read models to the serving role', async () => {
    const { rows } = await superuser.query<{ name: string; owner: string }>(
      `SELECT n.nspname || '.' || c.relname AS name, pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('event_store', 'read_models') AND c.relkind = 'r'
        ORDER BY 1`,
    );
    const owners = Object.fromEntries(rows.map((r) => [r.name, r.owner]));
    expect(owners['event_store.events']).toBe(EMBEDDED_OWNER_ROLE);
    expect(owners['event_store.ledger_checkpoints']).toBe(EMBEDDED_OWNER_ROLE);
    expect(owners['read_models.teams']).toBe(EMBEDDED_SERVING_ROLE);
    expect(rows.filter((r) => r.owner !== EMBEDDED_OWNER_ROLE).map((r) => r.name)).toEqual([
      'read_models.teams',
    ]);
    const functions = await superuser.query<{ owner: string }>(
      `SELECT DISTINCT pg_get_userbyid(p.proowner) AS owner FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'event_store'`,
    );
    expect(functions.rows).toEqual([{ owner: EMBEDDED_OWNER_ROLE }]);
  });

  it('lets the serving role append, read and verify', async () => {
    const stream = `objective-${randomUUID()}`;
    await store.append(stream, [event('ObjectiveCreated', { n: 1 }, { tenantId: 'acme' })]);
    await store.append(stream, [event('ObjectiveRenamed', { n: 2 }, { tenantId: 'acme' })], {
      expectedState: 0,
    });
    const read = await store.readStream(stream);
    expect(read.map((e) => e.type)).toEqual(['ObjectiveCreated', 'ObjectiveRenamed']);
    const report = await store.verifyIntegrity({ tenantId: 'acme' });
    expect(report.checkedEvents).toBe(2);
    expect(report.problems).toEqual([]);
  });

  const refusals: [string, string][] = [
    ['UPDATE events', `UPDATE event_store.events SET type = 'Forged'`],
    ['DELETE events', 'DELETE FROM event_store.events'],
    ['TRUNCATE events', 'TRUNCATE event_store.events'],
    [
      'disable the events trigger',
      'ALTER TABLE event_store.events DISABLE TRIGGER events_are_immutable',
    ],
    ['disable all events triggers', 'ALTER TABLE event_store.events DISABLE TRIGGER ALL'],
    ['drop the events trigger', 'DROP TRIGGER events_are_immutable ON event_store.events'],
    ['UPDATE checkpoints', 'UPDATE event_store.ledger_checkpoints SET size = 0'],
    ['DELETE checkpoints', 'DELETE FROM event_store.ledger_checkpoints'],
    ['TRUNCATE checkpoints', 'TRUNCATE event_store.ledger_checkpoints'],
    [
      'disable the checkpoints trigger',
      'ALTER TABLE event_store.ledger_checkpoints DISABLE TRIGGER ledger_checkpoints_are_immutable',
    ],
    [
      'drop the checkpoints trigger',
      'DROP TRIGGER ledger_checkpoints_are_immutable ON event_store.ledger_checkpoints',
    ],
    ['drop the events table', 'DROP TABLE event_store.events'],
    [
      'replace the trigger function',
      'CREATE OR REPLACE FUNCTION event_store.refuse_change() ' +
        'RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$',
    ],
  ];
  it.each(refusals)('refuses the serving role to %s', async (_what, sql) => {
    await expect(serving.query(sql)).rejects.toThrow(/must be owner|permission denied/);
  });

  it('still lets the superuser see the trigger in place and the events intact', async () => {
    const { rows } = await superuser.query<{ tgenabled: string }>(
      `SELECT tgenabled FROM pg_trigger WHERE tgname = 'events_are_immutable'`,
    );
    expect(rows).toEqual([{ tgenabled: 'O' }]);
    const count = await superuser.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM event_store.events WHERE type = 'Forged'`,
    );
    expect(count.rows[0]?.n).toBe('0');
  });
});
