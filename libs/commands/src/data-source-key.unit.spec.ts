import {
  hashDataSourceSecret,
  issueDataSourceKey,
  looksLikeDataSourceKey,
  parseDataSourceKey,
  secretMatches,
} from './data-source-key';

const id = 'd0000000-0000-4000-8000-000000000001';

describe('data source keys', () => {
  describe('when a key is issued', () => {
    it('names its organisation and source, and only the secret is hashed', () => {
      const issued = issueDataSourceKey('acme corp', id);
      const parsed = parseDataSourceKey(issued.key);
      expect(parsed).toEqual({
        tenantId: 'acme corp',
        dataSourceId: id,
        secret: expect.any(String),
      });
      expect(issued.keyHash).toBe(hashDataSourceSecret(parsed?.secret ?? ''));
      expect(issued.keyHash).toMatch(/^[0-9a-f]{64}$/);
      expect(issued.key).not.toContain(issued.keyHash);
      expect(looksLikeDataSourceKey(issued.key)).toBe(true);
    });
    it('gives a new secret every time', () => {
      expect(issueDataSourceKey('acme', id).keyHash).not.toBe(
        issueDataSourceKey('acme', id).keyHash,
      );
    });
  });

  describe('when a bearer is checked', () => {
    it('matches its own hash only', () => {
      const { key, keyHash } = issueDataSourceKey('acme', id);
      const { secret } = parseDataSourceKey(key) ?? { secret: '' };
      expect(secretMatches(secret, keyHash)).toBe(true);
      expect(secretMatches(secret, issueDataSourceKey('acme', id).keyHash)).toBe(false);
      expect(secretMatches(secret, null)).toBe(false);
    });
    it.each([
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbmEifQ.sig',
      'okrds.YWNtZQ.not-a-uuid.' + 'a'.repeat(43),
      `okrds.YWNtZQ.${id}.short`,
      `okrds..${id}.${'a'.repeat(43)}`,
      `okrds.YWNtZQ.${id}.${'a'.repeat(43)}.extra`,
      `okrds.YWNtZQ==.${id}.${'a'.repeat(43)}`,
    ])('refuses the malformed %p', (bearer) => {
      expect(parseDataSourceKey(bearer)).toBeNull();
    });
  });
});
