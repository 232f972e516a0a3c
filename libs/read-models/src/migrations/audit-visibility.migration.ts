import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Visibility of the audit trail (issue #14, ADR 0017 "The past"): each entry about an objective
 * (its own events and those of its key results) keeps the objective's id and its access as the
 * event left it (visibility, owner, team, sharing), and the projection keeps every objective's
 * current access and each key result's objective, so that a page filters in SQL with the
 * viewer's scope, then and now. The columns are NULL on entries about no objective (teams,
 * cycles). The projection's version changes with this, so the rebuild fills them for the
 * entries already there. Takes the first migration's lock; idempotent.
 */
export class AuditVisibility1767916900000 implements MigrationInterface {
  name = 'AuditVisibility1767916900000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
ALTER TABLE read_models.audit_entries
  ADD COLUMN IF NOT EXISTS objective_id text,
  ADD COLUMN IF NOT EXISTS visibility text,
  ADD COLUMN IF NOT EXISTS owner_id text,
  ADD COLUMN IF NOT EXISTS team_id text,
  ADD COLUMN IF NOT EXISTS shared_with text[];
CREATE INDEX IF NOT EXISTS audit_entries_objective_idx
  ON read_models.audit_entries (tenant_id, objective_id, position);

CREATE TABLE IF NOT EXISTS read_models.audit_objective_access (
  tenant_id text NOT NULL,
  objective_id text NOT NULL,
  visibility text NOT NULL,
  owner_id text,
  team_id text,
  shared_with text[] NOT NULL,
  CONSTRAINT audit_objective_access_pkey PRIMARY KEY (tenant_id, objective_id)
);

ALTER TABLE read_models.audit_key_result_states ADD COLUMN IF NOT EXISTS objective_id text;
`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
ALTER TABLE read_models.audit_key_result_states DROP COLUMN IF EXISTS objective_id;
DROP TABLE IF EXISTS read_models.audit_objective_access;
DROP INDEX IF EXISTS read_models.audit_entries_objective_idx;
ALTER TABLE read_models.audit_entries
  DROP COLUMN IF EXISTS objective_id,
  DROP COLUMN IF EXISTS visibility,
  DROP COLUMN IF EXISTS owner_id,
  DROP COLUMN IF EXISTS team_id,
  DROP COLUMN IF EXISTS shared_with;
`);
  }
}
