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
  /** uuid; generated if absent. Re-sending the same ids makes an append idempotent. */
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
  /** Position of the last appended event. */
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
  eventTypes?: string[];
  streamPrefix?: string;
  /** Equality on metadata keys, e.g. `{ tenantId, cycleId }`. */
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
  stop(): Promise<void>;
  /** Resolves after `stop()`, rejects on a fatal error (e.g. the handler threw). */
  readonly done: Promise<void>;
}

export interface EventStore {
  append(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** `[]` when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  /** Catch-up, then live. */
  subscribe(options: SubscribeOptions): Subscription;
  /** Position of the last event a catch-up read can deliver now; `START_POSITION` if none. */
  headPosition(): Promise<string>;
  close(): Promise<void>;
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
