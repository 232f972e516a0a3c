import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Valid time (ADR 0014): every value carries when it was true beside when it was recorded.
 * - key_results.measured_at: when its current value was true (null before any check-in); a
 *   late value (measured earlier) does not replace it.
 * - check_ins: measured_at (rows of release 1 were true when recorded), the data source that
 *   sent it, the sender's id and the check-in it corrects.
 * - key_result_history: a check-in point's own value and measured_at, and the measured_at of
 *   the key result's current value after each point.
 * The projections that fill them changed version, so their rows are rebuilt from the log.
 * Takes the first migration's lock; idempotent.
 */
export class ValidTime1767830400000 implements MigrationInterface {
  name = 'ValidTime1767830400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
ALTER TABLE read_models.key_results ADD COLUMN IF NOT EXISTS measured_at timestamptz;
ALTER TABLE read_models.check_ins
  ADD COLUMN IF NOT EXISTS measured_at timestamptz,
  ADD COLUMN IF NOT EXISTS data_source_id text,
  ADD COLUMN IF NOT EXISTS external_id text,
  ADD COLUMN IF NOT EXISTS corrects_check_in_id text;
UPDATE read_models.check_ins SET measured_at = recorded_at WHERE measured_at IS NULL;
ALTER TABLE read_models.check_ins ALTER COLUMN measured_at SET NOT NULL;
ALTER TABLE read_models.key_result_history
  ADD COLUMN IF NOT EXISTS measured_at timestamptz,
  ADD COLUMN IF NOT EXISTS value double precision,
  ADD COLUMN IF NOT EXISTS current_measured_at timestamptz;
`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
ALTER TABLE read_models.key_result_history
  DROP COLUMN IF EXISTS current_measured_at,
  DROP COLUMN IF EXISTS value,
  DROP COLUMN IF EXISTS measured_at;
ALTER TABLE read_models.check_ins
  DROP COLUMN IF EXISTS corrects_check_in_id,
  DROP COLUMN IF EXISTS external_id,
  DROP COLUMN IF EXISTS data_source_id,
  DROP COLUMN IF EXISTS measured_at;
ALTER TABLE read_models.key_results DROP COLUMN IF EXISTS measured_at;
`);
  }
}
