import { randomUUID } from 'node:crypto';
import type { AppendResult, EventMetadata, EventStore, RecordedEvent } from './event-store.port';
import { WrongExpectedVersion } from './event-store.errors';
import type { UpcasterRegistry } from './upcasters';

/** A domain event as deciders see it. */
export interface DomainEvent {
  type: string;
  data: object;
}

/** Structural: any decider of libs/okr fits without this lib importing it. */
export interface Decider<Command, State, Event extends DomainEvent, Context = unknown> {
  decide(command: Command, state: State, context: Context): readonly Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
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
  /** State after the new events. */
  state: State;
}

/**
 * What decide needs besides the aggregate's own state, e.g. another aggregate's status. A
 * function receives the folded state, so the context can depend on it (the key result's cycle)
 * without reading the stream twice.
 */
export type CommandContext<State, Context> =
  Context | ((state: State) => Context | Promise<Context>);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Another tenant's ids behave as if they did not exist: its events are not folded, so the
 * decider sees no aggregate and says so.
 */
function sameTenant(event: RecordedEvent, tenantId: string): boolean {
  return event.metadata.tenantId === tenantId;
}

/** Read, fold, decide, append with the expected revision — in one place. */
export async function handleCommand<Command, State, Event extends DomainEvent, Context>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, State, Event, Context>,
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
  for (let attempt = 0; ; attempt++) {
    let history = await store.readStream(stream);
    if (options.upcasters) history = options.upcasters.upcastAll(history);
    const foreign = history.some((e) => !sameTenant(e, tenantId));
    if (foreign) history = [];
    let state = decider.initialState();
    for (const event of history) state = decider.evolve(state, event as unknown as Event);
    const currentRevision = history.length > 0 ? (history[history.length - 1]?.revision ?? -1) : -1;
    // The caller's revision goes first: acting on a stale view must fail, not silently retry.
    const expected = options.expectedRevision ?? currentRevision;

    const resolvedContext =
      typeof context === 'function'
        ? await (context as (state: State) => Context | Promise<Context>)(state)
        : context;
    const decided = decider.decide(command, state, resolvedContext);
    if (decided.length === 0)
      return { events: [], nextRevision: currentRevision, position: null, state };

    const metadata =
      typeof options.metadata === 'function' ? options.metadata(state) : options.metadata;
    const newEvents = decided.map((e) => ({
      id: randomUUID(),
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
      if (error instanceof WrongExpectedVersion && attempt < retries) {
        // Jitter spreads concurrent writers of one stream so they stop colliding in lockstep.
        await sleep(Math.random() * (attempt + 1) * (options.retryBackoffMs ?? 5));
        continue;
      }
      throw error;
    }
    for (const event of decided) state = decider.evolve(state, event);
    const firstRevision = result.nextRevision - decided.length + 1;
    return {
      events: newEvents.map((e, i) => ({ ...e, streamName: stream, revision: firstRevision + i })),
      nextRevision: result.nextRevision,
      position: result.position,
      state,
    };
  }
}
