import { randomUUID } from 'node:crypto';
import type { EventStore } from '@okr-ledger/event-store';

/**
 * What `scheduleCycle` recorded before the API refused year 0: appended straight to the store,
 * past any validation, as any event already in a log may be. The read models cannot apply it,
 * so it stalls its organisation (ADR 0006). Returns its position.
 */
export async function appendYearZeroCycle(
  store: Pick<EventStore, 'append'>,
  actor: { readonly tenantId: string; readonly actorId: string },
  source = 'test',
): Promise<string> {
  const cycleId = randomUUID();
  const { position } = await store.append(
    `cycle-${cycleId}`,
    [
      {
        type: 'CycleScheduled',
        data: {
          cycleId,
          name: 'x',
          startsAt: '0000-01-01T00:00:00Z',
          endsAt: '0000-02-01T00:00:00Z',
        },
        metadata: {
          tenantId: actor.tenantId,
          actorId: actor.actorId,
          correlationId: randomUUID(),
          causationId: null,
          schemaVersion: 1,
          source,
          cycleId,
        },
      },
    ],
    { expectedState: 'no_stream' },
  );
  return position;
}
