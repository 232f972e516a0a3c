import type { EventStore } from './event-store.port';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { createPostgresEventStore } from './postgres/postgres-event-store';
import type { UpcasterRegistry } from './upcasters';

export interface OpenEventStoreOptions {
  readonly kind: 'postgres' | 'eventstoredb';
  /** The PostgreSQL that holds the events when `kind` is postgres. */
  readonly databaseUrl: string;
  /** Required when `kind` is eventstoredb. */
  readonly eventStoreUrl?: string;
  /**
   * Opt-in simulated recorded times, for a trusted loader and tests only. PostgreSQL otherwise
   * records the database's time inside the append (docs/adr/0005-time-travel.md).
   */
  readonly clock?: () => Date;
  readonly maxConnections?: number;
  /** Lifts older event shapes on every read (the domain's chain: `okrUpcasters()`). */
  readonly upcasters?: UpcasterRegistry;
}

/** The configured adapter, migrated and checked: the API, the projector and the CLIs share it. */
export async function openEventStore(options: OpenEventStoreOptions): Promise<EventStore> {
  if (options.kind === 'eventstoredb') {
    if (!options.eventStoreUrl) throw new TypeError('eventStoreUrl is required for eventstoredb');
    return EventStoreDbEventStore.fromConnectionString(options.eventStoreUrl, {
      clock: options.clock,
      upcasters: options.upcasters,
    });
  }
  return createPostgresEventStore(options.databaseUrl, {
    simulatedClock: options.clock,
    maxConnections: options.maxConnections,
    upcasters: options.upcasters,
  });
}
