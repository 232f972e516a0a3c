import { randomUUID } from 'node:crypto';
import {
  ANY,
  AccessDeniedError,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  InvalidArgumentError,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  UnsupportedError,
  WrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import type {
  AllStreamRecordedEvent,
  AllStreamResolvedEvent,
  AllStreamSubscription,
  AppendExpectedRevision,
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
import {
  comparePositions,
  formatPosition,
  maxPosition,
  parsePosition,
  START_POSITION,
} from '../positions';
import { UpcasterRegistry } from '../upcasters';
import { appendPosition, isKnown } from './append-position';
import {
  CYCLE_MEMBER_EVENT,
  KnownEntries,
  cycleIndexStream,
  cycleQueried,
  cyclesOf,
  entryId,
  memberStreams,
  type CycleKey,
} from './cycle-index';
import { INDEX_STREAM_PREFIX, isDomainRecord, serverFilter } from './eventstoredb-filters';
import { filteredReadAll } from './filtered-read-all';
import { findHead, type HeadCandidate } from './head-position';
import { reconnectDelay, type BackoffOptions } from './reconnect-backoff';
import { BatchAccumulator, shouldFlush } from './subscription-batch';

export interface EventStoreDbEventStoreOptions {
  /**
   * Opt-in simulated recorded times (the demo loader, tests), stored in the event metadata
   * (see below). Without it the server's own `created` time is the recorded time.
   */
  clock?: () => Date;
  upcasters?: UpcasterRegistry;
  /** Reconnection of subscriptions after a dropped connection (delays, for tests). */
  reconnect?: BackoffOptions;
  /** How long a partly filled batch waits for more records before it is handed out. */
  lingerMs?: number;
}

/**
 * EventStoreDB stamps events with its own time (`created`), assigned where it writes them:
 * the recorded time unless a clock was injected (a demo loader simulates a quarter), whose
 * time then travels in the metadata.
 */
const RECORDED_AT_KEY = '$recordedAt';

type StoredMetadata = EventMetadata & { [RECORDED_AT_KEY]?: string };

/** Pushed into the client's subscription stream, in order with its events. */
const CHECKPOINT = Symbol('checkpoint');
const CAUGHT_UP = Symbol('caught-up');
const FELL_BEHIND = Symbol('fell-behind');
type Marker = { readonly [CHECKPOINT]: string } | typeof CAUGHT_UP | typeof FELL_BEHIND;
type SubscriptionItem = AllStreamResolvedEvent | Marker;

/** The handler's own error: it ends the subscription instead of reconnecting. */
class HandlerFailed extends Error {
  constructor(readonly error: unknown) {
    super('The subscription handler failed', { cause: error });
  }
}

/** The server ended a subscription that nobody stopped: reconnect like after a drop. */
class SubscriptionEnded extends Error {}

export class EventStoreDbEventStore implements EventStore {
  private readonly clock: (() => Date) | null;
  private readonly upcasters: UpcasterRegistry;
  private readonly reconnect: BackoffOptions;
  private readonly lingerMs: number;
  private readonly subscriptions = new Set<Subscription>();
  private readonly indexed = new KnownEntries();

  constructor(
    readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.clock = options.clock ?? null;
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.reconnect = options.reconnect ?? {};
    this.lingerMs = options.lingerMs ?? 10;
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
    const recordedAt = this.clock?.().toISOString();
    try {
      await this.indexCycles(stream, events);
    } catch (error) {
      // The events were not sent: unavailable, not "outcome unknown" (an entry alone is harmless).
      throw mapError(error);
    }
    try {
      // Re-sent ids are deduplicated by the server, within this stream only and only when the
      // expected revision is behind the stream's or `any` (see the port's NewEvent.id).
      const result = await this.client.appendToStream(
        stream,
        events.map((e) =>
          jsonEvent({
            id: e.id ?? randomUUID(),
            type: e.type,
            data: e.data,
            metadata:
              recordedAt === undefined
                ? e.metadata
                : { ...e.metadata, [RECORDED_AT_KEY]: recordedAt },
          }),
        ),
        { expectedRevision: toExpectedRevision(expected) },
      );
      const where = appendPosition(events.length, result.nextExpectedRevision, result.position);
      return {
        nextRevision: Number(result.nextExpectedRevision),
        position:
          where.kind === 'answered'
            ? formatPosition(where.commit, where.prepare)
            : await this.positionOf(stream, where.revision),
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

  /** Writes the cycle index entries an append needs, before the append (cycle-index.ts). */
  private async indexCycles(stream: string, events: readonly NewEvent[]): Promise<void> {
    if (stream.startsWith(INDEX_STREAM_PREFIX)) return;
    for (const key of cyclesOf(events)) {
      if (this.indexed.has(key, stream)) continue;
      await this.client.appendToStream(
        cycleIndexStream(key),
        jsonEvent({ id: entryId(key, stream), type: CYCLE_MEMBER_EVENT, data: { stream } }),
        { expectedRevision: ANY },
      );
      this.indexed.add(key, stream);
    }
  }

  /** The `$all` position of one stored event, read back (append-position.ts says when). */
  private async positionOf(stream: string, revision: bigint): Promise<string> {
    const read = this.client.readStream(stream, {
      direction: FORWARDS,
      fromRevision: revision,
      maxCount: 1n,
    });
    for await (const resolved of read as AsyncIterable<ResolvedEvent>) {
      const position = resolved.event?.position;
      if (position && isKnown(position)) return toPosition(position);
    }
    // Servers that do not report positions in stream reads: nothing to wait for correctly.
    throw new Error(`EventStoreDB reported no position for ${stream}@${revision}`);
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
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
    }
    try {
      const cycle = cycleQueried(options);
      const page =
        (cycle ? await this.readCycle(cycle, options, limit) : null) ??
        (await this.readFiltered(options, limit));
      return { ...page, events: this.upcasters.upcastAll(page.events) };
    } catch (error) {
      throw mapError(error);
    }
  }

  /**
   * `$all` after a position, filtered by the server (event type or stream prefix; system
   * events excluded). Metadata and recorded time are checked here, on what the server sent.
   */
  private async readFiltered(options: ReadAllOptions, limit: number): Promise<ReadAllResult> {
    const after = options.after ?? START_POSITION;
    // Read before the events: a checkpoint at the end may move up to it and no further, so an
    // event appended meanwhile is never skipped.
    const end = await this.lastRecordPosition();
    const requested = BigInt(limit + 1);
    const read = filteredReadAll(this.client, {
      fromPosition: toReadPosition(after),
      maxCount: requested,
      filter: serverFilter(options),
    });
    const events: RecordedEvent[] = [];
    let checkpoint = after;
    let received = 0n;
    for await (const resolved of read) {
      received++;
      const recorded = resolved.event;
      if (!recorded?.position) continue;
      const position = toPosition(recorded.position);
      if (comparePositions(position, after) <= 0) continue; // fromPosition is inclusive
      if (events.length >= limit) return { events, checkpoint, isEnd: false };
      checkpoint = position;
      const event = fromRecorded(recorded);
      if (event && matches(event, options)) events.push(event);
    }
    // Fewer than asked for: the server reached the end of $all for this filter.
    if (received < requested)
      return { events, checkpoint: maxPosition(checkpoint, end), isEnd: true };
    return { events, checkpoint, isEnd: false };
  }

  /**
   * The events of one tenant's cycle: its index, then only the streams it names. Null when the
   * server reports no positions in stream reads (older servers): then the filtered scan.
   */
  private async readCycle(
    cycle: CycleKey,
    options: ReadAllOptions,
    limit: number,
  ): Promise<ReadAllResult | null> {
    const after = options.after ?? START_POSITION;
    const entries = await this.readRecorded(cycleIndexStream(cycle));
    const streams = memberStreams(entries);
    const found: RecordedEvent[] = [];
    for (let i = 0; i < streams.length; i += CYCLE_READ_CONCURRENCY) {
      const reads = streams
        .slice(i, i + CYCLE_READ_CONCURRENCY)
        .map((stream) => this.readRecorded(stream));
      for (const events of await Promise.all(reads)) {
        for (const event of events) {
          if (event.position === UNKNOWN_POSITION) return null;
          if (comparePositions(event.position, after) > 0 && matches(event, options)) {
            found.push(event);
          }
        }
      }
    }
    found.sort((a, b) => comparePositions(a.position, b.position));
    const events = found.slice(0, limit);
    const isEnd = found.length <= limit;
    return { events, checkpoint: events.at(-1)?.position ?? after, isEnd };
  }

  /** A whole stream as stored (no upcasting, no as-of cut): `[]` when it does not exist. */
  private async readRecorded(stream: string): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(stream, { direction: FORWARDS, fromRevision: START });
      for await (const resolved of read as AsyncIterable<ResolvedEvent>) {
        const recorded = resolved.event;
        if (!recorded?.position) continue;
        const event =
          stream.startsWith(INDEX_STREAM_PREFIX) && recorded.isJson
            ? fromIndexRecord(recorded as AllStreamRecordedEvent)
            : fromResolved(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  subscribe(options: SubscribeOptions): Subscription {
    const batches = new BatchAccumulator<RecordedEvent>(
      options.from ?? START_POSITION,
      options.batchSize ?? 500,
    );
    let current: AllStreamSubscription | null = null;
    let stopped = false;
    let wake: () => void = () => undefined;
    const stopSignal = new Promise<typeof STOPPED>((resolve) => {
      wake = () => resolve(STOPPED);
    });

    const deliver = async (): Promise<void> => {
      const batch = batches.take();
      if (!batch) return;
      try {
        await options.handler(this.upcasters.upcastAll(batch.events), batch.checkpoint);
      } catch (error) {
        throw new HandlerFailed(error);
      }
    };

    // One server call at a time; a new one after a drop resumes after what was handed out.
    const follow = async (): Promise<void> => {
      const subscription = this.client.subscribeToAll({
        fromPosition: toReadPosition(batches.delivered),
        filter: {
          ...serverFilter(options),
          // Checkpoints travel in the same stream as the events, so one is never applied
          // before events that precede it but are still buffered.
          checkpointReached: (sub, position) => {
            sub.push({ [CHECKPOINT]: toPosition(position) } satisfies Marker);
          },
        },
      });
      current = subscription;
      let live = false;
      subscription.on('caughtUp', () => subscription.push(CAUGHT_UP));
      // Back to catching up (the server's live buffer overflowed): fill batches again.
      subscription.on('fellBehind', () => subscription.push(FELL_BEHIND));
      const items = (subscription as AsyncIterable<SubscriptionItem>)[Symbol.asyncIterator]();
      let next = items.next();
      next.catch(() => undefined); // read below; never an unhandled rejection meanwhile
      try {
        for (;;) {
          const linger = batches.pending ? delay(this.lingerMs) : null;
          const item = await Promise.race([next, stopSignal, ...(linger ? [linger.promise] : [])]);
          linger?.cancel();
          if (item === STOPPED) return;
          if (item === LINGERED) {
            await deliver();
            continue;
          }
          if (item.done) throw new SubscriptionEnded('EventStoreDB ended the subscription');
          next = items.next();
          next.catch(() => undefined);
          const value = item.value;
          if (value === CAUGHT_UP) live = true;
          else if (value === FELL_BEHIND) live = false;
          else if (CHECKPOINT in value) batches.checkpoint(value[CHECKPOINT]);
          else {
            const recorded = value.event;
            if (recorded?.position) {
              const event = fromRecorded(recorded);
              batches.record(
                toPosition(recorded.position),
                event && matches(event, options) ? event : null,
              );
            }
          }
          const flush = shouldFlush({
            full: batches.full,
            pending: batches.pending,
            live,
            buffered: subscription.readableLength,
          });
          if (flush) await deliver();
          attempt = 0;
        }
      } finally {
        current = null;
        // Cancels the server call: no subscription left behind on the server, whatever ended it.
        await subscription.unsubscribe().catch(() => undefined);
      }
    };

    let attempt = 0;
    const done = (async () => {
      while (!stopped) {
        try {
          await follow();
        } catch (error) {
          if (error instanceof HandlerFailed) throw error.error;
          if (stopped) return;
          if (!isTransient(error)) throw mapError(error);
          batches.discardUndelivered();
          const wait = delay(reconnectDelay(attempt++, this.reconnect));
          await Promise.race([wait.promise, stopSignal]);
          wait.cancel();
        }
      }
    })();
    done.catch(() => undefined);
    const handle: Subscription = {
      done,
      stop: async () => {
        stopped = true;
        wake();
        await current?.unsubscribe().catch(() => undefined);
        await done.catch(() => undefined);
        this.subscriptions.delete(handle);
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  async headPosition(): Promise<string> {
    try {
      return await findHead(
        async (before, size) => {
          const read = this.client.readAll({
            fromPosition: before === null ? END : toReadPosition(before),
            direction: BACKWARDS,
            maxCount: BigInt(before === null ? size : size + 1),
          });
          const page: HeadCandidate[] = [];
          for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
            const recorded = resolved.event;
            if (!recorded?.position) continue;
            const position = toPosition(recorded.position);
            // A backwards read from a position starts with the record there: seen already.
            if (before !== null && comparePositions(position, before) >= 0) continue;
            page.push({ position, domain: isDomainRecord(recorded) });
          }
          return page;
        },
        { start: START_POSITION },
      );
    } catch (error) {
      throw mapError(error);
    }
  }

  /** The newest record of `$all`, system records included; the start when there is none. */
  private async lastRecordPosition(): Promise<string> {
    const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1n });
    for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
      if (resolved.event?.position) return toPosition(resolved.event.position);
    }
    return START_POSITION;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }
}

/** Index streams are few per read; a cycle's member streams are read this many at a time. */
const CYCLE_READ_CONCURRENCY = 16;

/** How "no position" (see append-position.ts) reads once formatted. */
const UNKNOWN_POSITION = formatPosition(2n ** 64n - 1n, 2n ** 64n - 1n);

const STOPPED = Symbol('stopped');
const LINGERED = Symbol('lingered');

/** A cancellable, unref'd timer: a pending wait never keeps a stopping process alive. */
function delay(ms: number): { promise: Promise<typeof LINGERED>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<typeof LINGERED>((resolve) => {
    timer = setTimeout(() => resolve(LINGERED), ms);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
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
  // System events ($-prefixed types or streams) and the cycle index are not the domain's.
  if (!isDomainRecord(recorded)) return null;
  const { [RECORDED_AT_KEY]: recordedAt, ...metadata } = (recorded.metadata ??
    {}) as StoredMetadata;
  return toRecordedEvent(recorded, metadata, recordedAt ? new Date(recordedAt) : recorded.created);
}

/** An index entry, read like an event so readCycle can reuse the stream read. */
function fromIndexRecord(recorded: AllStreamRecordedEvent): RecordedEvent {
  return toRecordedEvent(recorded, {} as EventMetadata, recorded.created);
}

function toRecordedEvent(
  recorded: AllStreamRecordedEvent,
  metadata: EventMetadata,
  recordedAt: Date,
): RecordedEvent {
  return {
    id: recorded.id,
    streamName: recorded.streamId,
    revision: Number(recorded.revision),
    position: toPosition(recorded.position),
    type: recorded.type,
    data: recorded.data as Record<string, unknown>,
    metadata,
    recordedAt,
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

/**
 * Whether a subscription should reconnect after this error. A dropped or refused connection, a
 * deadline, a leader change or the server ending the call are passing; what retrying cannot
 * fix (access, a request the server refuses, an unsupported server) ends the subscription.
 */
export function isTransient(error: unknown): boolean {
  if (
    error instanceof AccessDeniedError ||
    error instanceof InvalidArgumentError ||
    error instanceof UnsupportedError
  ) {
    return false;
  }
  if (error instanceof SubscriptionEnded || error instanceof NotLeaderError) return true;
  if (isUnreachable(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code);
}

// CANCELLED (by the server or a proxy), RESOURCE_EXHAUSTED, ABORTED, INTERNAL (a reset stream).
const TRANSIENT_GRPC_CODES = new Set([1, 8, 10, 13]);

function mapError(error: unknown): unknown {
  if (isUnreachable(error) && error instanceof Error) {
    return new EventStoreUnavailable(`EventStoreDB unavailable: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}
