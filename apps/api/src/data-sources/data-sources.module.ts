import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSourceQueries } from '@okr-ledger/read-models';
import type { DataSource } from 'typeorm';
import { DataSourcesResolver } from './data-sources.resolver';
import { DATA_SOURCE_QUERIES } from './data-sources.tokens';
import { IngestionService } from './ingestion.service';
import {
  KeyResultStalenessLoaders,
  KeyResultStalenessResolver,
} from './key-result-staleness.resolver';

/** Data sources, their keys and ingestion over GraphQL (ADR 0015). */
@Module({
  providers: [
    {
      provide: DATA_SOURCE_QUERIES,
      inject: [getDataSourceToken()],
      useFactory: (dataSource: DataSource) => new DataSourceQueries(dataSource),
    },
    IngestionService,
    DataSourcesResolver,
    KeyResultStalenessLoaders,
    KeyResultStalenessResolver,
  ],
  exports: [DATA_SOURCE_QUERIES, IngestionService],
})
export class DataSourcesModule {}
