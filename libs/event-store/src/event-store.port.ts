/**
 * The event store port (DESIGN §1). Framework-free: the command side, projections and the
 * API depend on this file only, never on an adapter.
 */

/** `number` is an exact stream revision; revisions start at 0. */
export type ExpectedState = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventMetadata {
  tenantId: string;
  actorId: string;
  correlationId: string;
  causationId: string | null;
  schemaVersion: number;
  source: string;
  /** Command handlers add keys such as `cycleId`; readAll can filter on them by equality. */
  [key: string]: unknown;
}

export interface NewEvent {
  /**
   * uuid; generated if absent. Re-sending the same ids makes an append idempotent: the same
   * events (same ids, same order) sent again to the same stream with the first attempt's
   * expected state — an exact revision now behind, `no_stream`, or `any` — store nothing and
   * answer the first attempt's result, position included. Every adapter guarantees this much
   * (the contract suite tests it).
   *
   * Beyond that the adapters differ, and callers must not rely on the stronger one:
   * - PostgreSQL: an id is unique in the whole log. An append that repeats some ids but not as
   *   an exact re-send (a partial overlap), or ids stored in another stream, is refused with
   *   `WrongExpectedVersion` and stores nothing.
   * - EventStoreDB/KurrentDB: the server checks ids within the one stream only, and only when
   *   the expected revision is behind the stream's or `any` (then best effort, from a cache of
   *   recent writes). Appended at the current revision, a repeated id is written again; another
   *   stream never sees it.
   * Exactly-once effects therefore come from re-sending the same events with the same expected
   * state (what `handleCommand` and the idempotency keys do), never from reusing an id.
   */
  id?: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  id: string;
  streamName: string;
  revision: number;
  /** Opaque global position; compares correctly as a plain string. */
  position: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recordedAt: Date;
}

export interface AppendResult {
  nextRevision: number;
  /**
   * Global position of the LAST appended event, exactly as reads and subscriptions report it:
   * read-your-writes (`waitForPosition`) waits until the projections pass it. (EventStoreDB
   * answers a write with its first prepare position; the adapter reads the last event back when
   * that differs, see eventstoredb/append-position.ts.)
   */
  position: string;
}

export interface AppendOptions {
  expectedState?: ExpectedState;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  fromRevision?: number;
  limit?: number;
  /** As-of reads: only events recorded at or before this instant. */
  recordedUpTo?: Date;
}

export interface ReadAllOptions {
  /** Exclusive. */
  after?: string;
  limit?: number;
  /** Exact types. Filtered by the server on EventStoreDB (with `streamPrefix` in the client). */
  eventTypes?: string[];
  /** Filtered by the server on EventStoreDB when no `eventTypes` are given. */
  streamPrefix?: string;
  /**
   * Equality on metadata keys, e.g. `{ tenantId, cycleId }`. EventStoreDB cannot filter on
   * metadata; with both `tenantId` and `cycleId` its adapter reads only that cycle's streams
   * (a per-cycle index it keeps), otherwise metadata is checked on what the server sends.
   */
  metadata?: Record<string, string>;
  recordedUpTo?: Date;
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /** May advance past filtered-out events: resume from here. */
  checkpoint: string;
  /** True when nothing more is readable right now. */
  isEnd: boolean;
}

export type SubscriptionHandler = (batch: RecordedEvent[], checkpoint: string) => Promise<void>;

export interface SubscribeOptions {
  /** Exclusive start position; `START_POSITION` when absent. */
  from?: string;
  eventTypes?: string[];
  streamPrefix?: string;
  batchSize?: number;
  /**
   * Called sequentially in global order, at-least-once. A batch may be empty when only the
   * checkpoint advanced past filtered-out events, so a projection can store it.
   */
  handler: SubscriptionHandler;
}

export interface Subscription {
  /** Ends the subscription and its server call; resolves once no handler call is running. */
  stop(): Promise<void>;
  /**
   * Resolves after `stop()`, rejects on a fatal error: the handler threw (its server call is
   * cancelled first), or the store refuses for good (e.g. access denied). A dropped connection
   * is not fatal: the subscription reconnects with back-off and resumes after the last
   * checkpoint handed to the handler, so events may be delivered again (at-least-once).
   */
  readonly done: Promise<void>;
}

export interface EventStore {
  append(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** `[]` when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  /** Catch-up, then live. */
  subscribe(options: SubscribeOptions): Subscription;
  /**
   * Position of the last event a catch-up read can deliver now; `START_POSITION` only if the log
   * holds none. Never earlier than a stored event (system records after the last event may
   * make it later), so a subscription from it replays nothing of the past.
   */
  headPosition(): Promise<string>;
  close(): Promise<void>;
}

export interface EventCountOptions {
  /** Exclusive start position; the whole log when absent. */
  after?: string;
  /** Only events of these types; every type when absent. */
  eventTypes?: readonly string[];
  /** Stop counting after this many in log order (a lag needs no exact figure past it). */
  cap?: number;
}

export interface EventCount {
  readonly count: number;
  /** The earliest recorded time among the counted events; null when none was counted. */
  readonly oldestRecordedAt: Date | null;
}

/**
 * A store that counts events without reading them: the projector's lag and a rebuild's plan
 * (progress, whether to filter by type in the store). Others are read page by page instead.
 */
export interface CountingEventStore extends EventStore {
  countEvents(options?: EventCountOptions): Promise<EventCount>;
}

export function canCountEvents(store: EventStore): store is CountingEventStore {
  return typeof (store as Partial<CountingEventStore>).countEvents === 'function';
}

/** A link of a stream's hash chain that does not hold. */
export interface IntegrityProblem {
  readonly streamName: string;
  readonly revision: number;
  readonly problem: string;
}

export interface IntegrityReport {
  /** Events checked (those of the tenant, at or before `position`). */
  readonly checkedEvents: number;
  readonly streams: number;
  readonly position: string;
  /**
   * SHA-256 over every stream's last link at `position`: note it (e.g. when a quarter closes)
   * and compare later; with no problems reported, an equal digest means nothing recorded up to
   * that position has changed since.
   */
  readonly digest: string;
  /** Empty when every link holds. */
  readonly problems: readonly IntegrityProblem[];
}

/** Tamper evidence: a store whose events are chained by hashes per stream can check them. */
export interface VerifiableEventStore extends EventStore {
  verifyIntegrity(options: { tenantId: string; upTo?: string }): Promise<IntegrityReport>;
}

export function isVerifiable(store: EventStore): store is VerifiableEventStore {
  return typeof (store as Partial<VerifiableEventStore>).verifyIntegrity === 'function';
}
