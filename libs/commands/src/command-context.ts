import { randomUUID } from 'node:crypto';
import {
  foldStream,
  nameBasedUuid,
  requestHash,
  type EventMetadata,
  type EventStore,
  type IdempotencyClaim,
  type StreamFold,
} from '@okr-ledger/event-store';
import { OKR_SCHEMA_VERSION, type DomainEvent } from '@okr-ledger/okr';

/** Who asks, on whose behalf, and why: becomes every event's metadata. */
export interface Actor {
  readonly tenantId: string;
  readonly actorId: string;
  /**
   * The identity's roles ('ADMIN' | 'MEMBER' | 'AUDITOR'), for the write rules. Absent: the
   * system itself acts (the demo loader, integration specs) and no write rule applies; the API
   * always passes them.
   */
  readonly roles?: readonly string[];
  /** Ties together the events of one user action; a new one per command when absent. */
  readonly correlationId?: string;
  readonly causationId?: string | null;
  /** Where the command came from, e.g. `graphql`, `demo`, `integration`. */
  readonly source?: string;
}

/** What a command produced: the aggregate's id, its version after it, and where to wait. */
export interface CommandResult {
  readonly id: string;
  /** Number of events in the aggregate's stream (stream revision + 1). */
  readonly version: number;
  /** Global position of the last appended event; null when nothing was recorded. */
  readonly position: string | null;
  /** True when an idempotency key was seen before: this is the first request's result. */
  readonly replayed?: boolean;
}

/** What every recording command may carry: a client's key that makes its retries safe. */
export interface Keyed {
  /** Same key + same input → the first result, nothing recorded; other input → refused. */
  readonly idempotencyKey?: string | null;
}

/** What a change to an existing aggregate may carry: the version the client last read. */
export interface Versioned {
  /** Stale → the store refuses the append; absent or null → no check. */
  readonly expectedVersion?: number | null;
}

type OptionalKeys<T> = {
  [K in keyof T]-?: null extends T[K] ? K : undefined extends T[K] ? K : never;
}[keyof T];

/**
 * What a command handler takes: its decider command's data as a client sends it (the GraphQL
 * input maps onto it member for member). `Generated` ids may be given (the demo does) or are
 * made by the handler; nullable, optional and `Defaulted` members may be absent or null, and the
 * handler applies their defaults (absent → null, or the decider's default) in one place.
 */
export type CommandInput<
  Data,
  Generated extends keyof Data = never,
  Defaulted extends keyof Data = never,
> = Keyed & {
  readonly [K in Exclude<keyof Data, Generated | Defaulted | OptionalKeys<Data>>]: Data[K];
} & {
  readonly [K in Exclude<Defaulted | OptionalKeys<Data>, Generated>]?: Data[K] | null;
} & { readonly [K in Generated]?: Data[K] };

/**
 * The claim a keyed command records: its key and the hash of everything else it was asked
 * (the operation's name included, so one key cannot serve two kinds of request).
 */
export function claimOf(
  operation: string,
  input: Keyed & Readonly<Record<string, unknown>>,
): IdempotencyClaim | undefined {
  const { idempotencyKey, ...rest } = input;
  if (idempotencyKey === undefined || idempotencyKey === null) return undefined;
  return { key: idempotencyKey, requestHash: requestHash(operation, rest) };
}

/**
 * The id a create gives its new aggregate (or entity): derived from the tenant, operation and
 * key when keyed, so a retried create targets the stream its first attempt created.
 */
export function newIdFor(actor: Actor, operation: string, input: Keyed): string {
  const key = input.idempotencyKey;
  return key === undefined || key === null
    ? randomUUID()
    : nameBasedUuid(operation, actor.tenantId, key);
}

/** The schema version every event is written with today; upcasters lift older ones. */
export const CURRENT_SCHEMA_VERSION = OKR_SCHEMA_VERSION;

export function metadataFor(actor: Actor, extra: Record<string, string> = {}): EventMetadata {
  return {
    tenantId: actor.tenantId,
    actorId: actor.actorId,
    correlationId: actor.correlationId ?? randomUUID(),
    causationId: actor.causationId ?? null,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    source: actor.source ?? 'api',
    ...extra,
  };
}

/** Public versions count events; store revisions count from 0. */
export const versionOf = (revision: number): number => revision + 1;
export const revisionOf = (version: number | null | undefined): number | undefined =>
  version === undefined || version === null ? undefined : version - 1;

/**
 * Folds another aggregate's stream for a cross-aggregate rule (DESIGN §2: read from its
 * stream, not from a read model). Another tenant's stream folds to the initial state.
 */
export async function loadState<State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  tenantId: string,
  decider: StreamFold<State, Event>,
): Promise<State> {
  return (await foldStream(store, stream, tenantId, decider)).state;
}

/**
 * One command's folds of other aggregates' streams (teams, parents): each stream is read once
 * however many rules ask for it, so two checks of one command judge the same state. Nothing
 * outlives the command: the next one reads again.
 */
export class CommandReads {
  private readonly folds = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: EventStore,
    readonly tenantId: string,
  ) {}

  state<State, Event extends DomainEvent>(
    stream: string,
    decider: StreamFold<State, Event>,
  ): Promise<State> {
    let fold = this.folds.get(stream);
    if (fold === undefined) {
      fold = loadState(this.store, stream, this.tenantId, decider);
      this.folds.set(stream, fold);
    }
    return fold as Promise<State>;
  }
}

/**
 * A read started before its answer is needed (so it runs beside another): a failure is kept
 * for whoever awaits it instead of being reported as unhandled meanwhile.
 */
export function started<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined);
  return read;
}

/**
 * Awaits reads that run at once and answers their values; when some fail, throws the failure
 * of the first in the order given, so which error a command answers does not depend on which
 * read came back first (it is the one the reads made one after another would have thrown).
 */
export async function inOrder<T extends readonly unknown[]>(
  ...reads: { [K in keyof T]: Promise<T[K]> }
): Promise<T> {
  const settled = await Promise.allSettled(reads);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
