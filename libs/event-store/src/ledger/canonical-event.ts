import { createHash } from 'node:crypto';
import { leafHash, type Hash } from './merkle-tree';

/**
 * One event of an organisation's log as the ledger sees it: what the Merkle leaf commits to,
 * and what a line of an export's `events.ndjson` holds. Pure, so that the server and the
 * offline verifier encode an event in exactly one way.
 */
export interface LedgerEvent {
  /** Global position, `<transaction id>-<sequence>` (41 characters). */
  readonly position: string;
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  /** Recorded time, UTC, with microseconds: `2026-01-05T09:00:00.000000Z`. */
  readonly recordedAt: string;
  /** The event's link in its stream's SHA-256 chain (hex), as the store keeps it. */
  readonly hash: string;
  /**
   * PostgreSQL's own text of `data` and `metadata`, which the chain link hashes; present only
   * where it differs from `jsonbText` of the values (numbers PostgreSQL prints otherwise).
   */
  readonly jsonb?: { readonly data: string; readonly metadata: string };
}

/**
 * JSON with object keys sorted by UTF-16 code units and no whitespace (as RFC 8785 for the
 * values JSON.parse yields): the same value always gives the same text.
 */
export function ledgerJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JSON has no ' + String(value));
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: unknown) => ledgerJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${ledgerJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

/** The bytes a Merkle leaf hashes: every field but the chain link, canonically. */
export function canonicalEventBytes(event: LedgerEvent): Buffer {
  return Buffer.from(
    ledgerJson({
      data: event.data,
      id: event.id,
      metadata: event.metadata,
      position: event.position,
      recordedAt: event.recordedAt,
      revision: event.revision,
      stream: event.stream,
      type: event.type,
    }),
    'utf8',
  );
}

export function eventLeafHash(event: LedgerEvent): Hash {
  return leafHash(canonicalEventBytes(event));
}

/** One line of `events.ndjson` (without its newline). */
export function eventLine(event: LedgerEvent): string {
  return ledgerJson(event);
}

const JSONB_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function jsonbString(value: string): string {
  // PostgreSQL's escape_json: the usual short escapes, other control characters as \u00XX.
  // eslint-disable-next-line no-control-regex
  const escaped = value.replace(/["\\\u0000-\u001f]/g, (c) => {
    return JSONB_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/** jsonb orders object keys by length, then bytewise. */
function compareJsonbKeys(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length - bb.length || Buffer.compare(ab, bb);
}

/**
 * The text PostgreSQL prints for a jsonb value (`data::text`), for the values our events hold;
 * a number PostgreSQL prints otherwise (exponents) is caught by the export, which then keeps
 * PostgreSQL's text beside the event.
 */
export function jsonbText(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'string') return jsonbString(value);
  if (Array.isArray(value)) return `[${value.map((v: unknown) => jsonbText(v)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareJsonbKeys(a, b));
    return `{${entries.map(([k, v]) => `${jsonbString(k)}: ${jsonbText(v)}`).join(', ')}}`;
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

/** Microseconds since the epoch of a `recordedAt` text (the chain hashes that integer). */
export function recordedMicros(recordedAt: string): bigint {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})Z$/.exec(recordedAt);
  if (!match) throw new TypeError(`recordedAt is not UTC with microseconds: ${recordedAt}`);
  const seconds = Date.parse(`${match[1] ?? ''}Z`);
  if (Number.isNaN(seconds)) throw new TypeError(`recordedAt is no date: ${recordedAt}`);
  return BigInt(seconds) * 1000n + BigInt(match[2] ?? '0');
}

/** The `recordedAt` text of microseconds since the epoch. */
export function recordedAtFromMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const rest = micros - ms * 1000n;
  const iso = new Date(Number(ms)).toISOString(); // …T09:00:00.123Z
  return `${iso.slice(0, -1)}${rest.toString().padStart(3, '0')}Z`;
}

/**
 * The link `event_store.event_hash` computes (see the first event-store migration): SHA-256 of
 * the previous link, then id, stream, revision, type, data, metadata and recorded microseconds
 * joined by newlines.
 */
export function chainLink(previous: string | null, event: LedgerEvent): string {
  const text = [
    event.id,
    event.stream,
    String(event.revision),
    event.type,
    event.jsonb?.data ?? jsonbText(event.data),
    event.jsonb?.metadata ?? jsonbText(event.metadata),
    recordedMicros(event.recordedAt).toString(),
  ].join('\n');
  const hash = createHash('sha256');
  if (previous) hash.update(Buffer.from(previous, 'hex'));
  return hash.update(text, 'utf8').digest('hex');
}
