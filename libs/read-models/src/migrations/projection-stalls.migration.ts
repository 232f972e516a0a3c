import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Poison events (ADR 0006): one row per projection halted for one tenant, written in the same
 * transaction as the projection's checkpoint. `resume_after` is a position just before the
 * failing event, so a retry can read the log from there (reads are exclusive).
 * Takes the first migration's lock; idempotent.
 */
export class ProjectionStalls1767744000000 implements MigrationInterface {
  name = 'ProjectionStalls1767744000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
CREATE TABLE IF NOT EXISTS read_models.projection_stalls (
  tenant_id text NOT NULL,
  projection text NOT NULL,
  position text NOT NULL,
  resume_after text NOT NULL,
  event_id text NOT NULL,
  stream_name text NOT NULL,
  event_type text NOT NULL,
  error text NOT NULL,
  stalled_at timestamptz NOT NULL DEFAULT now(),
  retried_at timestamptz,
  attempts integer NOT NULL DEFAULT 1,
  CONSTRAINT projection_stalls_pkey PRIMARY KEY (tenant_id, projection)
);
`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`DROP TABLE IF EXISTS read_models.projection_stalls`);
  }
}
