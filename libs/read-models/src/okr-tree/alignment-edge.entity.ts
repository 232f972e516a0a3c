import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

/**
 * One row per objective: its edge to the parent (objective, or key result and that key
 * result's objective), none for a root, with the child's rolled-up progress.
 */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'alignment_edges' })
@Index('alignment_edges_parent_idx', ['tenantId', 'cycleId', 'parentObjectiveId', 'createdAt'])
export class AlignmentEdgeEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'child_objective_id', type: 'text' }) childObjectiveId!: string;
  @Column({ name: 'cycle_id', type: 'text' }) cycleId!: string;
  @Column({ name: 'parent_kind', type: 'text', nullable: true }) parentKind!: string | null;
  @Column({ name: 'parent_key_result_id', type: 'text', nullable: true })
  parentKeyResultId!: string | null;
  @Column({ name: 'parent_objective_id', type: 'text', nullable: true })
  parentObjectiveId!: string | null;
  @Column({ type: 'double precision' }) progress!: number;
  @Column({ type: 'boolean' }) archived!: boolean;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
