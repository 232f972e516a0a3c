import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { loadConfig } from './config';
import { DEVELOPMENT_LEDGER_SIGNING_KEY, parseLedgerSigningKey } from './ledger-signing-key';

const JWKS = 'https://id.example.com/.well-known/jwks.json';

describe('LEDGER_SIGNING_KEY', () => {
  describe('when unset', () => {
    it('signs with the development key', () => {
      const key = loadConfig({}).ledgerSigningKey;
      expect(createPublicKey(key).export({ type: 'spki', format: 'pem' })).toEqual(
        createPublicKey(parseLedgerSigningKey(DEVELOPMENT_LEDGER_SIGNING_KEY)).export({
          type: 'spki',
          format: 'pem',
        }),
      );
    });
    it('is refused in production', () => {
      expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: JWKS })).toThrow(
        /^LEDGER_SIGNING_KEY: must be set in production/,
      );
    });
  });

  describe('when set', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ type: 'spki', format: 'pem' });
    it('takes a PEM', () => {
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const key = loadConfig({ LEDGER_SIGNING_KEY: pem }).ledgerSigningKey;
      expect(createPublicKey(key).export({ type: 'spki', format: 'pem' })).toEqual(spki);
    });
    it('takes base64 PKCS#8 in production', () => {
      const b64 = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
      const key = loadConfig({
        NODE_ENV: 'production',
        AUTH_JWKS_URL: JWKS,
        LEDGER_SIGNING_KEY: b64,
      }).ledgerSigningKey;
      expect(createPublicKey(key).export({ type: 'spki', format: 'pem' })).toEqual(spki);
    });
    it('refuses another kind of key', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      expect(() => loadConfig({ LEDGER_SIGNING_KEY: rsa })).toThrow(
        /^LEDGER_SIGNING_KEY: must be an Ed25519 key, got rsa/,
      );
    });
    it('refuses what is no key', () => {
      expect(() => loadConfig({ LEDGER_SIGNING_KEY: 'not a key' })).toThrow(
        /^LEDGER_SIGNING_KEY: is neither a PEM nor a base64 PKCS#8 private key/,
      );
    });
  });
});
