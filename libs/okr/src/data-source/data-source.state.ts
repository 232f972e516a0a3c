import type { DataSourceEvent } from './data-source.events';

export interface DataSource {
  readonly dataSourceId: string;
  readonly name: string;
  readonly kind: string;
  readonly expectedIntervalHours: number;
  readonly keyResultIds: readonly string[];
  /** The hash of the one key accepted now; null once revoked. */
  readonly keyHash: string | null;
  readonly revoked: boolean;
}

/** null until DataSourceRegistered: the stream does not exist. */
export type DataSourceState = DataSource | null;

export const initialDataSourceState = (): DataSourceState => null;

export function evolveDataSource(state: DataSourceState, event: DataSourceEvent): DataSourceState {
  switch (event.type) {
    case 'DataSourceRegistered':
      return { ...event.data, revoked: false };
    case 'DataSourceKeyRotated':
      return state && { ...state, keyHash: event.data.keyHash };
    case 'DataSourceKeyRevoked':
      return state && { ...state, keyHash: null, revoked: true };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** True when the source may record for this key result: not revoked, and the result is its own. */
export function feedsKeyResult(state: DataSourceState, keyResultId: string): boolean {
  return state !== null && !state.revoked && state.keyResultIds.includes(keyResultId);
}
