import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

/** Written by the teams projection: who belongs to a team now, and who leads it. */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'team_members' })
@Index('team_members_person_idx', ['tenantId', 'personId'])
export class TeamMemberEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'team_id', type: 'text' }) teamId!: string;
  @PrimaryColumn({ name: 'person_id', type: 'text' }) personId!: string;
  @Column({ type: 'boolean' }) lead!: boolean;
}
