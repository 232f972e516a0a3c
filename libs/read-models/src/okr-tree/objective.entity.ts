import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

/** Written by the okr-tree projection (progress cascades into it). */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'objectives' })
@Index('objectives_cycle_idx', ['tenantId', 'cycleId', 'createdAt', 'id'])
@Index('objectives_created_idx', ['tenantId', 'createdAt', 'id'])
@Index('objectives_team_idx', ['tenantId', 'teamId', 'createdAt', 'id'])
@Index('objectives_owner_idx', ['tenantId', 'ownerId', 'createdAt', 'id'])
@Index('objectives_parent_objective_idx', ['tenantId', 'parentObjectiveId'])
@Index('objectives_parent_key_result_idx', ['tenantId', 'parentKeyResultId'])
export class ObjectiveEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'cycle_id', type: 'text' }) cycleId!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column({ name: 'owner_id', type: 'text', nullable: true }) ownerId!: string | null;
  @Column({ name: 'team_id', type: 'text', nullable: true }) teamId!: string | null;
  @Column({ name: 'parent_objective_id', type: 'text', nullable: true })
  parentObjectiveId!: string | null;
  @Column({ name: 'parent_key_result_id', type: 'text', nullable: true })
  parentKeyResultId!: string | null;
  @Column({ name: 'parent_key_result_objective_id', type: 'text', nullable: true })
  parentKeyResultObjectiveId!: string | null;
  @Column({ type: 'text' }) visibility!: string;
  @Column({ name: 'shared_with', type: 'text', array: true }) sharedWith!: string[];
  @Column({ type: 'boolean' }) archived!: boolean;
  @Column({ type: 'double precision' }) progress!: number;
  @Column({ name: 'checked_in', type: 'boolean' }) checkedIn!: boolean;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'last_position', type: 'text' }) lastPosition!: string;
}
