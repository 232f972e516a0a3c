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

export interface HandleCommandOptions {
  metadata: EventMetadata;
  /** The revision the caller last saw; a stale one fails with the current revision. */
  expectedRevision?: number;
  /** Only for commutative commands (e.g. check-ins): re-read and re-decide up to N times. */
  retryOnConflict?: number;
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

/** Read, fold, decide, append with the expected revision — in one place. */
export async function handleCommand<Command, State, Event extends DomainEvent, Context>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, State, Event, Context>,
  command: Command,
  context: Context,
  options: HandleCommandOptions,
): Promise<HandleCommandResult<State>> {
  // A caller-supplied revision is a claim about what the user saw: never retry past it.
  const retries = options.expectedRevision !== undefined ? 0 : (options.retryOnConflict ?? 0);
  for (let attempt = 0; ; attempt++) {
    let history = await store.readStream(stream);
    if (options.upcasters) history = options.upcasters.upcastAll(history);
    let state = decider.initialState();
    for (const event of history) state = decider.evolve(state, event as unknown as Event);
    const currentRevision = history.length > 0 ? (history[history.length - 1]?.revision ?? -1) : -1;
    // The caller's revision goes first: acting on a stale view must fail, not silently retry.
    const expected = options.expectedRevision ?? currentRevision;

    const decided = decider.decide(command, state, context);
    if (decided.length === 0)
      return { events: [], nextRevision: currentRevision, position: null, state };

    const newEvents = decided.map((e) => ({
      id: randomUUID(),
      type: e.type,
      data: e.data as Record<string, unknown>,
      metadata: options.metadata,
    }));
    let result: AppendResult;
    try {
      result = await store.append(stream, newEvents, {
        expectedState: expected < 0 ? 'no_stream' : expected,
      });
    } catch (error) {
      if (error instanceof WrongExpectedVersion && attempt < retries) continue;
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
