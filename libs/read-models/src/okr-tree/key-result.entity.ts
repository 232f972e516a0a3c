import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';
import type { InitiativeJson } from './okr-tree.rows';

/** Written by the okr-tree projection (progress cascades through it). */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'key_results' })
@Index('key_results_objective_idx', ['tenantId', 'objectiveId', 'createdAt', 'id'])
export class KeyResultEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'objective_id', type: 'text' }) objectiveId!: string;
  @Column({ name: 'cycle_id', type: 'text' }) cycleId!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ name: 'owner_id', type: 'text', nullable: true }) ownerId!: string | null;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) scoring!: string;
  @Column({ name: 'start_value', type: 'double precision' }) startValue!: number;
  @Column({ name: 'target_value', type: 'double precision' }) targetValue!: number;
  @Column({ name: 'current_value', type: 'double precision' }) currentValue!: number;
  /** When the current value was true; null before the first check-in (ADR 0014). */
  @Column({ name: 'measured_at', type: 'timestamptz', nullable: true }) measuredAt!: Date | null;
  @Column({ type: 'text', nullable: true }) unit!: string | null;
  @Column({ type: 'double precision' }) weight!: number;
  /** keyResultProgress of its own value. */
  @Column({ name: 'own_progress', type: 'double precision' }) ownProgress!: number;
  /** What it contributes to its objective (own value or rolled up). */
  @Column({ type: 'double precision' }) progress!: number;
  @Column({ type: 'double precision', nullable: true }) confidence!: number | null;
  @Column({ name: 'data_source_url', type: 'text', nullable: true }) dataSourceUrl!: string | null;
  @Column({ name: 'health_metric', type: 'boolean' }) healthMetric!: boolean;
  @Column({ name: 'check_in_count', type: 'integer' }) checkInCount!: number;
  @Column({ type: 'jsonb' }) initiatives!: InitiativeJson[];
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'last_position', type: 'text' }) lastPosition!: string;
}
