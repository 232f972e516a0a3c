import type { Migration } from './postgres-migrations';

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
