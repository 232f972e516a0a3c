import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { FieldChangeView } from '../read-models.views';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

/** One row per event, in global order within a tenant. */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_entries' })
@Index('audit_entries_aggregate_idx', ['tenantId', 'aggregateId', 'position'])
@Index('audit_entries_cycle_idx', ['tenantId', 'cycleId', 'position'])
@Index('audit_entries_actor_idx', ['tenantId', 'actorId', 'position'])
@Index('audit_entries_type_idx', ['tenantId', 'eventType', 'position'])
@Index('audit_entries_time_idx', ['tenantId', 'occurredAt'])
@Index('audit_entries_objective_idx', ['tenantId', 'objectiveId', 'position'])
export class AuditEntryEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) position!: string;
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'actor_id', type: 'text' }) actorId!: string;
  @Column({ name: 'aggregate_type', type: 'text' }) aggregateType!: string;
  @Column({ name: 'aggregate_id', type: 'text' }) aggregateId!: string;
  @Column({ name: 'cycle_id', type: 'text', nullable: true }) cycleId!: string | null;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  // json, not jsonb: read whole, never searched (migration AuditEntriesLighter).
  @Column({ type: 'json' }) changes!: FieldChangeView[];
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text', nullable: true }) source!: string | null;
  @Column({ name: 'during_active_cycle', type: 'boolean' }) duringActiveCycle!: boolean;
  // The objective the entry is about (its own or its key result's event) and its access as the
  // event left it: who could see the entry then (ADR 0017). NULL for teams and cycles.
  @Column({ name: 'objective_id', type: 'text', nullable: true }) objectiveId!: string | null;
  @Column({ type: 'text', nullable: true }) visibility!: string | null;
  @Column({ name: 'owner_id', type: 'text', nullable: true }) ownerId!: string | null;
  @Column({ name: 'team_id', type: 'text', nullable: true }) teamId!: string | null;
  @Column({ name: 'shared_with', type: 'text', array: true, nullable: true })
  sharedWith!: string[] | null;
}

/** The audit projection's memory of each objective's access now (who may see its entries). */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_objective_access' })
export class AuditObjectiveAccessEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'objective_id', type: 'text' }) objectiveId!: string;
  @Column({ type: 'text' }) visibility!: string;
  @Column({ name: 'owner_id', type: 'text', nullable: true }) ownerId!: string | null;
  @Column({ name: 'team_id', type: 'text', nullable: true }) teamId!: string | null;
  @Column({ name: 'shared_with', type: 'text', array: true }) sharedWith!: string[];
}

/** The audit projection's memory of each cycle's status (not a query model). */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_cycle_states' })
export class AuditCycleStateEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'cycle_id', type: 'text' }) cycleId!: string;
  @Column({ type: 'text' }) status!: string;
}

/**
 * The audit projection's memory of each key result's objective, last stated confidence and when
 * its current value was true (a later check-in measured earlier is a late value, ADR 0014).
 */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_key_result_states' })
export class AuditKeyResultStateEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'key_result_id', type: 'text' }) keyResultId!: string;
  @Column({ type: 'double precision', nullable: true }) confidence!: number | null;
  @Column({ name: 'objective_id', type: 'text', nullable: true }) objectiveId!: string | null;
  @Column({ name: 'current_measured_at', type: 'timestamptz', nullable: true })
  currentMeasuredAt!: Date | null;
}

/** The audit projection's memory of each data source's value, for a correction's `from`. */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'audit_check_in_values' })
export class AuditCheckInValueEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'check_in_id', type: 'text' }) checkInId!: string;
  @Column({ type: 'double precision' }) value!: number;
}
