import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from './config';

describe('loadConfig', () => {
  describe('when nothing is set', () => {
    it('serves on port 4000 with an embedded database in ./.okr-data', () => {
      const config = loadConfig({}, '/srv/app');
      expect(config.port).toBe(4000);
      expect(config.databaseUrl).toBeUndefined();
      expect(config.dataDir).toBe('/srv/app/.okr-data');
      expect(config.eventStore).toBe('postgres');
      expect(config.auth.jwtSecret).toBe(DEVELOPMENT_JWT_SECRET);
      expect(config.projector).toBe('in-process');
    });
  });

  describe('when PORT is bad', () => {
    it.each(['abc', '0', '70000', '-1', '4000.5'])('rejects "%s" naming PORT', (port) => {
      expect(() => loadConfig({ PORT: port })).toThrow(ConfigError);
      expect(() => loadConfig({ PORT: port })).toThrow(/^PORT: must be a whole number/);
    });
  });

  describe('when DATABASE_URL is malformed', () => {
    it('rejects a string that is no URL', () => {
      expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(
        /^DATABASE_URL: is not a valid URL/,
      );
    });
    it('rejects another scheme', () => {
      expect(() => loadConfig({ DATABASE_URL: 'mysql://db/okr' })).toThrow(
        /^DATABASE_URL: must use postgres: or postgresql:/,
      );
    });
    it('accepts a postgres URL', () => {
      const url = 'postgres://okr:secret@db:5432/okr';
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    });
  });

  describe('MIGRATION_DATABASE_URL (the owner role)', () => {
    const serving = 'postgres://okr_app:s@db:5432/okr';
    const owner = 'postgres://okr_owner:o@db:5432/okr';
    it('is unset unless given', () => {
      expect(loadConfig({ DATABASE_URL: serving }).migrationDatabaseUrl).toBeUndefined();
    });
    it('is taken beside DATABASE_URL', () => {
      const config = loadConfig({ DATABASE_URL: serving, MIGRATION_DATABASE_URL: owner });
      expect(config.migrationDatabaseUrl).toBe(owner);
      expect(config.databaseUrl).toBe(serving);
    });
    it('rejects another scheme', () => {
      expect(() =>
        loadConfig({ DATABASE_URL: serving, MIGRATION_DATABASE_URL: 'mysql://db/okr' }),
      ).toThrow(/^MIGRATION_DATABASE_URL: must use postgres: or postgresql:/);
    });
    it('is refused without DATABASE_URL (the embedded cluster makes its own roles)', () => {
      expect(() => loadConfig({ MIGRATION_DATABASE_URL: owner })).toThrow(
        /^MIGRATION_DATABASE_URL: requires DATABASE_URL/,
      );
    });
  });

  describe('when the event store is EventStoreDB', () => {
    it('requires EVENTSTORE_URL', () => {
      expect(() => loadConfig({ EVENT_STORE: 'eventstoredb' })).toThrow(/^EVENTSTORE_URL: /);
    });
    it('rejects an unknown kind', () => {
      expect(() => loadConfig({ EVENT_STORE: 'kafka' })).toThrow(/^EVENT_STORE: must be one of/);
    });
  });

  describe('when running in production', () => {
    it('refuses the development secret', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/^AUTH_JWT_SECRET: /);
    });
    it('accepts a JWKS URL instead', () => {
      const config = loadConfig({
        NODE_ENV: 'production',
        AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
        LEDGER_SIGNING_KEY: generateKeyPairSync('ed25519')
          .privateKey.export({ type: 'pkcs8', format: 'der' })
          .toString('base64'),
      });
      expect(config.auth.jwksUrl).toBe('https://id.example.com/.well-known/jwks.json');
    });
  });

  describe('when OKR_DATA_DIR is absolute', () => {
    it('keeps it as it is', () => {
      expect(loadConfig({ OKR_DATA_DIR: '/var/lib/okr' }).dataDir).toBe('/var/lib/okr');
    });
  });
});
