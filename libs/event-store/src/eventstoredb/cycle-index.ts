import { createHash } from 'node:crypto';
import type { NewEvent, ReadAllOptions } from '../event-store.port';
import { INDEX_STREAM_PREFIX } from './eventstoredb-filters';

/**
 * Time travel and cycle replays read `readAll({ metadata: { tenantId, cycleId } })`. EventStoreDB
 * filters on stream names and event types only, never on metadata, and the domain's stream
 * names (`objective-<uuid>`) do not name the cycle, so without help every replay would scan
 * `$all` from the start. The adapter therefore keeps one small index stream per tenant and
 * cycle listing the streams that hold events of that cycle; a replay reads the index, then only
 * those streams.
 *
 * The index entry is written BEFORE the events it announces (an append is atomic for one
 * stream only). A crash in between leaves an entry for a stream without such events, which a
 * reader merely finds empty; the other order could lose an entry and silently drop events from
 * a replay. Entry ids are derived from their content, and readers deduplicate, so a repeated
 * entry (a retry, a second API instance) costs nothing but a few bytes.
 */
export const CYCLE_MEMBER_EVENT = 'CycleStreamIndexed';

export interface CycleKey {
  readonly tenantId: string;
  readonly cycleId: string;
}

export function cycleIndexStream(key: CycleKey): string {
  // Length-prefixed: a tenant id containing '-' cannot make two keys collide.
  return `${INDEX_STREAM_PREFIX}cycle-${key.tenantId.length}:${key.tenantId}-${key.cycleId}`;
}

/** The (tenant, cycle) pairs an append's events belong to, in first-seen order. */
export function cyclesOf(events: readonly NewEvent[]): CycleKey[] {
  const seen = new Map<string, CycleKey>();
  for (const { metadata } of events) {
    const { tenantId, cycleId } = metadata;
    if (typeof tenantId !== 'string' || typeof cycleId !== 'string') continue;
    seen.set(`${tenantId.length}:${tenantId}-${cycleId}`, { tenantId, cycleId });
  }
  return [...seen.values()];
}

/** The cycle a readAll asks for by metadata equality, when it names both tenant and cycle. */
export function cycleQueried(options: ReadAllOptions): CycleKey | null {
  const tenantId = options.metadata?.tenantId;
  const cycleId = options.metadata?.cycleId;
  return typeof tenantId === 'string' && typeof cycleId === 'string' ? { tenantId, cycleId } : null;
}

/** A UUID (version 5 layout) from the entry's content: the same entry always has the same id. */
export function entryId(key: CycleKey, stream: string): string {
  const hash = createHash('sha1')
    .update(`${cycleIndexStream(key)}\u0000${stream}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Member streams named by index entries, first-seen order, duplicates and junk dropped. */
export function memberStreams(entries: readonly { readonly data: unknown }[]): string[] {
  const streams = new Set<string>();
  for (const { data } of entries) {
    const stream = (data as { stream?: unknown } | null)?.stream;
    if (typeof stream === 'string' && stream.length > 0) streams.add(stream);
  }
  return [...streams];
}

/** Remembers which entries this process wrote, so a stream's next appends skip the index. */
export class KnownEntries {
  private readonly keys = new Map<string, true>();
  constructor(private readonly capacity = 50_000) {}

  has(key: CycleKey, stream: string): boolean {
    return this.keys.has(entryId(key, stream));
  }

  add(key: CycleKey, stream: string): void {
    const id = entryId(key, stream);
    this.keys.delete(id);
    this.keys.set(id, true);
    // Oldest first in a Map: forgetting one only costs a repeated (deduplicated) entry.
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
  }
}
