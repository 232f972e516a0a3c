import { Column, Entity, PrimaryColumn } from 'typeorm';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

/** Written by the okr-tree projection (progress cascades into it). */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'cycles' })
export class CycleEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt!: Date;
  @Column({ name: 'ends_at', type: 'timestamptz' }) endsAt!: Date;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'double precision' }) progress!: number;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'last_position', type: 'text' }) lastPosition!: string;
}
