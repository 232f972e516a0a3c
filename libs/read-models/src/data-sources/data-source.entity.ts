import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { READ_MODELS_SCHEMA } from '../migrations/read-models-schema.migration';

/** A registered data source as it is now; never its key (nor the key's hash). */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'data_sources' })
export class DataSourceEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ name: 'expected_interval_hours', type: 'double precision' })
  expectedIntervalHours!: number;
  @Column({ type: 'boolean' }) revoked!: boolean;
  @Column({ name: 'registered_at', type: 'timestamptz' }) registeredAt!: Date;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'last_position', type: 'text' }) lastPosition!: string;
}

/** Which key results a source feeds, and the latest `measuredAt` it sent for each. */
@Entity({ schema: READ_MODELS_SCHEMA, name: 'data_source_key_results' })
@Index('data_source_key_results_key_result_idx', ['tenantId', 'keyResultId'])
export class DataSourceKeyResultEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'data_source_id', type: 'text' }) dataSourceId!: string;
  @PrimaryColumn({ name: 'key_result_id', type: 'text' }) keyResultId!: string;
  @Column({ name: 'last_value_at', type: 'timestamptz', nullable: true })
  lastValueAt!: Date | null;
}
