import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit signals (ADR 0016): the signals raised per key result with the events they rest on,
 * one row per (signal, event) for the audit trail's `signals` filter, and the detector's
 * memory (per key result, and each cycle's close). Takes the first migration's lock; idempotent.
 */
export class AuditSignals1767830600000 implements MigrationInterface {
  name = 'AuditSignals1767830600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
CREATE TABLE IF NOT EXISTS read_models.audit_signals (
  tenant_id text NOT NULL,
  key_result_id text NOT NULL,
  position text NOT NULL,
  kind text NOT NULL,
  detected_at timestamptz NOT NULL,
  summary text NOT NULL,
  rests_on json NOT NULL,
  CONSTRAINT audit_signals_pkey PRIMARY KEY (tenant_id, key_result_id, position, kind)
);
CREATE TABLE IF NOT EXISTS read_models.audit_signal_evidence (
  tenant_id text NOT NULL,
  evidence_position text NOT NULL,
  kind text NOT NULL,
  position text NOT NULL,
  key_result_id text NOT NULL,
  CONSTRAINT audit_signal_evidence_pkey
    PRIMARY KEY (tenant_id, evidence_position, kind, position, key_result_id)
);
CREATE TABLE IF NOT EXISTS read_models.audit_signal_states (
  tenant_id text NOT NULL,
  key_result_id text NOT NULL,
  position text NOT NULL,
  state json NOT NULL,
  CONSTRAINT audit_signal_states_pkey PRIMARY KEY (tenant_id, key_result_id)
);
CREATE TABLE IF NOT EXISTS read_models.audit_signal_cycles (
  tenant_id text NOT NULL,
  cycle_id text NOT NULL,
  closed_position text NOT NULL,
  closed_event_id text NOT NULL,
  closed_at timestamptz NOT NULL,
  CONSTRAINT audit_signal_cycles_pkey PRIMARY KEY (tenant_id, cycle_id)
);
`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(7203665281924512002)`);
    await runner.query(`
DROP TABLE IF EXISTS read_models.audit_signals;
DROP TABLE IF EXISTS read_models.audit_signal_evidence;
DROP TABLE IF EXISTS read_models.audit_signal_states;
DROP TABLE IF EXISTS read_models.audit_signal_cycles;
`);
  }
}
