import { createHash } from 'node:crypto';

/**
 * A client's idempotency key with the hash of the request it was first sent with. Every
 * event a keyed command records carries both in its metadata, so the key lives in the log
 * (survives restarts, needs no other table) and a retry finds it in the stream it folds.
 */
export interface IdempotencyClaim {
  readonly key: string;
  /** SHA-256 (hex) of the canonical request, see `requestHash`. */
  readonly requestHash: string;
}

/** Metadata keys of a keyed command's events. Events recorded before carry neither. */
export const IDEMPOTENCY_KEY = 'idempotencyKey';
export const REQUEST_HASH = 'requestHash';

// A fixed namespace for this ledger's name-based UUIDs (RFC 4122 v5); never change it, or
// retried creates stop finding the stream their first attempt created.
const NAMESPACE = Buffer.from('5b1d3c7e9a2f4e6b8c0d1e2f3a4b5c6d', 'hex');

/** RFC 4122 version 5 (SHA-1, name-based) UUID: the same name always gives the same id. */
export function nameBasedUuid(...parts: readonly string[]): string {
  // Lengths before each part keep ("ab","c") and ("a","bc") apart.
  const name = parts.map((p) => `${Buffer.byteLength(p)}:${p}`).join('|');
  const bytes = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** JSON with object keys sorted and `undefined` members dropped: equal inputs, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 of the operation's name and its canonical input. */
export function requestHash(operation: string, input: unknown): string {
  return createHash('sha256').update(canonicalJson({ operation, input })).digest('hex');
}

/**
 * The ids of a keyed command's events: derived from the tenant and the key, so a retry that
 * races its first attempt sends the same ids and the store's idempotency by event id stores
 * them once (and, on PostgreSQL, the key reused for another aggregate collides).
 */
export function keyedEventId(tenantId: string, key: string, index: number): string {
  return nameBasedUuid('event', tenantId, key, String(index));
}
