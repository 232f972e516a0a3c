import { randomUUID } from 'node:crypto';
import type { AppendResult, EventMetadata, EventStore, RecordedEvent } from './event-store.port';
import { IdempotencyKeyReused, WrongExpectedVersion } from './event-store.errors';
import { IDEMPOTENCY_KEY, REQUEST_HASH, keyedEventId, type IdempotencyClaim } from './idempotency';
import type { UpcasterRegistry } from './upcasters';
import {
  foldEvents,
  foldStream,
  tenantHistory,
  type FoldableEvent,
  type StreamFold,
} from './fold-stream';

/**
 * What handleCommand calls: libs/okr's `Decider` (same type parameters in the same order),
 * stated structurally because the event store imports no domain.
 */
export interface StreamDecider<
  State,
  Command,
  Event extends FoldableEvent,
  Context = unknown,
> extends StreamFold<State, Event> {
  decide(command: Command, state: State, context: Context): readonly Event[];
}

export interface HandleCommandOptions<State = unknown> {
  /** Given the folded state when it depends on it (e.g. the aggregate's cycle). */
  metadata: EventMetadata | ((state: State) => EventMetadata);
  /** The revision the caller last saw; a stale one fails with the current revision. */
  expectedRevision?: number;
  /** Only for commutative commands (e.g. check-ins): re-read and re-decide up to N times. */
  retryOnConflict?: number;
  /** Milliseconds of jittered back-off between retries (the n-th waits up to n × this); 5 by default. */
  retryBackoffMs?: number;
  /** Extra upcasting of the events read (the stores already apply their own). */
  upcasters?: UpcasterRegistry;
  /**
   * A client's idempotency key: when the stream already holds events recorded with it, the
   * command is not decided again and answers that first result (or IdempotencyKeyReused when
   * the request differs). The new events carry the key and the hash, with ids derived from
   * the key.
   */
  idempotency?: IdempotencyClaim;
  /**
   * The state the caller already folded up to `revision` (its cache of this stream): only the
   * later events are read and folded, and `history` holds those alone. Ignored with
   * `idempotency`: finding a key and the state after its first result takes the whole stream.
   */
  from?: { readonly state: State; readonly revision: number };
}

/** An appended event; its global position is only known for the last one (the result's). */
export type AppendedEvent = Pick<
  RecordedEvent,
  'id' | 'streamName' | 'revision' | 'type' | 'data' | 'metadata'
>;

export interface HandleCommandResult<State> {
  events: AppendedEvent[];
  /** Revision of the stream's last event; -1 when the stream does not exist. */
  nextRevision: number;
  /** Global position of the last appended event; null when nothing was appended. */
  position: string | null;
  /** State after the new events (for a replay: after the first request's events). */
  state: State;
  /** True when the idempotency key was found: nothing new was recorded. */
  replayed: boolean;
  /** The events folded before deciding (the tenant's own), e.g. to find an earlier result. */
  history: RecordedEvent[];
  /**
   * The state folded from the stream's recorded events before deciding, and the revision it is
   * at: what a caller may keep and pass back as `from` (the new events are not in it, so it
   * never holds what the store did not record).
   */
  folded: { readonly state: State; readonly revision: number };
}

/**
 * What decide needs besides the aggregate's own state, e.g. another aggregate's status. A
 * function receives the folded state, so the context can depend on it (the key result's cycle)
 * without reading the stream twice.
 */
export type CommandContext<State, Context> =
  Context | ((state: State) => Context | Promise<Context>);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Read, fold, decide, append with the expected revision — in one place. */
