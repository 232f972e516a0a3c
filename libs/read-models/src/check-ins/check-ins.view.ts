import type { RecordedEvent } from '@okr-ledger/event-store';
import type { KeyResultCheckedIn } from '@okr-ledger/okr';
import type { CheckInView } from '../read-models.views';

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
  };
}
