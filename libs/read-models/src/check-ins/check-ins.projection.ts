import type { RecordedEvent } from '@okr-ledger/event-store';
import type { KeyResultCheckedIn } from '@okr-ledger/okr';
import type { ClientBase } from 'pg';
import type { Projection } from '../projector/projection.port';
import { cycleIdOf, tenantOf, type Recorded } from '../projector/recorded-event';
import { insertRowsIgnoringDuplicates } from '../projector/projection-sql';

/** One row per check-in; append-only, so a redelivered one is simply ignored. */
export const checkInsProjection: Projection = {
  name: 'check-ins',
  // 2: measured_at, the data source, its id for the value and the correction link (ADR 0014).
  version: 2,
  eventTypes: ['KeyResultCheckedIn'],
  tables: ['check_ins'],
  appendOnlyTables: ['check_ins'],
  async apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void> {
    const rows = events.map((raw) => {
      const { data } = raw as Recorded<KeyResultCheckedIn>;
      return {
        tenant_id: tenantOf(raw),
        id: data.checkInId,
        key_result_id: data.keyResultId,
        cycle_id: cycleIdOf(raw),
        value: data.value,
        confidence: data.confidence,
        plan: data.plan,
        progress: data.progress,
        problems: data.problems,
        source: data.source,
        actor_id: raw.metadata.actorId,
        recorded_at: raw.recordedAt.toISOString(),
        measured_at: data.measuredAt,
        data_source_id: data.dataSourceId,
        external_id: data.externalId,
        corrects_check_in_id: data.correctsCheckInId,
        position: raw.position,
      };
    });
    await insertRowsIgnoringDuplicates(client, 'check_ins', rows);
  },
};