export async function handleCommand<State, Command, Event extends FoldableEvent, Context>(
  store: EventStore,
  stream: string,
  decider: StreamDecider<State, Command, Event, Context>,
  command: Command,
  context: CommandContext<State, Context>,
  options: HandleCommandOptions<State>,
): Promise<HandleCommandResult<State>> {
  // The tenant is known before the stream is read, whatever else the metadata depends on.
  const tenantId = (
    typeof options.metadata === 'function'
      ? options.metadata(decider.initialState())
      : options.metadata
  ).tenantId;
  // A caller-supplied revision is a claim about what the user saw: never retry past it.
  const retries = options.expectedRevision !== undefined ? 0 : (options.retryOnConflict ?? 0);
  const claim = options.idempotency;
  for (let attempt = 0; ; attempt++) {
    // Finding a key and the state after its first result takes the whole stream.
    const folded = await foldStream(store, stream, tenantId, decider, {
      upcasters: options.upcasters,
      from: claim ? undefined : options.from,
    });
    const history = folded.history;
    // A retry of a keyed command answers the first result, before any version check.
    if (claim) {
      const replay = replayOf(decider, history, claim, stream);
      if (replay) return replay;
    }
    let state = folded.state;
    const currentRevision = folded.revision;
    const before = { state, revision: currentRevision };
    // The caller's revision goes first: acting on a stale view must fail, not silently retry.
    const expected = options.expectedRevision ?? currentRevision;

    const resolvedContext =
      typeof context === 'function'
        ? await (context as (state: State) => Context | Promise<Context>)(state)
        : context;
    const decided = decider.decide(command, state, resolvedContext);
    if (decided.length === 0)
      return {
        events: [],
        nextRevision: currentRevision,
        position: null,
        state,
        replayed: false,
        history,
        folded: before,
      };

    const base =
      typeof options.metadata === 'function' ? options.metadata(state) : options.metadata;
    const metadata = claim
      ? { ...base, [IDEMPOTENCY_KEY]: claim.key, [REQUEST_HASH]: claim.requestHash }
      : base;
    const newEvents = decided.map((e, i) => ({
      id: claim ? keyedEventId(tenantId, claim.key, i) : randomUUID(),
      type: e.type,
      data: e.data as Record<string, unknown>,
      metadata,
    }));
    let result: AppendResult;
    try {
      result = await store.append(stream, newEvents, {
        expectedState: expected < 0 ? 'no_stream' : expected,
      });
    } catch (error) {
      if (error instanceof WrongExpectedVersion && claim) {
        // A same-key request may have won the race: read again and answer its result.
        const mine = tenantHistory(await store.readStream(stream), tenantId);
        const replay = replayOf(decider, mine, claim, stream);
        if (replay) return replay;
        const now = mine[mine.length - 1]?.revision ?? -1;
        // Unmoved stream, refused ids: they are stored in another stream (the key was used
        // there), which the PostgreSQL store detects by its unique event ids.
        if (now === currentRevision && expected === currentRevision)
          throw new IdempotencyKeyReused(claim.key, null);
      }
      if (error instanceof WrongExpectedVersion && attempt < retries) {
        // Jitter spreads concurrent writers of one stream so they stop colliding in lockstep.
        await sleep(Math.random() * (attempt + 1) * (options.retryBackoffMs ?? 5));
        continue;
      }
      throw error;
    }
    if (claim) {
      // The store answers a re-sent id with what it stored: if a concurrent request with this
      // key got there first, that is its result, and its input may differ from ours.
      const [stored] = await store.readStream(stream, {
        fromRevision: result.nextRevision,
        limit: 1,
      });
      if (stored && stored.metadata.correlationId !== metadata.correlationId) {
        const replay = replayOf(decider, await store.readStream(stream), claim, stream);
        if (replay) return replay;
      }
    }
    for (const event of decided) state = decider.evolve(state, event);
    const firstRevision = result.nextRevision - decided.length + 1;
    return {
      events: newEvents.map((e, i) => ({ ...e, streamName: stream, revision: firstRevision + i })),
      nextRevision: result.nextRevision,
      position: result.position,
      state,
      replayed: false,
      history,
      folded: before,
    };
  }
}

/**
 * The first result of a keyed command whose events the stream holds: its revision and global
 * position (so the caller waits for it to be projected like the first time), and the state
 * right after it. IdempotencyKeyReused when that request was a different one.
 */
function replayOf<State, Event extends FoldableEvent>(
  decider: StreamFold<State, Event>,
  history: readonly RecordedEvent[],
  claim: IdempotencyClaim,
  stream: string,
): HandleCommandResult<State> | null {
  let last = -1;
  for (let i = 0; i < history.length; i++) {
    if (history[i]?.metadata[IDEMPOTENCY_KEY] === claim.key) last = i;
  }
  const first = history[last];
  if (first === undefined) return null;
  if (first.metadata[REQUEST_HASH] !== claim.requestHash)
    throw new IdempotencyKeyReused(claim.key, stream);
  const state = foldEvents(decider, history.slice(0, last + 1));
  return {
    events: [],
    nextRevision: first.revision,
    position: first.position,
    state,
    replayed: true,
    history: [...history],
    folded: { state, revision: first.revision },
  };
}
