import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail tells a late value from a change of the current value (ADR 0014):
 * - audit_key_result_states.current_measured_at: when the key result's current value was true
 *   (NULL before any check-in), so the projection asks `replacesCurrent` of each check-in.
 * - audit_check_in_values: the value of each data source's check-in, so that a correction of
 *   a value that is not current shows the value it corrects (only a data source corrects).
 * The projection's version changes with this, so the rebuild fills both from the log.
 * Takes the first migration's lock; idempotent.
 */
export class AuditLateValues1768003200000 implements MigrationInterface {
  name = 'AuditLateValues1768003200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
ALTER TABLE read_models.audit_key_result_states
  ADD COLUMN IF NOT EXISTS current_measured_at timestamptz;
CREATE TABLE IF NOT EXISTS read_models.audit_check_in_values (
  tenant_id text NOT NULL,
  check_in_id text NOT NULL,
  value double precision NOT NULL,
  CONSTRAINT audit_check_in_values_pkey PRIMARY KEY (tenant_id, check_in_id)
);
`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
DROP TABLE IF EXISTS read_models.audit_check_in_values;
ALTER TABLE read_models.audit_key_result_states DROP COLUMN IF EXISTS current_measured_at;
`);
  }
}
