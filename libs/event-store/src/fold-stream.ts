import type { EventStore, RecordedEvent } from './event-store.port';
import type { UpcasterRegistry } from './upcasters';

/**
 * What the store folds. libs/okr's `DomainEvent` is the one event type; the store imports no
 * domain, so it states only the shape it relies on and every domain event fits it.
 */
export interface FoldableEvent {
  readonly type: string;
  readonly data: object;
}

/**
 * The fold half of libs/okr's `Decider` (same type parameters in the same order), stated
 * structurally for the same reason: any decider of libs/okr fits.
 */
export interface StreamFold<State, Event extends FoldableEvent> {
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/**
 * The tenant-isolation rule, in one place: a stream that holds any event of another tenant
 * looks empty to this one, so another tenant's ids behave as if they did not exist.
 */
export function tenantHistory(events: readonly RecordedEvent[], tenantId: string): RecordedEvent[] {
  return events.some((e) => e.metadata.tenantId !== tenantId) ? [] : [...events];
}

/** Folds recorded events from the initial state; the stored data is the domain event's data. */
export function foldEvents<State, Event extends FoldableEvent>(
  fold: StreamFold<State, Event>,
  events: readonly RecordedEvent[],
): State {
  let state = fold.initialState();
  for (const event of events) state = fold.evolve(state, event as unknown as Event);
  return state;
}

export interface FoldStreamOptions<State = unknown> {
  /** Extra upcasting of the events read (the stores already apply their own). */
  upcasters?: UpcasterRegistry;
  /** Only the events recorded at or before this instant (time travel). */
  recordedUpTo?: Date;
  /**
   * A state the caller already folded up to `revision` (its cache of the stream): only the later
   * events are read and folded onto it, and `history` holds those alone.
   */
  from?: { readonly state: State; readonly revision: number };
}

export interface FoldedStream<State> {
  readonly state: State;
  /** The events folded: the tenant's own, or none. */
  readonly history: RecordedEvent[];
  /** The stream's revision the state is at; -1 when the tenant has no such stream. */
  readonly revision: number;
}

/** Reads one stream as a tenant sees it and folds it: the write side and time travel alike. */
export async function foldStream<State, Event extends FoldableEvent>(
  store: EventStore,
  stream: string,
  tenantId: string,
  fold: StreamFold<State, Event>,
  options: FoldStreamOptions<State> = {},
): Promise<FoldedStream<State>> {
  const { from, recordedUpTo } = options;
  let events = await store.readStream(stream, {
    ...(recordedUpTo ? { recordedUpTo } : {}),
    ...(from ? { fromRevision: from.revision + 1 } : {}),
  });
  if (options.upcasters) events = options.upcasters.upcastAll(events);
  const history = tenantHistory(events, tenantId);
  // Another tenant's event after the cached state: the stream is not ours after all.
  if (from && history.length < events.length) {
    return { state: fold.initialState(), history: [], revision: -1 };
  }
  let state = from ? from.state : fold.initialState();
  for (const event of history) state = fold.evolve(state, event as unknown as Event);
  return { state, history, revision: history.at(-1)?.revision ?? from?.revision ?? -1 };
}
