import { Pool } from 'pg';
import { EVENT_STORE_SCHEMA, migrateEventStore } from './postgres-migrations';

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * What the serving role may do with the event store: read it, append through
 * `append_events` (which inserts events and ledger leaves and moves a stream's head row, hence UPDATE on streams) and
 * verify it. No UPDATE or DELETE on events, leaves or checkpoints, no TRUNCATE, and, not being
 * the owner, no ALTER TABLE … DISABLE TRIGGER or DROP TRIGGER (docs/adr/0013-database-roles.md).
 * Run by the owner after its migrations; the default privileges cover tables a later
 * migration creates before this runs again.
 */
export async function grantServingRole(pool: Pool, servingRole: string): Promise<void> {
  const role = quoteIdent(servingRole);
  const schema = EVENT_STORE_SCHEMA;
  await pool.query(`
GRANT USAGE ON SCHEMA ${schema} TO ${role};
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA ${schema} TO ${role};
GRANT UPDATE ON ${schema}.streams TO ${role};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schema} TO ${role};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT ON TABLES TO ${role};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE ON SEQUENCES TO ${role};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT EXECUTE ON FUNCTIONS TO ${role};`);
}

/**
 * Migrates the event store as the owner role and grants the serving role its share, when the
 * database has an owner connection; without one (DATABASE_URL alone) the serving role
 * migrates at `init()` as before.
 */
export async function migrateEventStoreAsOwner(database: {
  readonly url: string;
  readonly migrationUrl?: string;
}): Promise<void> {
  if (!database.migrationUrl) return;
  const servingRole = decodeURIComponent(new URL(database.url).username);
  const ownerRole = decodeURIComponent(new URL(database.migrationUrl).username);
  const pool = new Pool({ connectionString: database.migrationUrl, max: 1 });
  pool.on('error', () => undefined);
  try {
    await migrateEventStore(pool);
    // One role for both is the single-role setup: nothing to grant to oneself.
    if (servingRole !== ownerRole) await grantServingRole(pool, servingRole);
  } finally {
    await pool.end();
  }
}
