import type { Pool } from 'pg';

/**
 * Versioned schema of the PostgreSQL event store. Append-only list: never edit a shipped
 * version, add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const EVENT_STORE_SCHEMA = 'event_store';
/** Also the LISTEN/NOTIFY channel name. */
export const APPEND_CHANNEL = 'event_store_appended';
// Any constant works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK_KEY = '7203665281924512001';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, streams, append function',
    sql: `
CREATE TABLE event_store.streams (
  stream_name text PRIMARY KEY,
  revision bigint NOT NULL
);

-- Only orders events inside one transaction; the transaction id orders across them.
CREATE SEQUENCE event_store.global_position_seq AS bigint;

CREATE TABLE event_store.events (
  transaction_id xid8 NOT NULL,
  global_position bigint NOT NULL,
  event_id uuid NOT NULL,
  stream_name text NOT NULL,
  revision bigint NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  tenant_id text NOT NULL,
  recorded_at timestamptz NOT NULL,
  CONSTRAINT events_pkey PRIMARY KEY (transaction_id, global_position),
  CONSTRAINT events_event_id_key UNIQUE (event_id),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_name, revision)
);

-- readAll's metadata filter for one tenant's cycle, in global order.
CREATE INDEX events_tenant_cycle_idx
  ON event_store.events (tenant_id, (metadata->>'cycleId'), transaction_id, global_position);

-- One round trip per append: lock the stream row, check idempotency and the expected state,
-- insert, bump the revision. Failures raise SQLSTATE EV001 with the actual revision in DETAIL
-- (-1 = no stream), so the statement rolls back as a whole.
CREATE FUNCTION event_store.append_events(
  p_stream text,
  p_expected_kind text,
  p_expected bigint,
  p_ids uuid[],
  p_types text[],
  p_data jsonb[],
  p_metadata jsonb[],
  p_recorded_at timestamptz,
  p_notify boolean,
  OUT next_revision bigint,
  OUT transaction_id text,
  OUT global_position text
)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_count int := cardinality(p_ids);
  v_current bigint := -1;
  v_existing int;
  v_same_stream boolean;
  v_first_min bigint;
  v_first_max bigint;
BEGIN
  -- Fast path for a new stream (the common case of creating an aggregate): one insert
  -- claims the stream with its final revision. An id stored elsewhere then fails on the
  -- unique event_id (23505), which the client maps.
  IF p_expected_kind IN ('no_stream', 'any') THEN
    INSERT INTO event_store.streams (stream_name, revision) VALUES (p_stream, v_count - 1)
      ON CONFLICT (stream_name) DO NOTHING;
    IF FOUND THEN
      INSERT INTO event_store.events (transaction_id, global_position, event_id, stream_name,
          revision, type, data, metadata, tenant_id, recorded_at)
      SELECT pg_current_xact_id(), nextval('event_store.global_position_seq'), i.id, p_stream,
             i.ord - 1, i.type, i.data, i.metadata, i.metadata->>'tenantId', p_recorded_at
        FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS i(id, type, data, metadata, ord);
      IF p_notify THEN
        PERFORM pg_notify('${APPEND_CHANNEL}', '');
      END IF;
      next_revision := v_count - 1;
      transaction_id := pg_current_xact_id()::text;
      global_position := currval('event_store.global_position_seq')::text;
      RETURN;
    END IF;
  END IF;

  -- Existing stream (or stream_exists / exact): its row lock serialises appends to it,
  -- including a retry racing its original.
  SELECT s.revision INTO v_current FROM event_store.streams s
   WHERE s.stream_name = p_stream FOR UPDATE;
  IF NOT FOUND THEN
    v_current := -1;
  END IF;

  -- Idempotency: the same ids already stored, in this stream, in this order, where the
  -- expected state says they belong, is the retry of a lost reply.
  SELECT count(*)::int, bool_and(e.stream_name = p_stream),
         min(e.revision - i.ord + 1), max(e.revision - i.ord + 1)
    INTO v_existing, v_same_stream, v_first_min, v_first_max
    FROM unnest(p_ids) WITH ORDINALITY AS i(id, ord)
    JOIN event_store.events e ON e.event_id = i.id;
  IF v_existing > 0 THEN
    IF v_existing = v_count AND v_same_stream AND v_first_min = v_first_max
       AND (p_expected_kind IN ('any', 'stream_exists')
            OR (p_expected_kind = 'no_stream' AND v_first_min = 0)
            OR (p_expected_kind = 'exact' AND v_first_min = p_expected + 1)) THEN
      SELECT e.revision, e.transaction_id::text, e.global_position::text
        INTO next_revision, transaction_id, global_position
        FROM event_store.events e WHERE e.event_id = p_ids[v_count];
      RETURN;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'EV001', MESSAGE = 'wrong expected version',
      DETAIL = v_current::text, HINT = 'event ids partially or differently stored already';
  END IF;

  IF (p_expected_kind = 'no_stream' AND v_current <> -1)
     OR (p_expected_kind = 'stream_exists' AND v_current = -1)
     OR (p_expected_kind = 'exact' AND v_current <> p_expected) THEN
    RAISE EXCEPTION USING ERRCODE = 'EV001', MESSAGE = 'wrong expected version',
      DETAIL = v_current::text;
  END IF;
  -- Only 'any' reaches here without a stream row, after losing the race to create it.
  IF v_current = -1 THEN
    RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'stream created concurrently, retry';
  END IF;

  INSERT INTO event_store.events (transaction_id, global_position, event_id, stream_name,
      revision, type, data, metadata, tenant_id, recorded_at)
  SELECT pg_current_xact_id(), nextval('event_store.global_position_seq'), i.id, p_stream,
         v_current + i.ord, i.type, i.data, i.metadata, i.metadata->>'tenantId', p_recorded_at
    FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS i(id, type, data, metadata, ord);

  UPDATE event_store.streams s SET revision = v_current + v_count WHERE s.stream_name = p_stream;

  IF p_notify THEN
    PERFORM pg_notify('${APPEND_CHANNEL}', '');
  END IF;

  next_revision := v_current + v_count;
  transaction_id := pg_current_xact_id()::text;
  global_position := currval('event_store.global_position_seq')::text;
END
$fn$;
`,
  },
];

/** Applies missing migrations under an advisory lock; safe to run from many processes. */
export async function migrateEventStore(pool: Pool): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${EVENT_STORE_SCHEMA}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${EVENT_STORE_SCHEMA}.schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>(
      `SELECT version FROM ${EVENT_STORE_SCHEMA}.schema_migrations`,
    );
    const applied = new Set(rows.map((r) => r.version));
    const done: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(
        `INSERT INTO ${EVENT_STORE_SCHEMA}.schema_migrations (version, name) VALUES ($1, $2)`,
        [migration.version, migration.name],
      );
      done.push(migration.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
