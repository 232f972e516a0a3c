import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import type {
  AllStreamRecordedEvent,
  AllStreamResolvedEvent,
  AppendExpectedRevision,
  Filter,
  Position,
  ReadPosition,
  ResolvedEvent,
} from '@eventstore/db-client';
import type {
  AppendOptions,
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedState,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import {
  AppendOutcomeUnknown,
  EventStoreUnavailable,
  WrongExpectedVersion,
} from '../event-store.errors';
import { comparePositions, formatPosition, parsePosition, START_POSITION } from '../positions';
import { UpcasterRegistry } from '../upcasters';

export interface EventStoreDbEventStoreOptions {
  /** The only source of recorded times; stored in the event metadata (see below). */
  clock?: () => Date;
  upcasters?: UpcasterRegistry;
}

/**
 * EventStoreDB stamps events with its own time. The port's recorded time comes from the
 * injected clock (a demo loader simulates a quarter), so it travels in the metadata.
 */
const RECORDED_AT_KEY = '$recordedAt';

type StoredMetadata = EventMetadata & { [RECORDED_AT_KEY]?: string };

export class EventStoreDbEventStore implements EventStore {
  private readonly clock: () => Date;
  private readonly upcasters: UpcasterRegistry;
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
  }

  static fromConnectionString(
    connectionString: string,
    options: EventStoreDbEventStoreOptions = {},
  ): EventStoreDbEventStore {
    return new EventStoreDbEventStore(
      EventStoreDBClient.connectionString(connectionString),
      options,
    );
  }

  async append(
    stream: string,
    events: NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const expected = options.expectedState ?? 'any';
    if (events.length === 0) throw new TypeError('An append needs at least one event');
    const recordedAt = this.clock().toISOString();
    try {
      // Re-sent ids are deduplicated by the server (idempotent writes).
      const result = await this.client.appendToStream(
        stream,
        events.map((e) =>
          jsonEvent({
            id: e.id ?? randomUUID(),
            type: e.type,
            data: e.data,
            metadata: { ...e.metadata, [RECORDED_AT_KEY]: recordedAt },
          }),
        ),
        { expectedRevision: toExpectedRevision(expected) },
      );
      if (!result.position) throw new Error('EventStoreDB returned no position for the append');
      return {
        nextRevision: Number(result.nextExpectedRevision),
        position: toPosition(result.position),
      };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new WrongExpectedVersion(
          stream,
          expected,
          typeof actual === 'bigint' ? Number(actual) : 'no_stream',
        );
      }
      throw mapAppendError(stream, error);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision:
          options.fromRevision !== undefined
            ? BigInt(options.fromRevision)
            : backwards
              ? END
              : START,
        // recordedUpTo filters client-side, so the count cannot be handed to the server then.
        ...(options.limit !== undefined && !options.recordedUpTo
          ? { maxCount: BigInt(options.limit) }
          : {}),
      });
      for await (const resolved of read as AsyncIterable<ResolvedEvent>) {
        const event = fromResolved(resolved);
        if (!event) continue;
        if (options.recordedUpTo && event.recordedAt > options.recordedUpTo) continue;
        events.push(event);
        if (options.limit !== undefined && events.length >= options.limit) break;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw mapError(error);
    }
    return this.upcasters.upcastAll(events);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? START_POSITION;
    const limit = options.limit ?? 1000;
    const events: RecordedEvent[] = [];
    let checkpoint = after;
    let isEnd = true;
    try {
      // readAll has no server-side filter in this client version: page through $all and filter
      // here. (subscribe uses the server-side filters.)
      const read = this.client.readAll({
        fromPosition: toReadPosition(after),
        direction: FORWARDS,
        maxCount: BigInt(Math.max(limit * 4, 256)),
      });
      let seen = 0;
      for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
        seen++;
        const recorded = resolved.event;
        if (!recorded?.position) continue;
        const position = toPosition(recorded.position);
        if (comparePositions(position, after) <= 0) continue; // fromPosition is inclusive
        if (events.length >= limit) {
          isEnd = false;
          break;
        }
        checkpoint = position;
        const event = fromRecorded(recorded);
        if (event && matches(event, options)) events.push(event);
      }
      if (isEnd && seen >= Math.max(limit * 4, 256)) isEnd = false;
    } catch (error) {
      throw mapError(error);
    }
    return { events: this.upcasters.upcastAll(events), checkpoint, isEnd };
  }

  subscribe(options: SubscribeOptions): Subscription {
    const filter = toServerFilter(options);
    const subscription = this.client.subscribeToAll({
      fromPosition: toReadPosition(options.from ?? START_POSITION),
      ...(filter ? { filter } : {}),
    });
    const batchSize = options.batchSize ?? 500;
    let stopped = false;
    const done = (async () => {
      let batch: RecordedEvent[] = [];
      let checkpoint = options.from ?? START_POSITION;
      // Handler calls are sequential: the iterator is not advanced while one runs.
      for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
        const recorded = resolved.event;
        if (!recorded?.position) continue;
        const position = toPosition(recorded.position);
        if (comparePositions(position, checkpoint) <= 0) continue;
        checkpoint = position;
        const event = fromRecorded(recorded);
        if (event && matches(event, options)) batch.push(event);
        // Deliver when the batch is full or nothing is buffered behind this event (live).
        if (batch.length >= batchSize || subscription.readableLength === 0) {
          await options.handler(this.upcasters.upcastAll(batch), checkpoint);
          batch = [];
        }
      }
    })().catch((error: unknown) => {
      if (!stopped) throw mapError(error);
    });
    done.catch(() => undefined);
    const handle: Subscription = {
      done,
      stop: async () => {
        stopped = true;
        await subscription.unsubscribe().catch(() => undefined);
        await done.catch(() => undefined);
        this.subscriptions.delete(handle);
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  async headPosition(): Promise<string> {
    try {
      const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 64n });
      for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
        const recorded = resolved.event;
        if (recorded?.position && !recorded.type.startsWith('$'))
          return toPosition(recorded.position);
      }
      return START_POSITION;
    } catch (error) {
      throw mapError(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }
}

