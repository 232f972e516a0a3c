import type { RecordedEvent } from '@okr-ledger/event-store';
import type { ClientBase } from 'pg';

/**
 * One read model's writer. `apply` runs inside the projector's transaction, with the
 * `search_path` set to the schema it must write (the live `read_models`, or a rebuild's
 * shadow schema), so its SQL names tables without a schema. The projector commits the
 * projection's checkpoint in the same transaction.
 */
export interface Projection {
  readonly name: string;
  /** Bump it when the rows it writes change meaning: the projector then rebuilds it. */
  readonly version: number;
  readonly eventTypes: readonly string[];
  /** The tables it owns in `read_models`; a rebuild swaps them together. */
  readonly tables: readonly string[];
  /**
   * Tables of `tables` that `apply` only appends to (insertRowsIgnoringDuplicates) and never
   * reads: a rebuild adds their primary key after the replay, in one sorted build, instead of
   * inserting every row into it.
   */
  readonly appendOnlyTables?: readonly string[];
  /**
   * Applies a batch in global order. Must be idempotent per row (the projector already skips
   * events at or before the checkpoint) and should use set-based SQL, not a round trip per event.
   */
  apply(events: readonly RecordedEvent[], client: ClientBase): Promise<void>;
}
