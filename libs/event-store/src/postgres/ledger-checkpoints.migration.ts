// The shape of postgres-migrations' Migration, restated: importing it would make a cycle.
interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Signed checkpoints of each organisation's Merkle tree, kept like the events: insert only
 * (the same trigger refuses UPDATE, DELETE and TRUNCATE). The Merkle tree is computed from
 * the log, in log order, when a checkpoint is taken (docs/adr/0010-verifiable-ledger.md).
 */
export const LEDGER_CHECKPOINTS_MIGRATION: Migration = {
  version: 2,
  name: 'signed ledger checkpoints, append-only',
  sql: `
CREATE TABLE event_store.ledger_checkpoints (
  -- Orders the checkpoints (cursor of ledgerCheckpoints); not part of what is signed.
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL,
  size bigint NOT NULL CHECK (size >= 0),
  root text NOT NULL,
  position text NOT NULL,
  -- The signed text of the time, exactly as signed.
  signed_at text NOT NULL,
  signature text NOT NULL,
  key_fingerprint text NOT NULL,
  -- Why it was taken: 'requested' or 'cycle-closed'.
  reason text NOT NULL
);
CREATE INDEX ledger_checkpoints_tenant_idx ON event_store.ledger_checkpoints (tenant_id, seq);
CREATE INDEX ledger_checkpoints_tenant_size_idx ON event_store.ledger_checkpoints (tenant_id, size);

CREATE TRIGGER ledger_checkpoints_are_immutable BEFORE UPDATE OR DELETE
  ON event_store.ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION event_store.refuse_change();
CREATE TRIGGER ledger_checkpoints_are_not_truncated BEFORE TRUNCATE
  ON event_store.ledger_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION event_store.refuse_change();

-- No index is added to the events for the ledger: every append would pay for it, and a
-- checkpoint or proof (rare) reads the organisation's rows through events_tenant_cycle_idx
-- and sorts them.
`,
};

/**
 * The leaf hashes of each organisation's tree, kept as checkpoints extend them, so a
 * checkpoint reads and hashes only the events since the last one and a proof reads 32 bytes
 * an event. Derived data, insert only like the rest: whatever disagrees with the events is
 * caught by recomputing from them (ledgerIntegrity, the offline verifier).
 */
export const LEDGER_LEAVES_MIGRATION: Migration = {
  version: 3,
  name: 'ledger leaf hashes, append-only',
  sql: `
CREATE TABLE event_store.ledger_leaves (
  tenant_id text NOT NULL,
  leaf_index bigint NOT NULL,
  position text NOT NULL,
  leaf_hash bytea NOT NULL,
  CONSTRAINT ledger_leaves_pkey PRIMARY KEY (tenant_id, leaf_index),
  CONSTRAINT ledger_leaves_position_key UNIQUE (tenant_id, position)
);
CREATE TRIGGER ledger_leaves_are_immutable BEFORE UPDATE OR DELETE
  ON event_store.ledger_leaves FOR EACH ROW EXECUTE FUNCTION event_store.refuse_change();
CREATE TRIGGER ledger_leaves_are_not_truncated BEFORE TRUNCATE
  ON event_store.ledger_leaves FOR EACH STATEMENT EXECUTE FUNCTION event_store.refuse_change();
`,
};

/**
 * A stream whose events were all deleted left nothing for verify_chains(tenant) to see. The
 * kept leaves remember every event a checkpoint signed, with its stream and revision, so the
 * same function now names each of them that is gone; with no tenant it also names stream
 * rows that have no event at all.
 */
export const LEDGER_MISSING_EVENTS_MIGRATION: Migration = {
  version: 4,
  name: 'verify_chains names events a checkpoint signed that are gone',
  sql: `
ALTER TABLE event_store.ledger_leaves ADD COLUMN stream_name text, ADD COLUMN revision bigint;

CREATE OR REPLACE FUNCTION event_store.verify_chains(p_tenant text)
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
  UNION ALL
  SELECT coalesce(k.stream_name, 'unknown stream (leaf ' || k.leaf_index || ')'),
         coalesce(k.revision, -1), 'event signed in a checkpoint is missing'
    FROM event_store.ledger_leaves k
   WHERE (p_tenant IS NULL OR k.tenant_id = p_tenant)
     -- (xid8 refuses the leading zeros of a position: through numeric first)
     AND NOT EXISTS (SELECT 1 FROM event_store.events e
            WHERE e.transaction_id = split_part(k.position, '-', 1)::numeric::text::xid8
              AND e.global_position = split_part(k.position, '-', 2)::bigint)
  UNION ALL
  SELECT s.stream_name, s.revision, 'stream has no events left'
    FROM event_store.streams s
   WHERE p_tenant IS NULL
     AND NOT EXISTS (SELECT 1 FROM event_store.events e WHERE e.stream_name = s.stream_name)
$fn$;
`,
};
