import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Visibility (issue #14, ADR 0017): an objective's visibility and the people it is shared
 * with, and the members of each team, so that reads can filter by who may see what in SQL.
 * The defaults fill existing rows as their events upcast (release 1 objectives were PUBLIC,
 * shared with nobody) and are dropped after, so the projection always writes both columns.
 * Takes the first migration's lock; idempotent.
 */
export class Visibility1767916800000 implements MigrationInterface {
  name = 'Visibility1767916800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
ALTER TABLE read_models.objectives
  ADD COLUMN IF NOT EXISTS visibility text NOT NULL DEFAULT 'PUBLIC',
  ADD COLUMN IF NOT EXISTS shared_with text[] NOT NULL DEFAULT '{}';
ALTER TABLE read_models.objectives
  ALTER COLUMN visibility DROP DEFAULT,
  ALTER COLUMN shared_with DROP DEFAULT;

CREATE TABLE IF NOT EXISTS read_models.team_members (
  tenant_id text NOT NULL,
  team_id text NOT NULL,
  person_id text NOT NULL,
  lead boolean NOT NULL,
  CONSTRAINT team_members_pkey PRIMARY KEY (tenant_id, team_id, person_id)
);
CREATE INDEX IF NOT EXISTS team_members_person_idx ON read_models.team_members (tenant_id, person_id);
`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
DROP TABLE IF EXISTS read_models.team_members;
ALTER TABLE read_models.objectives DROP COLUMN IF EXISTS visibility, DROP COLUMN IF EXISTS shared_with;
`);
  }
}
