import { deciderSpec } from '../testing/decider-spec';
import { dataSourceDecider, type RegisterDataSource } from './data-source.decide';
import { dataSourceStream, type DataSourceRegistered } from './data-source.events';
import { feedsKeyResult } from './data-source.state';

const given = deciderSpec(dataSourceDecider);
const source = 'd0000000-0000-4000-8000-000000000001';
const kr1 = 'b0000000-0000-4000-8000-000000000001';
const kr2 = 'b0000000-0000-4000-8000-000000000002';
const hashA = 'a'.repeat(64);
const hashB = 'b'.repeat(64);

const register = (data: Partial<RegisterDataSource['data']> = {}): RegisterDataSource => ({
  type: 'RegisterDataSource',
  data: {
    dataSourceId: source,
    name: ' Salesforce ',
    kind: 'crm',
    expectedIntervalHours: 24,
    keyResultIds: [kr1, kr2, kr1],
    keyHash: hashA,
    ...data,
  },
});
const registered: DataSourceRegistered = {
  type: 'DataSourceRegistered',
  data: {
    dataSourceId: source,
    name: 'Salesforce',
    kind: 'CRM',
    expectedIntervalHours: 24,
    keyResultIds: [kr1, kr2],
    keyHash: hashA,
  },
};
const revoked = {
  type: 'DataSourceKeyRevoked' as const,
  data: { dataSourceId: source, reason: 'leaked' },
};

describe('dataSourceDecider', () => {
  describe('when a data source is registered', () => {
    it('records the trimmed name, the kind as a code, each key result once and the key hash', () => {
      given([]).when(register(), undefined).then([registered]);
    });
    it('refuses a second registration of the same id', () => {
      given([registered]).when(register(), undefined).thenThrows('ALREADY_EXISTS');
    });
    it('refuses a blank name', () => {
      given([])
        .when(register({ name: '  ' }), undefined)
        .thenThrows('INVALID_VALUE', 'name');
    });
    it('refuses a kind that is not a code', () => {
      given([])
        .when(register({ kind: 'my crm!' }), undefined)
        .thenThrows('INVALID_VALUE', 'kind');
    });
    it.each([0, -1, 8761, Number.NaN])('refuses an expected interval of %p hours', (hours) => {
      given([])
        .when(register({ expectedIntervalHours: hours }), undefined)
        .thenThrows('INVALID_VALUE', 'expectedIntervalHours');
    });
    it('refuses a source that feeds no key result', () => {
      given([])
        .when(register({ keyResultIds: [] }), undefined)
        .thenThrows('INVALID_VALUE', 'keyResultIds');
    });
    it('refuses more than 100 key results', () => {
      const ids = Array.from(
        { length: 101 },
        (_, i) => `b0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      );
      given([])
        .when(register({ keyResultIds: ids }), undefined)
        .thenThrows('INVALID_VALUE', 'keyResultIds');
    });
    it('never takes anything but a SHA-256 digest as the key hash', () => {
      expect(() => dataSourceDecider.decide(register({ keyHash: 'secret' }), null)).toThrow(
        'keyHash must be a SHA-256 hex digest',
      );
    });
  });

  describe('when its key is rotated', () => {
    it('records the new hash', () => {
      given([registered])
        .when(
          { type: 'RotateDataSourceKey', data: { dataSourceId: source, keyHash: hashB } },
          undefined,
        )
        .then([{ type: 'DataSourceKeyRotated', data: { dataSourceId: source, keyHash: hashB } }]);
    });
    it('refuses the hash it already has', () => {
      given([registered])
        .when(
          { type: 'RotateDataSourceKey', data: { dataSourceId: source, keyHash: hashA } },
          undefined,
        )
        .thenThrows('NOTHING_CHANGED');
    });
    it('refuses a revoked source', () => {
      given([registered, revoked])
        .when(
          { type: 'RotateDataSourceKey', data: { dataSourceId: source, keyHash: hashB } },
          undefined,
        )
        .thenThrows('DATA_SOURCE_REVOKED');
    });
    it('reports a source that does not exist', () => {
      given([])
        .when(
          { type: 'RotateDataSourceKey', data: { dataSourceId: source, keyHash: hashB } },
          undefined,
        )
        .thenNotFound('DataSource', source);
    });
  });

  describe('when its key is revoked', () => {
    it('records the revocation with the trimmed reason', () => {
      given([registered])
        .when(
          { type: 'RevokeDataSourceKey', data: { dataSourceId: source, reason: ' leaked ' } },
          undefined,
        )
        .then([revoked]);
    });
    it('refuses revoking twice', () => {
      given([registered, revoked])
        .when(
          { type: 'RevokeDataSourceKey', data: { dataSourceId: source, reason: null } },
          undefined,
        )
        .thenThrows('DATA_SOURCE_REVOKED');
    });
  });

  describe('when folding its events', () => {
    const fold = (events: Parameters<typeof dataSourceDecider.evolve>[1][]) =>
      events.reduce((s, e) => dataSourceDecider.evolve(s, e), dataSourceDecider.initialState());

    it('holds the current key hash, and none once revoked', () => {
      const rotated = fold([
        registered,
        { type: 'DataSourceKeyRotated', data: { dataSourceId: source, keyHash: hashB } },
      ]);
      expect(rotated?.keyHash).toBe(hashB);
      const gone = fold([registered, revoked]);
      expect(gone).toMatchObject({ keyHash: null, revoked: true });
      expect(dataSourceStream(source)).toBe(`data-source-${source}`);
    });
    it('feeds its own key results only, and none once revoked', () => {
      const state = fold([registered]);
      expect(feedsKeyResult(state, kr1)).toBe(true);
      expect(feedsKeyResult(state, 'b0000000-0000-4000-8000-000000000099')).toBe(false);
      expect(feedsKeyResult(fold([registered, revoked]), kr1)).toBe(false);
      expect(feedsKeyResult(null, kr1)).toBe(false);
    });
  });
});
