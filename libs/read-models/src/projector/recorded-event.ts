import type { RecordedEvent } from '@okr-ledger/event-store';
import type { OkrEvent } from '@okr-ledger/okr';

/** A recorded event with its domain type; the store already upcast it to the current shape. */
export type Recorded<E extends OkrEvent = OkrEvent> = E extends OkrEvent
  ? Omit<RecordedEvent, 'type' | 'data'> & { readonly type: E['type']; readonly data: E['data'] }
  : never;

export const asOkrEvent = (event: RecordedEvent): Recorded => event as unknown as Recorded;

export const tenantOf = (event: RecordedEvent): string => event.metadata.tenantId;

/** Command handlers put the cycle in the metadata of cycle, objective and key-result events. */
export function cycleIdOf(event: RecordedEvent): string | null {
  const cycleId = event.metadata.cycleId;
  return typeof cycleId === 'string' && cycleId !== '' ? cycleId : null;
}
