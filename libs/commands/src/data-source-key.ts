import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A data source's key (ADR 0015): `okrds.<organisation, base64url>.<data source id>.<secret>`,
 * the secret 32 random bytes in base64url. The organisation and the id say where to look; only
 * SHA-256 of the secret is ever stored (in the data source's events), which is safe for a
 * 256-bit random secret: there is nothing to guess from a hash of a value nobody can enumerate.
 */
export const DATA_SOURCE_KEY_PREFIX = 'okrds';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface DataSourceKey {
  readonly tenantId: string;
  readonly dataSourceId: string;
  readonly secret: string;
}

export interface IssuedDataSourceKey {
  /** What the caller is shown once. */
  readonly key: string;
  /** What the log keeps. */
  readonly keyHash: string;
}

export function hashDataSourceSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function issueDataSourceKey(tenantId: string, dataSourceId: string): IssuedDataSourceKey {
  const secret = randomBytes(32).toString('base64url');
  const organisation = Buffer.from(tenantId, 'utf8').toString('base64url');
  return {
    key: `${DATA_SOURCE_KEY_PREFIX}.${organisation}.${dataSourceId}.${secret}`,
    keyHash: hashDataSourceSecret(secret),
  };
}

/** True when a bearer is meant as a data source key (not a JWT): it has the prefix. */
export function looksLikeDataSourceKey(bearer: string): boolean {
  return bearer.startsWith(`${DATA_SOURCE_KEY_PREFIX}.`);
}

/** The parts of a well-formed key; null for anything else. */
export function parseDataSourceKey(bearer: string): DataSourceKey | null {
  const parts = bearer.split('.');
  if (parts.length !== 4 || parts[0] !== DATA_SOURCE_KEY_PREFIX) return null;
  const [, organisation = '', dataSourceId = '', secret = ''] = parts;
  if (!UUID.test(dataSourceId) || !SECRET.test(secret) || organisation === '') return null;
  const tenantId = Buffer.from(organisation, 'base64url').toString('utf8');
  if (tenantId === '' || Buffer.from(tenantId, 'utf8').toString('base64url') !== organisation)
    return null;
  return { tenantId, dataSourceId, secret };
}

/** Constant-time comparison of the presented secret with the stored hash. */
export function secretMatches(secret: string, keyHash: string | null): boolean {
  if (keyHash === null) return false;
  const presented = Buffer.from(hashDataSourceSecret(secret), 'hex');
  const stored = Buffer.from(keyHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** The actor id a data source's events carry, so the audit trail names it. */
export const dataSourceActorId = (dataSourceId: string): string => `data-source:${dataSourceId}`;
