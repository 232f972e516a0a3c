import { eventTypeFilter, excludeSystemEvents, streamNameFilter } from '@eventstore/db-client';
import type { Filter } from '@eventstore/db-client';

/**
 * Streams the adapter writes for itself (the per-cycle index, see eventstoredb-cycle-index.ts).
 * They live in `$all` beside the domain's streams, so every read and subscription skips them.
 */
export const INDEX_STREAM_PREFIX = 'okr_index-';

/** What a read or subscription asks for, as far as the server can filter it. */
export interface FilterRequest {
  readonly eventTypes?: readonly string[];
  readonly streamPrefix?: string;
}

/**
 * The server-side filter for a read or subscription. The server filters on one thing only
 * (event type or stream name), so with both the event types go to the server (projections ask
 * for a few types out of many) and the stream prefix is checked here; `matchesRequest` checks
 * both anyway, which costs nothing for what the server already let through. Without any filter
 * system events are excluded, which still makes the server send checkpoints.
 *
 * `checkpointInterval` multiplies the server's search window (32 records): 1 is the most
 * frequent checkpoint, so a subscription's position moves past filtered-out events within
 * about 32 records and `waitForPosition` never waits on events it is not interested in.
 */
export function serverFilter(request: FilterRequest, checkpointInterval = 1): Filter {
  if (request.eventTypes) {
    return eventTypeFilter({ regex: exactAlternatives(request.eventTypes), checkpointInterval });
  }
  if (request.streamPrefix !== undefined) {
    return streamNameFilter({ prefixes: [request.streamPrefix], checkpointInterval });
  }
  return excludeSystemEvents({ checkpointInterval });
}

/**
 * `^(?:A|B)$`: the server's prefix filters would let `CheckedInTwice` through for `CheckedIn`.
 * No types at all matches nothing (like the PostgreSQL store); the empty string is never a type.
 */
export function exactAlternatives(values: readonly string[]): string {
  if (values.length === 0) return '^(?!)$';
  return `^(?:${values.map(escapeRegex).join('|')})$`;
}

/** Escapes what .NET and JavaScript regular expressions both treat as syntax. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/** System records ($-prefixed types or streams), non-JSON records and the adapter's own index. */
export function isDomainRecord(record: {
  readonly type: string;
  readonly streamId: string;
  readonly isJson: boolean;
}): boolean {
  return (
    record.isJson &&
    !record.type.startsWith('$') &&
    !record.streamId.startsWith('$') &&
    !record.streamId.startsWith(INDEX_STREAM_PREFIX)
  );
}
