import type { RecordedEvent } from './event-store.port';

/** Turns the data of one schema version into the next version's shape. */
export type UpcastFn = (
  data: Record<string, unknown>,
  event: RecordedEvent,
) => Record<string, unknown>;

/**
 * Upcasters keyed on (event type, schemaVersion), chained up to the current version and
 * applied on every read. The stored log is never rewritten.
 */
export class UpcasterRegistry {
  private readonly steps = new Map<string, UpcastFn>();

  register(eventType: string, fromVersion: number, upcast: UpcastFn): this {
    const key = UpcasterRegistry.key(eventType, fromVersion);
    if (this.steps.has(key)) {
      throw new Error(`An upcaster for ${eventType} v${fromVersion} is already registered`);
    }
    this.steps.set(key, upcast);
    return this;
  }

  /** Returns the event in its current shape (the same object when nothing applies). */
  upcast(event: RecordedEvent): RecordedEvent {
    let current = event;
    // Bounded by the number of registered steps, so a bad registration cannot loop forever.
    for (let i = 0; i <= this.steps.size; i++) {
      const version = current.metadata.schemaVersion;
      const step = this.steps.get(UpcasterRegistry.key(current.type, version));
      if (!step) return current;
      current = {
        ...current,
        data: step(current.data, current),
        metadata: { ...current.metadata, schemaVersion: version + 1 },
      };
    }
    throw new Error(`Upcaster chain for ${event.type} does not terminate`);
  }

  upcastAll(events: RecordedEvent[]): RecordedEvent[] {
    return this.steps.size === 0 ? events : events.map((e) => this.upcast(e));
  }

  private static key(eventType: string, version: number): string {
    return `${eventType}\u0000${version}`;
  }
}

export const noUpcasters = (): UpcasterRegistry => new UpcasterRegistry();
