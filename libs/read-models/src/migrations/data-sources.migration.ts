import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data sources (ADR 0015): the sources of each organisation and, per key result they feed,
 * the latest `measuredAt` they sent, for staleness. No key and no key hash: those stay in the
 * log, where the API checks them. Takes the first migration's lock; idempotent.
 */
export class DataSources1767830500000 implements MigrationInterface {
  name = 'DataSources1767830500000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
CREATE TABLE IF NOT EXISTS read_models.data_sources (
  tenant_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL,
  expected_interval_hours double precision NOT NULL,
  revoked boolean NOT NULL,
  registered_at timestamptz NOT NULL,
  version integer NOT NULL,
  last_position text NOT NULL,
  CONSTRAINT data_sources_pkey PRIMARY KEY (tenant_id, id)
);
CREATE TABLE IF NOT EXISTS read_models.data_source_key_results (
  tenant_id text NOT NULL,
  data_source_id text NOT NULL,
  key_result_id text NOT NULL,
  last_value_at timestamptz,
  CONSTRAINT data_source_key_results_pkey PRIMARY KEY (tenant_id, data_source_id, key_result_id)
);
CREATE INDEX IF NOT EXISTS data_source_key_results_key_result_idx
  ON read_models.data_source_key_results (tenant_id, key_result_id);
`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`DROP TABLE IF EXISTS read_models.data_source_key_results`);
    await runner.query(`DROP TABLE IF EXISTS read_models.data_sources`);
  }
}
