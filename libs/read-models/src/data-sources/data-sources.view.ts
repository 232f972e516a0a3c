/** A data source as the API shows it; staleness is computed when asked (it depends on now). */
export interface DataSourceView {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly expectedIntervalHours: number;
  readonly revoked: boolean;
  readonly registeredAt: Date;
  readonly keyResultIds: readonly string[];
  /** The latest `measuredAt` it sent for any of its key results; null before the first. */
  readonly lastValueAt: Date | null;
  readonly stale: boolean;
  readonly version: number;
}

/** One source's feed of one key result. */
export interface KeyResultFeedView {
  readonly keyResultId: string;
  readonly dataSourceId: string;
  readonly lastValueAt: Date | null;
  readonly stale: boolean;
}

/** Per organisation, for /health. */
export interface DataSourceStalenessSummary {
  readonly tenantId: string;
  readonly dataSources: number;
  readonly stale: number;
  readonly staleDataSourceIds: readonly string[];
}
