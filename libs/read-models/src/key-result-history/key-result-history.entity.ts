import { Column, Entity, PrimaryColumn } from 'typeorm';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

/** One point per value or definition change of a key result. */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'key_result_history' })
export class KeyResultHistoryEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'key_result_id', type: 'text' }) keyResultId!: string;
  @PrimaryColumn({ type: 'text' }) position!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ name: 'start_value', type: 'double precision' }) startValue!: number;
  @Column({ name: 'target_value', type: 'double precision' }) targetValue!: number;
  @Column({ name: 'current_value', type: 'double precision' }) currentValue!: number;
  @Column({ name: 'current_measured_at', type: 'timestamptz', nullable: true })
  currentMeasuredAt!: Date | null;
  /** A check-in point's own value and when it was true (ADR 0014); null otherwise. */
  @Column({ type: 'double precision', nullable: true }) value!: number | null;
  @Column({ name: 'measured_at', type: 'timestamptz', nullable: true }) measuredAt!: Date | null;
  @Column({ type: 'double precision' }) progress!: number;
  @Column({ type: 'double precision', nullable: true }) confidence!: number | null;
  @Column({ name: 'check_in_count', type: 'integer' }) checkInCount!: number;
}
