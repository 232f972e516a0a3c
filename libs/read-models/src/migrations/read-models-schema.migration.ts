import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The PostgreSQL schema of every read-model table (the event store lives in `event_store`). */
export const READ_MODELS_SCHEMA = 'read_models';

/**
 * The first read-model schema. Every statement is idempotent and the migration takes an
 * advisory lock, so an API and a projector starting together cannot trip over each other.
 * Every primary key starts with tenant_id (DESIGN §1: distribution by tenant later).
 */
export class ReadModelsSchema1767225600000 implements MigrationInterface {
  name = 'ReadModelsSchema1767225600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
CREATE SCHEMA IF NOT EXISTS read_models;

CREATE TABLE IF NOT EXISTS read_models.projection_checkpoints (
  name text NOT NULL,
  position text NOT NULL,
  version integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT projection_checkpoints_pkey PRIMARY KEY (name)
);

CREATE TABLE IF NOT EXISTS read_models.teams (
  tenant_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  parent_id text,
  version integer NOT NULL,
  last_position text NOT NULL,
  CONSTRAINT teams_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS teams_parent_idx ON read_models.teams (tenant_id, parent_id);

CREATE TABLE IF NOT EXISTS read_models.cycles (
  tenant_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL,
  progress double precision NOT NULL,
  version integer NOT NULL,
  last_position text NOT NULL,
  CONSTRAINT cycles_pkey PRIMARY KEY (tenant_id, id)
);

CREATE TABLE IF NOT EXISTS read_models.objectives (
  tenant_id text NOT NULL,
  id text NOT NULL,
  cycle_id text NOT NULL,
  title text NOT NULL,
  description text,
  owner_id text,
  team_id text,
  parent_objective_id text,
  parent_key_result_id text,
  -- The parent key result's objective, so an alignment edge needs no lookup.
  parent_key_result_objective_id text,
  archived boolean NOT NULL,
  progress double precision NOT NULL,
  checked_in boolean NOT NULL,
  version integer NOT NULL,
  created_at timestamptz NOT NULL,
  last_position text NOT NULL,
  CONSTRAINT objectives_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS objectives_cycle_idx ON read_models.objectives (tenant_id, cycle_id, created_at, id);
CREATE INDEX IF NOT EXISTS objectives_created_idx ON read_models.objectives (tenant_id, created_at, id);
CREATE INDEX IF NOT EXISTS objectives_team_idx ON read_models.objectives (tenant_id, team_id, created_at, id);
CREATE INDEX IF NOT EXISTS objectives_owner_idx ON read_models.objectives (tenant_id, owner_id, created_at, id);
CREATE INDEX IF NOT EXISTS objectives_parent_objective_idx ON read_models.objectives (tenant_id, parent_objective_id);
CREATE INDEX IF NOT EXISTS objectives_parent_key_result_idx ON read_models.objectives (tenant_id, parent_key_result_id);

CREATE TABLE IF NOT EXISTS read_models.key_results (
  tenant_id text NOT NULL,
  id text NOT NULL,
  objective_id text NOT NULL,
  cycle_id text NOT NULL,
  title text NOT NULL,
  owner_id text,
  type text NOT NULL,
  kind text NOT NULL,
  scoring text NOT NULL,
  start_value double precision NOT NULL,
  target_value double precision NOT NULL,
  current_value double precision NOT NULL,
  unit text,
  weight double precision NOT NULL,
  own_progress double precision NOT NULL,
  progress double precision NOT NULL,
  confidence double precision,
  data_source_url text,
  health_metric boolean NOT NULL,
  check_in_count integer NOT NULL,
  initiatives jsonb NOT NULL,
  version integer NOT NULL,
  created_at timestamptz NOT NULL,
  last_position text NOT NULL,
  CONSTRAINT key_results_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS key_results_objective_idx ON read_models.key_results (tenant_id, objective_id, created_at, id);

CREATE TABLE IF NOT EXISTS read_models.alignment_edges (
  tenant_id text NOT NULL,
  child_objective_id text NOT NULL,
  cycle_id text NOT NULL,
  parent_kind text,
  parent_key_result_id text,
  parent_objective_id text,
  progress double precision NOT NULL,
  archived boolean NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT alignment_edges_pkey PRIMARY KEY (tenant_id, child_objective_id)
);
CREATE INDEX IF NOT EXISTS alignment_edges_parent_idx
  ON read_models.alignment_edges (tenant_id, cycle_id, parent_objective_id, created_at);

CREATE TABLE IF NOT EXISTS read_models.check_ins (
  tenant_id text NOT NULL,
  id text NOT NULL,
  key_result_id text NOT NULL,
  cycle_id text,
  value double precision NOT NULL,
  confidence double precision,
  plan text,
  progress text,
  problems text,
  source text NOT NULL,
  actor_id text NOT NULL,
  recorded_at timestamptz NOT NULL,
  position text NOT NULL,
  CONSTRAINT check_ins_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS check_ins_key_result_idx ON read_models.check_ins (tenant_id, key_result_id, position);

CREATE TABLE IF NOT EXISTS read_models.key_result_history (
  tenant_id text NOT NULL,
  key_result_id text NOT NULL,
  position text NOT NULL,
  at timestamptz NOT NULL,
  event_type text NOT NULL,
  type text NOT NULL,
  start_value double precision NOT NULL,
  target_value double precision NOT NULL,
  current_value double precision NOT NULL,
  progress double precision NOT NULL,
  confidence double precision,
  check_in_count integer NOT NULL,
  CONSTRAINT key_result_history_pkey PRIMARY KEY (tenant_id, key_result_id, position)
);

CREATE TABLE IF NOT EXISTS read_models.audit_entries (
  tenant_id text NOT NULL,
  position text NOT NULL,
  event_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_id text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id text NOT NULL,
  cycle_id text,
  event_type text NOT NULL,
  changes jsonb NOT NULL,
  reason text,
  source text,
  during_active_cycle boolean NOT NULL,
  CONSTRAINT audit_entries_pkey PRIMARY KEY (tenant_id, position)
);
CREATE INDEX IF NOT EXISTS audit_entries_aggregate_idx ON read_models.audit_entries (tenant_id, aggregate_id, position);
CREATE INDEX IF NOT EXISTS audit_entries_cycle_idx ON read_models.audit_entries (tenant_id, cycle_id, position);
CREATE INDEX IF NOT EXISTS audit_entries_actor_idx ON read_models.audit_entries (tenant_id, actor_id, position);
CREATE INDEX IF NOT EXISTS audit_entries_type_idx ON read_models.audit_entries (tenant_id, event_type, position);
CREATE INDEX IF NOT EXISTS audit_entries_time_idx ON read_models.audit_entries (tenant_id, occurred_at);
CREATE INDEX IF NOT EXISTS audit_entries_active_idx ON read_models.audit_entries (tenant_id, position)
  WHERE during_active_cycle;

-- The audit projection's own memory of cycle statuses and key-result confidences, so that it
-- never depends on another projection's progress (each is rebuilt on its own).
CREATE TABLE IF NOT EXISTS read_models.audit_cycle_states (
  tenant_id text NOT NULL,
  cycle_id text NOT NULL,
  status text NOT NULL,
  CONSTRAINT audit_cycle_states_pkey PRIMARY KEY (tenant_id, cycle_id)
);
CREATE TABLE IF NOT EXISTS read_models.audit_key_result_states (
  tenant_id text NOT NULL,
  key_result_id text NOT NULL,
  confidence double precision,
  CONSTRAINT audit_key_result_states_pkey PRIMARY KEY (tenant_id, key_result_id)
);
`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP SCHEMA IF EXISTS read_models CASCADE`);
  }
}
