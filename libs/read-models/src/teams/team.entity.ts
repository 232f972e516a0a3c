import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

@Entity({ schema: READ_MODELS_SCHEMA, name: 'teams' })
@Index('teams_parent_idx', ['tenantId', 'parentId'])
export class TeamEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ name: 'parent_id', type: 'text', nullable: true }) parentId!: string | null;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'last_position', type: 'text' }) lastPosition!: string;
}
