import { Client } from 'pg';

/**
 * The embedded cluster's two application roles (docs/adr/0013-database-roles.md). The owner
 * owns the event store's schema and runs its migrations; the serving role, which the
 * processes use for everything else, can read and append to the log but, not being its owner,
 * cannot disable or drop its immutability triggers.
 */
export const EMBEDDED_OWNER_ROLE = 'okr_ledger_owner';
export const EMBEDDED_SERVING_ROLE = 'okr_ledger_app';
// Localhost only, like the superuser's: the data folder's permissions are the real guard.
export const EMBEDDED_OWNER_PASSWORD = 'okr-ledger-embedded-owner';
export const EMBEDDED_SERVING_PASSWORD = 'okr-ledger-embedded-app';

/** The role a connection URL logs in as. */
export function roleOfUrl(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/** `url` with another user and password. */
export function urlAsRole(url: string, role: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * Creates the two roles if missing and gives ownership of what exists to the role it belongs
 * to: a data folder from before this split has everything owned by the superuser, and the
 * serving role could neither swap read models in a rebuild nor be kept away from the log.
 * Idempotent: run by the superuser at every start of the embedded cluster.
 */
export async function ensureEmbeddedRoles(superuserUrl: string): Promise<void> {
  const client = new Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const database = new URL(superuserUrl).pathname.slice(1);
    await client.query(`
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${quoteLiteral(EMBEDDED_OWNER_ROLE)}) THEN
    CREATE ROLE ${EMBEDDED_OWNER_ROLE} LOGIN PASSWORD ${quoteLiteral(EMBEDDED_OWNER_PASSWORD)};
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${quoteLiteral(EMBEDDED_SERVING_ROLE)}) THEN
    CREATE ROLE ${EMBEDDED_SERVING_ROLE} LOGIN PASSWORD ${quoteLiteral(EMBEDDED_SERVING_PASSWORD)};
  END IF;
END
$roles$`);
    // The owner creates the event_store schema; the serving role creates read_models, the
    // rebuild's shadow schemas and TypeORM's migrations table in public.
    await client.query(
      `GRANT CONNECT, CREATE ON DATABASE "${database.replace(/"/g, '""')}"
         TO ${EMBEDDED_OWNER_ROLE}, ${EMBEDDED_SERVING_ROLE}`,
    );
    await client.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${EMBEDDED_SERVING_ROLE}`);
    await client.query(`
DO $owners$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT n.nspname,
                  CASE WHEN n.nspname = 'event_store' THEN ${quoteLiteral(EMBEDDED_OWNER_ROLE)}
                       ELSE ${quoteLiteral(EMBEDDED_SERVING_ROLE)} END AS new_owner
             FROM pg_namespace n
            WHERE (n.nspname IN ('event_store', 'read_models')
                   OR n.nspname LIKE 'read\\_models\\_rebuild\\_%')
              AND pg_get_userbyid(n.nspowner) <> CASE WHEN n.nspname = 'event_store'
                    THEN ${quoteLiteral(EMBEDDED_OWNER_ROLE)}
                    ELSE ${quoteLiteral(EMBEDDED_SERVING_ROLE)} END
  LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, r.new_owner);
  END LOOP;
  -- Tables, views and free-standing sequences (indexes, triggers and a column's sequence
  -- follow their table).
  FOR r IN SELECT n.nspname, c.relname,
                  CASE WHEN n.nspname = 'event_store' THEN ${quoteLiteral(EMBEDDED_OWNER_ROLE)}
                       ELSE ${quoteLiteral(EMBEDDED_SERVING_ROLE)} END AS new_owner
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE (n.nspname IN ('event_store', 'read_models')
                   OR n.nspname LIKE 'read\\_models\\_rebuild\\_%'
                   OR (n.nspname = 'public' AND c.relname = 'migrations'))
              AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
              AND NOT EXISTS (SELECT FROM pg_depend d
                               WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                                 AND d.deptype IN ('a', 'i'))
              AND pg_get_userbyid(c.relowner) <> CASE WHEN n.nspname = 'event_store'
                    THEN ${quoteLiteral(EMBEDDED_OWNER_ROLE)}
                    ELSE ${quoteLiteral(EMBEDDED_SERVING_ROLE)} END
  LOOP
    EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', r.nspname, r.relname, r.new_owner);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS routine
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'event_store'
              AND pg_get_userbyid(p.proowner) <> ${quoteLiteral(EMBEDDED_OWNER_ROLE)}
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.routine, ${quoteLiteral(EMBEDDED_OWNER_ROLE)});
  END LOOP;
END
$owners$`);
  } finally {
    await client.end();
  }
}
