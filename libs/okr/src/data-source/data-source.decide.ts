import type { Decider } from '../decider';
import {
  AggregateNotFound,
  DomainRuleViolation,
  optionalText,
  requireId,
  requireText,
} from '../okr.errors';
import type { DataSourceEvent } from './data-source.events';
import {
  evolveDataSource,
  initialDataSourceState,
  type DataSourceState,
} from './data-source.state';

/** A source may feed at most this many key results (one registration, one event). */
export const MAX_DATA_SOURCE_KEY_RESULTS = 100;
/** At most a year between values: beyond that nothing is a feed any more. */
export const MAX_EXPECTED_INTERVAL_HOURS = 8_760;
const KIND = /^[A-Z][A-Z0-9_]{0,39}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The handler makes the key and passes only its hash: the decider never sees a secret. */
export type RegisterDataSource = {
  readonly type: 'RegisterDataSource';
  readonly data: {
    readonly dataSourceId: string;
    readonly name: string;
    readonly kind: string;
    readonly expectedIntervalHours: number;
    readonly keyResultIds: readonly string[];
    readonly keyHash: string;
  };
};
export type RotateDataSourceKey = {
  readonly type: 'RotateDataSourceKey';
  readonly data: { readonly dataSourceId: string; readonly keyHash: string };
};
export type RevokeDataSourceKey = {
  readonly type: 'RevokeDataSourceKey';
  readonly data: { readonly dataSourceId: string; readonly reason: string | null };
};

export type DataSourceCommand = RegisterDataSource | RotateDataSourceKey | RevokeDataSourceKey;

function requireKeyHash(keyHash: string): string {
  // A programming error, not user input: only the handler builds it.
  if (!SHA256_HEX.test(keyHash)) throw new Error('keyHash must be a SHA-256 hex digest');
  return keyHash;
}

function active(state: DataSourceState, dataSourceId: string) {
  if (state === null) throw new AggregateNotFound('DataSource', dataSourceId);
  if (state.revoked) throw new DomainRuleViolation('DATA_SOURCE_REVOKED', 'dataSourceId');
  return state;
}

export function decideDataSource(
  command: DataSourceCommand,
  state: DataSourceState,
): DataSourceEvent[] {
  switch (command.type) {
    case 'RegisterDataSource': {
      const { dataSourceId, expectedIntervalHours, keyResultIds } = command.data;
      if (state !== null) throw new DomainRuleViolation('ALREADY_EXISTS', 'id');
      requireId(dataSourceId, 'id');
      const name = requireText(command.data.name, 'name');
      const kind = command.data.kind.trim().toUpperCase();
      if (!KIND.test(kind)) {
        throw new DomainRuleViolation(
          'INVALID_VALUE',
          'kind',
          'kind is a code of letters, digits and _ (e.g. CRM, ANALYTICS, BILLING, SPREADSHEET)',
        );
      }
      if (
        !Number.isFinite(expectedIntervalHours) ||
        expectedIntervalHours <= 0 ||
        expectedIntervalHours > MAX_EXPECTED_INTERVAL_HOURS
      ) {
        throw new DomainRuleViolation(
          'INVALID_VALUE',
          'expectedIntervalHours',
          `expectedIntervalHours must be > 0 and at most ${MAX_EXPECTED_INTERVAL_HOURS}`,
        );
      }
      const unique = [...new Set(keyResultIds)];
      if (unique.length === 0 || unique.length > MAX_DATA_SOURCE_KEY_RESULTS) {
        throw new DomainRuleViolation(
          'INVALID_VALUE',
          'keyResultIds',
          `a data source feeds 1 to ${MAX_DATA_SOURCE_KEY_RESULTS} key results`,
        );
      }
      unique.forEach((id) => requireId(id, 'keyResultIds'));
      return [
        {
          type: 'DataSourceRegistered',
          data: {
            dataSourceId,
            name,
            kind,
            expectedIntervalHours,
            keyResultIds: unique,
            keyHash: requireKeyHash(command.data.keyHash),
          },
        },
      ];
    }
    case 'RotateDataSourceKey': {
      const source = active(state, command.data.dataSourceId);
      const keyHash = requireKeyHash(command.data.keyHash);
      if (keyHash === source.keyHash) throw new DomainRuleViolation('NOTHING_CHANGED', 'key');
      return [
        { type: 'DataSourceKeyRotated', data: { dataSourceId: source.dataSourceId, keyHash } },
      ];
    }
    case 'RevokeDataSourceKey': {
      const source = active(state, command.data.dataSourceId);
      return [
        {
          type: 'DataSourceKeyRevoked',
          data: { dataSourceId: source.dataSourceId, reason: optionalText(command.data.reason) },
        },
      ];
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown data source command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

export const dataSourceDecider: Decider<DataSourceState, DataSourceCommand, DataSourceEvent> = {
  decide: decideDataSource,
  evolve: evolveDataSource,
  initialState: initialDataSourceState,
};
