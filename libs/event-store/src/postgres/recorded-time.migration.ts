// The shape of postgres-migrations' Migration, restated: importing it would make a cycle.
interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

// postgres-migrations' APPEND_CHANNEL, restated for the same reason.
const APPEND_CHANNEL_NAME = 'event_store_appended';

/**
 * One order for time (issue 12, docs/adr/0005-time-travel.md): the recorded time is read from
 * the database's clock inside the append, after the stream's lock is taken, and never below
 * the stream's previous event. It was the client's clock, read before a connection was even
 * acquired, so two appends to one stream could be recorded in the opposite order of their
 * commits. The hash chain still hashes the stored time (chain_hashes gets the value the row
 * gets), so verify_chains and the canonical ledger encoding are unchanged.
 *
 * `p_recorded_at` keeps its place in the signature (CREATE OR REPLACE needs the same one) but
 * now means an explicit simulated time: NULL (what the store sends unless it was given a
 * `simulatedClock`) takes the database's clock. Either way the time never goes back within
 * the stream. Times are truncated to milliseconds so that every recorded time is exactly a
 * JavaScript Date: an `asOf` copied from an event's `recordedAt` must still include it.
 */
export const RECORDED_TIME_MIGRATION: Migration = {
  version: 5,
  name: 'recorded time from the database clock under the stream lock, never backwards',
  sql: `
-- The head's recorded time, next to its hash: read under the lock the append already takes.
ALTER TABLE event_store.streams ADD COLUMN last_recorded_at timestamptz;
UPDATE event_store.streams s SET last_recorded_at = e.recorded_at
  FROM event_store.events e WHERE e.stream_name = s.stream_name AND e.revision = s.revision;

CREATE OR REPLACE FUNCTION event_store.append_events(
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
  v_last_recorded_at timestamptz;
  v_recorded_at timestamptz;
  v_hashes bytea[];
  v_existing int;
  v_same_stream boolean;
  v_first_min bigint;
  v_first_max bigint;
BEGIN
  -- Fast path for a new stream: one insert claims the stream with its final revision and
  -- head hash. An id stored elsewhere then fails on the unique event_id (23505). A new stream
  -- has no earlier event to stay above.
  IF p_expected_kind IN ('no_stream', 'any') THEN
    v_recorded_at := coalesce(p_recorded_at, date_trunc('milliseconds', clock_timestamp()));
    v_hashes := event_store.chain_hashes(NULL, p_stream, -1, p_ids, p_types, p_data,
      p_metadata, v_recorded_at);
    INSERT INTO event_store.streams (stream_name, revision, last_hash, last_recorded_at)
      VALUES (p_stream, v_count - 1, v_hashes[v_count], v_recorded_at)
      ON CONFLICT (stream_name) DO NOTHING;
    IF FOUND THEN
      INSERT INTO event_store.events (transaction_id, global_position, event_id, stream_name,
          revision, type, data, metadata, tenant_id, recorded_at, hash)
      SELECT pg_current_xact_id(), nextval('event_store.global_position_seq'), i.id, p_stream,
             i.ord - 1, i.type, i.data, i.metadata, i.metadata->>'tenantId', v_recorded_at, i.hash
        FROM unnest(p_ids, p_types, p_data, p_metadata, v_hashes)
             WITH ORDINALITY AS i(id, type, data, metadata, hash, ord);
      IF p_notify THEN
        PERFORM pg_notify('${APPEND_CHANNEL_NAME}', '');
      END IF;
      next_revision := v_count - 1;
      transaction_id := pg_current_xact_id()::text;
      global_position := currval('event_store.global_position_seq')::text;
      RETURN;
    END IF;
  END IF;

  -- Existing stream: its row lock serialises appends to it, including a retry racing its
  -- original, and holds the head of its hash chain and the head's recorded time.
  SELECT s.revision, s.last_hash, s.last_recorded_at
    INTO v_current, v_last_hash, v_last_recorded_at
    FROM event_store.streams s WHERE s.stream_name = p_stream FOR UPDATE;
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

  -- Read the clock only now, holding the lock: the previous append to this stream has
  -- committed, so the stream's recorded times follow its commit order. greatest() keeps them
  -- there when the server's clock steps back or a simulated time is earlier. A row written
  -- by an older append function has no head time: the head event has it.
  IF v_last_recorded_at IS NULL THEN
    SELECT e.recorded_at INTO v_last_recorded_at FROM event_store.events e
     WHERE e.stream_name = p_stream AND e.revision = v_current;
  END IF;
  v_recorded_at := greatest(
    coalesce(p_recorded_at, date_trunc('milliseconds', clock_timestamp())), v_last_recorded_at);
  v_hashes := event_store.chain_hashes(v_last_hash, p_stream, v_current, p_ids, p_types, p_data,
    p_metadata, v_recorded_at);
  INSERT INTO event_store.events (transaction_id, global_position, event_id, stream_name,
      revision, type, data, metadata, tenant_id, recorded_at, hash)
  SELECT pg_current_xact_id(), nextval('event_store.global_position_seq'), i.id, p_stream,
         v_current + i.ord, i.type, i.data, i.metadata, i.metadata->>'tenantId', v_recorded_at,
         i.hash
    FROM unnest(p_ids, p_types, p_data, p_metadata, v_hashes)
         WITH ORDINALITY AS i(id, type, data, metadata, hash, ord);

  UPDATE event_store.streams s
     SET revision = v_current + v_count, last_hash = v_hashes[v_count],
         last_recorded_at = v_recorded_at
   WHERE s.stream_name = p_stream;

  IF p_notify THEN
    PERFORM pg_notify('${APPEND_CHANNEL_NAME}', '');
  END IF;

  next_revision := v_current + v_count;
  transaction_id := pg_current_xact_id()::text;
  global_position := currval('event_store.global_position_seq')::text;
END
$fn$;
`,
};
