import { createPrivateKey, type KeyObject } from 'node:crypto';

/**
 * The documented development key (base64 PKCS#8 Ed25519) that signs ledger checkpoints when
 * LEDGER_SIGNING_KEY is unset; refused when NODE_ENV=production, like the JWT secret.
 */
export const DEVELOPMENT_LEDGER_SIGNING_KEY =
  'MC4CAQAwBQYDK2VwBCIEIJtNAW4VR+PxlgY/3YxzL3TY4VGT5YgqVLGFJfdrSdx+';

/** An Ed25519 private key from PEM (`-----BEGIN PRIVATE KEY-----`) or base64 PKCS#8 DER. */
export function parseLedgerSigningKey(raw: string): KeyObject {
  const text = raw.trim();
  let key: KeyObject;
  try {
    key = text.startsWith('-----BEGIN')
      ? createPrivateKey({ key: text.replace(/\\n/g, '\n'), format: 'pem' })
      : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new TypeError('is neither a PEM nor a base64 PKCS#8 private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`must be an Ed25519 key, got ${key.asymmetricKeyType ?? 'another kind'}`);
  }
  return key;
}
