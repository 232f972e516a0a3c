import type { RecordedEvent } from '@okr-ledger/event-store';
import type { CheckInSource, KeyResultCheckedIn } from '@okr-ledger/okr';

export interface CheckInView {
  readonly id: string;
  readonly keyResultId: string;
  readonly cycleId: string;
  readonly value: number;
  readonly confidence: number | null;
  readonly plan: string | null;
  readonly progress: string | null;
  readonly problems: string | null;
  readonly source: CheckInSource;
  readonly actorId: string;
  readonly recordedAt: Date;
  /** When the value was true (ADR 0014). */
  readonly measuredAt: Date;
  /** The data source that sent it; null for a person. */
  readonly dataSourceId: string | null;
  readonly externalId: string | null;
  /** The check-in this one corrects (same data source, same measuredAt). */
  readonly correctsCheckInId: string | null;
  readonly position: string;
}

/** A check-in as its event recorded it: for as-of answers and for a write not projected yet. */
export function checkInOfEvent(
  event: RecordedEvent,
  keyResultId: string,
): Omit<CheckInView, 'position'> {
  const data = event.data as KeyResultCheckedIn['data'];
  return {
    id: data.checkInId,
    keyResultId,
    cycleId: typeof event.metadata.cycleId === 'string' ? event.metadata.cycleId : '',
    value: data.value,
    confidence: data.confidence,
    plan: data.plan,
    progress: data.progress,
    problems: data.problems,
    source: data.source,
    actorId: event.metadata.actorId,
    recordedAt: event.recordedAt,
    measuredAt: new Date(data.measuredAt),
    dataSourceId: data.dataSourceId,
    externalId: data.externalId,
    correctsCheckInId: data.correctsCheckInId,
  };
}
