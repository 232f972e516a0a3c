import type { Pool } from 'pg';
import {
  LEDGER_CHECKPOINTS_MIGRATION,
  LEDGER_LEAVES_MIGRATION,
  LEDGER_MISSING_EVENTS_MIGRATION,
} from './ledger-checkpoints.migration';
import { RECORDED_TIME_MIGRATION } from './recorded-time.migration';

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
    name: 'immutable hash-chained events, streams, append function',
    sql: `
CREATE TABLE event_store.streams (
  stream_name text PRIMARY KEY,
  revision bigint NOT NULL,
  -- The head of the stream's hash chain (the last event's link).
  last_hash bytea
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
  -- This event's link in its stream's hash chain (see event_hash).
  hash bytea NOT NULL,
  CONSTRAINT events_pkey PRIMARY KEY (transaction_id, global_position),
  CONSTRAINT events_event_id_key UNIQUE (event_id),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_name, revision)
);

-- The log only grows, and a filtered catch-up read plans well only with fresh statistics
-- (right after a bulk load PostgreSQL sorted the rest of the log per page: 54 ms instead of
-- 1 ms for 5,000 events, measured), so re-analyse after 2 % growth instead of 10 %.
ALTER TABLE event_store.events
  SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);

-- readAll's metadata filter for one tenant's cycle, in global order.
CREATE INDEX events_tenant_cycle_idx
  ON event_store.events (tenant_id, (metadata->>'cycleId'), transaction_id, global_position);

-- Auditors must be able to trust that nothing recorded was edited afterwards: the log refuses
-- UPDATE, DELETE and TRUNCATE (corrections are new events), and every event carries a hash
-- chained to the previous event of its stream, so a change made around the trigger (by a
-- superuser) is detected by verify_chains.

-- The one definition of a link: the previous link, then the event's identity and content.
-- jsonb prints canonically and the time is taken in microseconds since the epoch, so the
-- hash does not depend on key order or the session's time zone.
CREATE FUNCTION event_store.event_hash(p_previous bytea, p_id uuid, p_stream text,
    p_revision bigint, p_type text, p_data jsonb, p_metadata jsonb, p_recorded_at timestamptz)
RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  SELECT sha256(coalesce(p_previous, ''::bytea) || convert_to(concat_ws(E'\n',
    p_id::text, p_stream, p_revision::text, p_type, p_data::text, p_metadata::text,
    (extract(epoch FROM p_recorded_at) * 1000000)::bigint::text), 'UTF8'))
$fn$;

CREATE FUNCTION event_store.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'EV002',
    MESSAGE = 'recorded events are immutable: record a correcting event instead';
END
$fn$;
CREATE TRIGGER events_are_immutable BEFORE UPDATE OR DELETE ON event_store.events
  FOR EACH ROW EXECUTE FUNCTION event_store.refuse_change();
CREATE TRIGGER events_are_not_truncated BEFORE TRUNCATE ON event_store.events
  FOR EACH STATEMENT EXECUTE FUNCTION event_store.refuse_change();

-- One round trip per append: lock the stream row, check idempotency and the expected state,
-- link the events into the stream's hash chain, insert, bump the revision. Failures raise
-- SQLSTATE EV001 with the actual revision in DETAIL (-1 = no stream), so the statement rolls
-- back as a whole.
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
  v_last_hash bytea;
  v_hashes bytea[];
  v_existing int;
  v_same_stream boolean;
  v_first_min bigint;
  v_first_max bigint;
BEGIN
  -- Fast path for a new stream: one insert claims the stream with its final revision and
  -- head hash. An id stored elsewhere then fails on the unique event_id (23505).
  IF p_expected_kind IN ('no_stream', 'any') THEN
    v_hashes := event_store.chain_hashes(NULL, p_stream, -1, p_ids, p_types, p_data,
      p_metadata, p_recorded_at);
    INSERT INTO event_store.streams (stream_name, revision, last_hash)
      VALUES (p_stream, v_count - 1, v_hashes[v_count])
      ON CONFLICT (stream_name) DO NOTHING;
    IF FOUND THEN
      INSERT INTO event_store.events (transaction_id, global_position, event_id, stream_name,
          revision, type, data, metadata, tenant_id, recorded_at, hash)
      SELECT pg_current_xact_id(), nextval('event_store.global_position_seq'), i.id, p_stream,
             i.ord - 1, i.type, i.data, i.metadata, i.metadata->>'tenantId', p_recorded_at, i.hash
        FROM unnest(p_ids, p_types, p_data, p_metadata, v_hashes)
             WITH ORDINALITY AS i(id, type, data, metadata, hash, ord);
      IF p_notify THEN
        PERFORM pg_notify('${APPEND_CHANNEL}', '');
      END IF;
      next_revision := v_count - 1;
      transaction_id := pg_current_xact_id()::text;
      global_position := currval('event_store.global_position_seq')::text;
      RETURN;
    END IF;
  END IF;

  -- Existing stream: its row lock serialises appends to it, including a retry racing its
  -- original, and holds the head of its hash chain.
  SELECT s.revision, s.last_hash INTO v_current, v_last_hash FROM event_store.streams s
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

  v_hashes := event_store.chain_hashes(v_last_hash, p_stream, v_current, p_ids, p_types, p_data,
    p_metadata, p_recorded_at);
  INSERT INTO event_store.events (transaction_id, global_position, event_id, stream_name,
      revision, type, data, metadata, tenant_id, recorded_at, hash)
  SELECT pg_current_xact_id(), nextval('event_store.global_position_seq'), i.id, p_stream,
         v_current + i.ord, i.type, i.data, i.metadata, i.metadata->>'tenantId', p_recorded_at,
         i.hash
    FROM unnest(p_ids, p_types, p_data, p_metadata, v_hashes)
         WITH ORDINALITY AS i(id, type, data, metadata, hash, ord);

  UPDATE event_store.streams s SET revision = v_current + v_count, last_hash = v_hashes[v_count]
   WHERE s.stream_name = p_stream;

  IF p_notify THEN
    PERFORM pg_notify('${APPEND_CHANNEL}', '');
  END IF;

  next_revision := v_current + v_count;
  transaction_id := pg_current_xact_id()::text;
  global_position := currval('event_store.global_position_seq')::text;
END
$fn$;

-- The links of events appended after p_previous_revision, in order.
CREATE FUNCTION event_store.chain_hashes(p_previous bytea, p_stream text,
    p_previous_revision bigint, p_ids uuid[], p_types text[], p_data jsonb[],
    p_metadata jsonb[], p_recorded_at timestamptz)
RETURNS bytea[] LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  v_hash bytea := p_previous;
  v_hashes bytea[] := '{}';
BEGIN
  FOR i IN 1..cardinality(p_ids) LOOP
    v_hash := event_store.event_hash(v_hash, p_ids[i], p_stream, p_previous_revision + i,
      p_types[i], p_data[i], p_metadata[i], p_recorded_at);
    v_hashes := v_hashes || v_hash;
  END LOOP;
  RETURN v_hashes;
END
$fn$;

-- Every event whose link does not follow from its content and its predecessor's link, every
-- missing revision, and every stream whose head link is not its last event's.
CREATE FUNCTION event_store.verify_chains(p_tenant text)
RETURNS TABLE (stream_name text, revision bigint, problem text)
LANGUAGE sql STABLE AS $fn$
  WITH linked AS (
    SELECT e.*,
           lag(e.hash) OVER w AS previous_hash,
           lag(e.revision) OVER w AS previous_revision
      FROM event_store.events e
     WHERE p_tenant IS NULL OR e.tenant_id = p_tenant
    WINDOW w AS (PARTITION BY e.stream_name ORDER BY e.revision)
  )
  SELECT l.stream_name, l.revision,
         CASE WHEN l.revision <> coalesce(l.previous_revision + 1, 0) THEN 'revision missing before'
              ELSE 'content does not match its hash' END
    FROM linked l
   WHERE l.revision <> coalesce(l.previous_revision + 1, 0)
      OR l.hash IS DISTINCT FROM event_store.event_hash(l.previous_hash, l.event_id,
           l.stream_name, l.revision, l.type, l.data, l.metadata, l.recorded_at)
  UNION ALL
  SELECT s.stream_name, s.revision, 'head does not match the last event'
    FROM event_store.streams s
    LEFT JOIN event_store.events e
      ON e.stream_name = s.stream_name AND e.revision = s.revision
   WHERE (p_tenant IS NULL OR EXISTS (SELECT 1 FROM event_store.events t
            WHERE t.stream_name = s.stream_name AND t.tenant_id = p_tenant))
     AND (e.hash IS NULL OR e.hash IS DISTINCT FROM s.last_hash)
$fn$;
`,
  },
  LEDGER_CHECKPOINTS_MIGRATION,
  LEDGER_LEAVES_MIGRATION,
  LEDGER_MISSING_EVENTS_MIGRATION,
  RECORDED_TIME_MIGRATION,
];

/**
 * Whether every migration is applied, asked without DDL: a serving role that does not own
 * the schema may not even run `CREATE TABLE IF NOT EXISTS` there (docs/adr/0013).
 */
async function allMigrationsApplied(pool: Pool): Promise<boolean> {
  // No table yet (a fresh database) or any other failure: the locked path below decides.
  const { rows } = await pool
    .query<{ version: number }>(`SELECT version FROM ${EVENT_STORE_SCHEMA}.schema_migrations`)
    .catch(() => ({ rows: [] as { version: number }[] }));
  const applied = new Set(rows.map((r) => r.version));
  return MIGRATIONS.every((m) => applied.has(m.version));
}

/** Applies missing migrations under an advisory lock; safe to run from many processes. */
export async function migrateEventStore(pool: Pool): Promise<number[]> {
  if (await allMigrationsApplied(pool)) return [];
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
