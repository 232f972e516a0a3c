import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SignalEvidence } from '@okr-ledger/okr';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

/** One signal raised on a key result at the event in `position` (ADR 0016). */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_signals' })
export class AuditSignalEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'key_result_id', type: 'text' }) keyResultId!: string;
  @PrimaryColumn({ type: 'text' }) position!: string;
  @PrimaryColumn({ type: 'text' }) kind!: string;
  @Column({ name: 'detected_at', type: 'timestamptz' }) detectedAt!: Date;
  @Column({ type: 'text' }) summary!: string;
  // json: read whole, never searched (the evidence table is the searchable form).
  @Column({ name: 'rests_on', type: 'json' }) restsOn!: SignalEvidence[];
}

/** One row per event a signal rests on: the audit trail's `signals` filter looks them up. */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_signal_evidence' })
export class AuditSignalEvidenceEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'evidence_position', type: 'text' }) evidencePosition!: string;
  @PrimaryColumn({ type: 'text' }) kind!: string;
  /** The raising event's position: with key_result_id and kind, the signal. */
  @PrimaryColumn({ type: 'text' }) position!: string;
  @PrimaryColumn({ name: 'key_result_id', type: 'text' }) keyResultId!: string;
}

/** The detector's memory of one key result (libs/okr SignalState, as JSON); not a query model. */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_signal_states' })
export class AuditSignalStateEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'key_result_id', type: 'text' }) keyResultId!: string;
  /** The last event folded in. */
  @Column({ type: 'text' }) position!: string;
  @Column({ type: 'json' }) state!: object;
}

/** The close of each cycle, for values recorded after it; not a query model. */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_signal_cycles' })
export class AuditSignalCycleEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'cycle_id', type: 'text' }) cycleId!: string;
  @Column({ name: 'closed_position', type: 'text' }) closedPosition!: string;
  @Column({ name: 'closed_event_id', type: 'text' }) closedEventId!: string;
  @Column({ name: 'closed_at', type: 'timestamptz' }) closedAt!: Date;
}

/** The key results each data source's registration lists, for its revocation; not a query model. */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_signal_feeds' })
export class AuditSignalFeedEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'data_source_id', type: 'text' }) dataSourceId!: string;
  @PrimaryColumn({ name: 'key_result_id', type: 'text' }) keyResultId!: string;
}
