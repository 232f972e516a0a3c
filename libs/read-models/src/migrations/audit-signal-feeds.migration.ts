import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit signals (ADR 0016): which key results each data source's registration lists, so that
 * its revocation (which names none) reaches each of them. The projection's version changes
 * with this, so the rebuild fills it from the log. Takes the first migration's lock; idempotent.
 */
export class AuditSignalFeeds1768089600000 implements MigrationInterface {
  name = 'AuditSignalFeeds1768089600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
CREATE TABLE IF NOT EXISTS read_models.audit_signal_feeds (
  tenant_id text NOT NULL,
  data_source_id text NOT NULL,
  key_result_id text NOT NULL,
  CONSTRAINT audit_signal_feeds_pkey PRIMARY KEY (tenant_id, data_source_id, key_result_id)
);
`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`DROP TABLE IF EXISTS read_models.audit_signal_feeds;`);
  }
}
