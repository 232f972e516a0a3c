// The read side: views and queries the API codes against, the projector, entities, migrations.
import { AlignmentEdgeEntity } from './okr-tree/alignment-edge.entity';
import {
  AuditCheckInValueEntity,
  AuditCycleStateEntity,
  AuditEntryEntity,
  AuditKeyResultStateEntity,
  AuditObjectiveAccessEntity,
} from './audit-trail/audit-entry.entity';
import { auditTrailProjection } from './audit-trail/audit-trail.projection';
import {
  AuditSignalCycleEntity,
  AuditSignalEntity,
  AuditSignalEvidenceEntity,
  AuditSignalFeedEntity,
  AuditSignalStateEntity,
} from './audit-signals/audit-signal.entity';
import { auditSignalsProjection } from './audit-signals/audit-signals.projection';
import { AuditSignals1767830600000 } from './migrations/audit-signals.migration';
import { AuditSignalFeeds1768089600000 } from './migrations/audit-signal-feeds.migration';
import { CheckInEntity } from './check-ins/check-in.entity';
import { checkInsProjection } from './check-ins/check-ins.projection';
import { CycleEntity } from './okr-tree/cycle.entity';
import { DataSourceEntity, DataSourceKeyResultEntity } from './data-sources/data-source.entity';
import { dataSourcesProjection } from './data-sources/data-sources.projection';
import { DataSources1767830500000 } from './migrations/data-sources.migration';
import { KeyResultHistoryEntity } from './key-result-history/key-result-history.entity';
import { keyResultHistoryProjection } from './key-result-history/key-result-history.projection';
import { KeyResultEntity } from './okr-tree/key-result.entity';
import { AuditEntriesLighter1767657600000 } from './migrations/audit-entries-lighter.migration';
import { AuditVisibility1767916900000 } from './migrations/audit-visibility.migration';
import { AuditLateValues1768003200000 } from './migrations/audit-late-values.migration';
import { ProjectionStalls1767744000000 } from './migrations/projection-stalls.migration';
import { ReadModelsSchema1767225600000 } from './migrations/read-models-schema.migration';
import { ValidTime1767830400000 } from './migrations/valid-time.migration';
import { Visibility1767916800000 } from './migrations/visibility.migration';
import { ObjectiveEntity } from './okr-tree/objective.entity';
import { okrTreeProjection } from './okr-tree/okr-tree.projection';
import type { Projection } from './projector/projection.port';
import { ProjectionCheckpointEntity } from './projector/projection-checkpoint.entity';
import { TeamEntity } from './teams/team.entity';
import { TeamMemberEntity } from './teams/team-member.entity';
import { teamsProjection } from './teams/teams.projection';

export * from './read-models.views';
export { ReadModels } from './read-models.queries';
export * from './time-travel';
export { checkInOfEvent } from './check-ins/check-ins.view';
export { DataSourceQueries } from './data-sources/data-sources.queries';
export type * from './data-sources/data-sources.view';
export type { SqlRunner } from './read-models.paging';
export { visibleObjectiveSql } from './okr-tree/visibility.queries';
export { visibleAuditEntrySql } from './audit-trail/audit-trail.queries';
export { parentsNamed, withoutHiddenParents } from './audit-trail/audit-trail.view';
export type { Projection } from './projector/projection.port';
export { Projector, type ProjectorLogger, type ProjectorOptions } from './projector/projector';
export {
  countEvents,
  rebuildProjection,
  rebuildProjections,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
} from './projector/rebuild';
export { CHECKPOINT_CHANNEL } from './projector/checkpoints';
export { readStalls, type StoredStall } from './projector/stalls';
export { retryStalls, type RetryOutcome } from './projector/retry-stalls';
export { READ_MODELS_SCHEMA } from './migrations/read-models-schema.migration';
export {
  auditSignalsProjection,
  auditTrailProjection,
  checkInsProjection,
  dataSourcesProjection,
  keyResultHistoryProjection,
  okrTreeProjection,
  teamsProjection,
};
export {
  AlignmentEdgeEntity,
  AuditEntryEntity,
  CheckInEntity,
  CycleEntity,
  DataSourceEntity,
  DataSourceKeyResultEntity,
  KeyResultEntity,
  KeyResultHistoryEntity,
  ObjectiveEntity,
  ProjectionCheckpointEntity,
  TeamEntity,
  TeamMemberEntity,
};

/** Every projection the projector runs, by default all of them. */
export const READ_MODEL_PROJECTIONS: readonly Projection[] = [
  teamsProjection,
  okrTreeProjection,
  checkInsProjection,
  keyResultHistoryProjection,
  auditTrailProjection,
  dataSourcesProjection,
  auditSignalsProjection,
];

/** For `TypeOrmModule.forRoot({ entities })`. */
export const READ_MODEL_ENTITIES = [
  ProjectionCheckpointEntity,
  TeamEntity,
  TeamMemberEntity,
  CycleEntity,
  ObjectiveEntity,
  KeyResultEntity,
  AlignmentEdgeEntity,
  CheckInEntity,
  KeyResultHistoryEntity,
  AuditEntryEntity,
  AuditCycleStateEntity,
  AuditKeyResultStateEntity,
  AuditCheckInValueEntity,
  DataSourceEntity,
  DataSourceKeyResultEntity,
  AuditSignalEntity,
  AuditSignalEvidenceEntity,
  AuditSignalStateEntity,
  AuditSignalCycleEntity,
  AuditObjectiveAccessEntity,
  AuditSignalFeedEntity,
];

/** For `TypeOrmModule.forRoot({ migrations, migrationsRun: true })`; never `synchronize`. */
export const READ_MODEL_MIGRATIONS = [
  ReadModelsSchema1767225600000,
  AuditEntriesLighter1767657600000,
  ProjectionStalls1767744000000,
  ValidTime1767830400000,
  DataSources1767830500000,
  AuditSignals1767830600000,
  Visibility1767916800000,
  AuditVisibility1767916900000,
  AuditLateValues1768003200000,
  AuditSignalFeeds1768089600000,
];
