/**
 * The decider shape (after Emmett's samples): the event store's `foldStream` folds a stream
 * with `evolve` from `initialState()` (the write side and time travel alike), `handleCommand`
 * then calls `decide` and appends the result with the expected revision. The store states
 * these shapes structurally (it imports no domain); these are the types. Everything here is
 * pure: no clock, no randomness, no I/O.
 */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

export interface Decider<State, Command, Event extends DomainEvent, Context = void> {
  /** Throws `DomainRuleViolation` or `AggregateNotFound`; returns [] when nothing is to be recorded. */
  decide(command: Command, state: State, context: Context): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** A JSON value as stored in a field change (the API JSON-encodes it for `FieldChange`). */
export type FieldValue = string | number | null;

/**
 * One changed field, typed per field: `field` is the GraphQL field name and `from`/`to` carry
 * that field's raw values, so the audit trail needs no other source to show before → after.
 */
export type FieldChangeOf<Fields extends Record<string, FieldValue>> = {
  [F in keyof Fields & string]: {
    readonly field: F;
    readonly from: Fields[F];
    readonly to: Fields[F];
  };
}[keyof Fields & string];

/** The untyped view of a field change, e.g. for read models. */
export interface FieldChange {
  readonly field: string;
  readonly from: FieldValue;
  readonly to: FieldValue;
}

/**
 * Lists the fields of `proposed` that really differ from `current`, in the order of `fields`.
 * `undefined` in `proposed` means "leave as is".
 */
export function diffFields<Fields extends Record<string, FieldValue>>(
  current: Fields,
  proposed: Partial<Fields>,
  fields: readonly (keyof Fields & string)[],
): FieldChangeOf<Fields>[] {
  const changes: FieldChangeOf<Fields>[] = [];
  for (const field of fields) {
    const to = proposed[field];
    if (to === undefined || Object.is(to, current[field])) continue;
    changes.push({ field, from: current[field], to });
  }
  return changes;
}

/** Applies field changes to a record holding those fields. */
export function applyFieldChanges<Fields extends Record<string, FieldValue>, T extends Fields>(
  target: T,
  changes: readonly FieldChangeOf<Fields>[],
): T {
  let next = target;
  for (const change of changes) next = { ...next, [change.field]: change.to };
  return next;
}
