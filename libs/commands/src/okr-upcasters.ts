import { UpcasterRegistry } from '@okr-ledger/event-store';
import { OKR_EVENT_TYPES, OKR_SCHEMA_VERSION, OKR_UPCASTS } from '@okr-ledger/okr';

/**
 * The event stores' upcaster chain for the OKR vocabulary: every type gets a step for every
 * release below the current one (the identity where its shape did not change), so an event of
 * any older release reaches today's shape. Pass it to every store that serves the domain.
 */
export function okrUpcasters(): UpcasterRegistry {
  const registry = new UpcasterRegistry();
  for (const type of OKR_EVENT_TYPES) {
    for (let version = 1; version < OKR_SCHEMA_VERSION; version++) {
      const step = OKR_UPCASTS[type]?.[version];
      registry.register(type, version, (data, event) =>
        step ? step(data, { recordedAt: event.recordedAt.toISOString() }) : data,
      );
    }
  }
  return registry;
}
