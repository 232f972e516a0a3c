import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

@Entity({ schema: READ_MODELS_SCHEMA, name: 'check_ins' })
@Index('check_ins_key_result_idx', ['tenantId', 'keyResultId', 'position'])
export class CheckInEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'key_result_id', type: 'text' }) keyResultId!: string;
  @Column({ name: 'cycle_id', type: 'text', nullable: true }) cycleId!: string | null;
  @Column({ type: 'double precision' }) value!: number;
  @Column({ type: 'double precision', nullable: true }) confidence!: number | null;
  @Column({ type: 'text', nullable: true }) plan!: string | null;
  @Column({ type: 'text', nullable: true }) progress!: string | null;
  @Column({ type: 'text', nullable: true }) problems!: string | null;
  @Column({ type: 'text' }) source!: string;
  @Column({ name: 'actor_id', type: 'text' }) actorId!: string;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  /** When the value was true (ADR 0014). */
  @Column({ name: 'measured_at', type: 'timestamptz' }) measuredAt!: Date;
  @Column({ name: 'data_source_id', type: 'text', nullable: true }) dataSourceId!: string | null;
  @Column({ name: 'external_id', type: 'text', nullable: true }) externalId!: string | null;
  @Column({ name: 'corrects_check_in_id', type: 'text', nullable: true })
  correctsCheckInId!: string | null;
  @Column({ type: 'text' }) position!: string;
}