function toExpectedRevision(expected: ExpectedState): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

function toPosition(position: Position): string {
  return formatPosition(position.commit, position.prepare);
}

function toReadPosition(position: string): ReadPosition {
  if (position === START_POSITION) return START;
  const { major, minor } = parsePosition(position);
  return { commit: major, prepare: minor };
}

function toServerFilter(options: SubscribeOptions): Filter | undefined {
  if (options.eventTypes && options.streamPrefix) {
    // One server filter only: the stream prefix there, event types client-side.
    return streamNameFilter({ prefixes: [options.streamPrefix] });
  }
  if (options.eventTypes) return eventTypeFilter({ prefixes: options.eventTypes });
  if (options.streamPrefix) return streamNameFilter({ prefixes: [options.streamPrefix] });
  return undefined;
}

function matches(
  event: RecordedEvent,
  options: Pick<ReadAllOptions, 'eventTypes' | 'streamPrefix' | 'metadata' | 'recordedUpTo'>,
): boolean {
  if (options.eventTypes && !options.eventTypes.includes(event.type)) return false;
  if (options.streamPrefix && !event.streamName.startsWith(options.streamPrefix)) return false;
  if (options.recordedUpTo && event.recordedAt > options.recordedUpTo) return false;
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (event.metadata[key] !== value) return false;
  }
  return true;
}

function fromResolved(resolved: ResolvedEvent): RecordedEvent | null {
  const recorded = resolved.event;
  if (!recorded?.position) return null;
  return fromRecorded(recorded as AllStreamRecordedEvent);
}

function fromRecorded(recorded: AllStreamRecordedEvent): RecordedEvent | null {
  // System events ($-prefixed types or streams) are not ours.
  if (recorded.type.startsWith('$') || recorded.streamId.startsWith('$') || !recorded.isJson)
    return null;
  const { [RECORDED_AT_KEY]: recordedAt, ...metadata } = (recorded.metadata ??
    {}) as StoredMetadata;
  return {
    id: recorded.id,
    streamName: recorded.streamId,
    revision: Number(recorded.revision),
    position: toPosition(recorded.position),
    type: recorded.type,
    data: recorded.data as Record<string, unknown>,
    metadata: metadata,
    recordedAt: recordedAt ? new Date(recordedAt) : recorded.created,
  };
}

// gRPC status codes the server is out of reach with; appends surface them as plain errors
// (the client only wraps reads in UnavailableError).
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

function isUnreachable(error: unknown): boolean {
  if (error instanceof UnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED;
}

// The channel never connected (refused, unresolvable, discovery failed): nothing was sent.
const NOT_SENT =
  /No connection established|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|getaddrinfo|Failed to discover|failed to connect/i;

/**
 * An append that failed unreachable before the channel connected sent nothing; one that lost
 * the connection or its deadline afterwards may have been written: its outcome is unknown.
 */
function mapAppendError(stream: string, error: unknown): unknown {
  if (!(isUnreachable(error) && error instanceof Error)) return error;
  if (NOT_SENT.test(error.message)) return mapError(error);
  return new AppendOutcomeUnknown(
    stream,
    `EventStoreDB connection lost after the append to ${stream} was sent; it may or may not be stored: ${error.message}`,
    { cause: error },
  );
}

function mapError(error: unknown): unknown {
  if (isUnreachable(error) && error instanceof Error) {
    return new EventStoreUnavailable(`EventStoreDB unavailable: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}
