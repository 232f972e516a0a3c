import type { DomainEvent } from '../decider';

export const dataSourceStream = (dataSourceId: string): string => `data-source-${dataSourceId}`;

/**
 * A registered system that pushes values for some key results (a CRM, a billing system, a
 * spreadsheet export). The key it authenticates with is never in the log: only its hash.
 */
export type DataSourceRegistered = DomainEvent<
  'DataSourceRegistered',
  {
    readonly dataSourceId: string;
    readonly name: string;
    /** A short code such as CRM, ANALYTICS, BILLING or SPREADSHEET. */
    readonly kind: string;
    /** How often a value is expected; longer without one and the source is stale. */
    readonly expectedIntervalHours: number;
    /** The only key results the source may record measurements for. */
    readonly keyResultIds: readonly string[];
    /** SHA-256 (hex) of the key's secret. */
    readonly keyHash: string;
  }
>;
/** A new key replaces the old one at once: the old hash no longer matches. */
export type DataSourceKeyRotated = DomainEvent<
  'DataSourceKeyRotated',
  { readonly dataSourceId: string; readonly keyHash: string }
>;
/** No key of the source is accepted any more; a revoked source stays revoked. */
export type DataSourceKeyRevoked = DomainEvent<
  'DataSourceKeyRevoked',
  { readonly dataSourceId: string; readonly reason: string | null }
>;

export type DataSourceEvent = DataSourceRegistered | DataSourceKeyRotated | DataSourceKeyRevoked;

export const DATA_SOURCE_EVENT_TYPES = [
  'DataSourceRegistered',
  'DataSourceKeyRotated',
  'DataSourceKeyRevoked',
] as const satisfies readonly DataSourceEvent['type'][];
