import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ledgerJson,
  chainLink,
  eventLeafHash,
  eventLine,
  type LedgerEvent,
} from './canonical-event';
import { consistencyProof, merkleRoot, verifyConsistency } from './merkle-tree';
import {
  checkpointProblem,
  keyFingerprint,
  publicKeyPem,
  type SignedCheckpoint,
} from './signed-checkpoint';

/**
 * An export anyone can check without our server or database: the organisation's events
 * (canonical, one a line), the audit trail as a spreadsheet, the signed checkpoint over the
 * events' Merkle tree, the public key, and a signed manifest of the files' SHA-256.
 */
export const BUNDLE_FILES = {
  events: 'events.ndjson',
  auditTrail: 'audit-trail.csv',
  checkpoint: 'checkpoint.json',
  publicKey: 'public-key.pem',
  manifest: 'manifest.json',
} as const;

const FORMAT = 'okr-ledger evidence v1';

/**
 * An event left out of a bundle made for one person (ADR 0017): nothing of what it says, only
 * where it sits (position, stream, revision), its chain link and its Merkle leaf, so that the
 * next link of its stream and the signed root still verify. A stream none of whose events is
 * shown is named by a digest of its name.
 */
export interface RedactedEvent {
  readonly redacted: true;
  readonly position: string;
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  readonly hash: string;
  /** The event's Merkle leaf hash (hex), as eventLeafHash gives it. */
  readonly leaf: string;
}

export type BundleEvent = LedgerEvent | RedactedEvent;

export const isRedacted = (event: BundleEvent): event is RedactedEvent =>
  (event as Partial<RedactedEvent>).redacted === true;

/**
 * The bundle's events for a reader who may see only those `shown` keeps: the others
 * redacted, their streams named by a digest when no event of theirs is shown.
 */
export function redactEvents(
  events: readonly LedgerEvent[],
  shown: (event: LedgerEvent) => boolean,
): BundleEvent[] {
  const keep = events.map(shown);
  const namedStreams = new Set(events.filter((_, i) => keep[i]).map((e) => e.stream));
  return events.map((event, i): BundleEvent => {
    if (keep[i]) return event;
    return {
      redacted: true,
      position: event.position,
      id: event.id,
      stream: namedStreams.has(event.stream)
        ? event.stream
        : `redacted-${sha256(event.stream).slice(0, 32)}`,
      revision: event.revision,
      hash: event.hash,
      leaf: eventLeafHash(event).toString('hex'),
    };
  });
}

/** Who a redacted bundle was made for: what its reader may see (ADR 0017). */
export interface BundleReader {
  readonly personId: string;
  readonly roles: readonly string[];
}

/** One row of `audit-trail.csv`: one field change of one event. */
export interface AuditCsvRow {
  readonly when: string;
  readonly who: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly event: string;
  readonly position: string;
  readonly field: string;
  readonly before: string | null;
  readonly after: string | null;
  readonly reason: string | null;
  readonly source: string | null;
  readonly midCycle: boolean;
}

const CSV_HEADER = [
  'when',
  'who',
  'aggregate type',
  'aggregate id',
  'event',
  'position',
  'field',
  'before',
  'after',
  'reason',
  'source',
  'mid-cycle',
];

function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Free text a spreadsheet would run as a formula (`=…`, `+…`, `@…`, `-` not before a digit)
 * gets a leading apostrophe, as OWASP advises; events.ndjson keeps the text as recorded.
 */
function inert(value: string | null): string | null {
  return value !== null && /^([=+@\t\r]|-(?![\d.]))/.test(value) ? `'${value}` : value;
}

export function auditTrailCsv(rows: readonly AuditCsvRow[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.when,
        inert(r.who),
        r.aggregateType,
        r.aggregateId,
        r.event,
        r.position,
        r.field,
        r.before,
        r.after,
        inert(r.reason),
        inert(r.source),
        r.midCycle ? 'yes' : 'no',
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

interface Manifest {
  readonly format: string;
  readonly organisation: string;
  readonly cycle: string | null;
  readonly createdAt: string;
  readonly files: Readonly<Record<string, string>>;
  readonly keyFingerprint: string;
  /** Set when the bundle shows only what this reader may see (others' events redacted). */
  readonly redactedFor?: BundleReader;
  /** Ed25519 (base64) over the canonical JSON of every other field. */
  readonly signature: string;
}

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** The JSON of a checkpoint file: its signed fields, canonically, with a final newline. */
export function checkpointFile(checkpoint: SignedCheckpoint): string {
  return `${ledgerJson({
    organisation: checkpoint.organisation,
    size: checkpoint.size,
    root: checkpoint.root,
    position: checkpoint.position,
    at: checkpoint.at,
    signature: checkpoint.signature,
    keyFingerprint: checkpoint.keyFingerprint,
  })}\n`;
}

export interface BundleContent {
  readonly organisation: string;
  readonly cycle: string | null;
  readonly createdAt: string;
  /** The first `checkpoint.size` events of the organisation, in log order (some redacted). */
  readonly events: readonly BundleEvent[];
  readonly auditRows: readonly AuditCsvRow[];
  readonly checkpoint: SignedCheckpoint;
  /** With redacted events: whom the bundle is for. */
  readonly redactedFor?: BundleReader | null;
}

export async function writeBundle(
  dir: string,
  content: BundleContent,
  signingKey: KeyObject,
): Promise<void> {
  const publicKey = createPublicKey(signingKey);
  const files: Record<string, string> = {
    [BUNDLE_FILES.events]: content.events.map((e) => `${bundleLine(e)}\n`).join(''),
    [BUNDLE_FILES.auditTrail]: auditTrailCsv(content.auditRows),
    [BUNDLE_FILES.checkpoint]: checkpointFile(content.checkpoint),
    [BUNDLE_FILES.publicKey]: publicKeyPem(publicKey),
  };
  const unsigned = {
    format: FORMAT,
    organisation: content.organisation,
    cycle: content.cycle,
    createdAt: content.createdAt,
    files: Object.fromEntries(Object.entries(files).map(([name, text]) => [name, sha256(text)])),
    keyFingerprint: keyFingerprint(publicKey),
    ...(content.redactedFor
      ? {
          redactedFor: {
            personId: content.redactedFor.personId,
            roles: [...content.redactedFor.roles],
          },
        }
      : {}),
  };
  const signature = sign(null, Buffer.from(ledgerJson(unsigned)), signingKey).toString('base64');
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  await writeFile(
    join(dir, BUNDLE_FILES.manifest),
    `${JSON.stringify({ ...unsigned, signature }, null, 2)}\n`,
  );
}

export type BundleVerdict =
  | { readonly ok: true; readonly summary: string }
  | { readonly ok: false; readonly problem: string };

/** Found the first thing that does not hold: named in the message. */
class Mismatch extends Error {}

function fail(message: string): never {
  throw new Mismatch(message);
}

async function readText(dir: string, name: string): Promise<string> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch {
    return fail(`${name}: missing or unreadable`);
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail(`${where}: not valid JSON`);
  }
}

function parseCheckpoint(text: string, where: string): SignedCheckpoint {
  const value = parseJson(text, where) as Record<string, unknown> | null;
  if (typeof value !== 'object' || value === null) fail(`${where}: not a checkpoint`);
  for (const field of ['organisation', 'root', 'position', 'at', 'signature', 'keyFingerprint']) {
    if (typeof value[field] !== 'string') fail(`${where}: field ${field} missing or not text`);
  }
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) {
    fail(`${where}: field size missing or not a whole number`);
  }
  return value as unknown as SignedCheckpoint;
}

function parsePublicKey(text: string): KeyObject {
  try {
    const key = createPublicKey({ key: text, format: 'pem' });
    if (key.asymmetricKeyType !== 'ed25519') fail(`${BUNDLE_FILES.publicKey}: not an Ed25519 key`);
    return key;
  } catch (error) {
    if (error instanceof Mismatch) throw error;
    return fail(`${BUNDLE_FILES.publicKey}: not a PEM public key`);
  }
}

const EVENT_FIELDS = ['position', 'id', 'stream', 'type', 'recordedAt', 'hash'] as const;
const REDACTED_FIELDS = ['position', 'id', 'stream', 'hash', 'leaf'] as const;

function bundleLine(event: BundleEvent): string {
  return isRedacted(event) ? ledgerJson(event) : eventLine(event);
}

function parseEvents(text: string): BundleEvent[] {
  if (text !== '' && !text.endsWith('\n')) {
    fail(`${BUNDLE_FILES.events}: truncated (the last line has no newline)`);
  }
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  return lines.map((line, i) => {
    const where = `${BUNDLE_FILES.events} line ${i + 1}`;
    const value = parseJson(line, where) as Record<string, unknown> | null;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fail(`${where}: not an event`);
    }
    const redacted = value.redacted === true;
    for (const field of redacted ? REDACTED_FIELDS : EVENT_FIELDS) {
      if (typeof value[field] !== 'string') fail(`${where}: field ${field} missing or not text`);
    }
    if (typeof value.revision !== 'number' || !Number.isSafeInteger(value.revision)) {
      fail(`${where}: field revision missing or not a whole number`);
    }
    if (redacted && !/^[0-9a-f]{64}$/.test(String(value.leaf))) {
      fail(`${where}: field leaf is not a SHA-256 in hex`);
    }
    const event = value as unknown as BundleEvent;
    try {
      if (bundleLine(event) !== line) fail(`${where}: not in canonical form`);
    } catch (error) {
      if (error instanceof Mismatch) throw error;
      fail(`${where}: not in canonical form`);
    }
    return event;
  });
}

function describe(event: BundleEvent, line: number): string {
  return `event ${event.id} (${BUNDLE_FILES.events} line ${line}, stream ${event.stream} revision ${event.revision})`;
}

/**
 * Every shown event's chain link from its content; a redacted one's link is taken as given
 * (the next link of its stream hashes it, and its leaf is in the signed root).
 */
function checkEvents(events: readonly BundleEvent[], organisation: string): number {
  const heads = new Map<string, { revision: number; hash: string }>();
  let previous = '';
  events.forEach((event, i) => {
    const name = describe(event, i + 1);
    if (event.position <= previous) {
      fail(`${name}: position ${event.position} is not after the previous event's`);
    }
    previous = event.position;
    const head = heads.get(event.stream);
    const expected = head ? head.revision + 1 : 0;
    if (event.revision !== expected) {
      fail(`${name}: revision ${expected} of the stream is missing before it`);
    }
    if (isRedacted(event)) {
      heads.set(event.stream, { revision: event.revision, hash: event.hash });
      return;
    }
    const tenant = (event.metadata as { tenantId?: unknown } | null)?.tenantId;
    if (tenant !== organisation) fail(`${name}: field metadata.tenantId is not ${organisation}`);
    let link: string;
    try {
      link = chainLink(head?.hash ?? null, event);
    } catch {
      return fail(`${name}: field recordedAt is not a UTC time with microseconds`);
    }
    if (link !== event.hash) fail(`${name}: content does not match its hash chain link`);
    heads.set(event.stream, { revision: event.revision, hash: event.hash });
  });
  return heads.size;
}

/**
 * Checks a bundle offline: the checkpoint's signature, every event's chain link, the Merkle
 * root, the manifest and its signature, and (given one) consistency with an earlier trusted
 * checkpoint. The first mismatch is named: a file, a line and event, or a field.
 */
export async function verifyBundle(
  dir: string,
  options: { readonly trustedCheckpoint?: string } = {},
): Promise<BundleVerdict> {
  try {
    return { ok: true, summary: await check(dir, options) };
  } catch (error) {
    if (error instanceof Mismatch) return { ok: false, problem: error.message };
    throw error;
  }
}

async function check(dir: string, options: { readonly trustedCheckpoint?: string }) {
  const manifestText = await readText(dir, BUNDLE_FILES.manifest);
  const manifest = parseJson(manifestText, BUNDLE_FILES.manifest) as Manifest | null;
  if (typeof manifest !== 'object' || manifest === null || manifest.format !== FORMAT) {
    fail(`${BUNDLE_FILES.manifest}: field format is not "${FORMAT}"`);
  }
  const publicKey = parsePublicKey(await readText(dir, BUNDLE_FILES.publicKey));
  const fingerprint = keyFingerprint(publicKey);

  const checkpoint = parseCheckpoint(
    await readText(dir, BUNDLE_FILES.checkpoint),
    BUNDLE_FILES.checkpoint,
  );
  const signatureProblem = checkpointProblem(checkpoint, publicKey);
  if (signatureProblem) fail(`${BUNDLE_FILES.checkpoint}: ${signatureProblem}`);
  const organisation = checkpoint.organisation;

  const events = parseEvents(await readText(dir, BUNDLE_FILES.events));
  const streams = checkEvents(events, organisation);
  if (events.length !== checkpoint.size) {
    fail(
      `${BUNDLE_FILES.events}: holds ${events.length} events, ${BUNDLE_FILES.checkpoint} field size signs ${checkpoint.size}`,
    );
  }
  const lastPosition = events[events.length - 1]?.position ?? '0'.repeat(20) + '-' + '0'.repeat(20);
  if (lastPosition !== checkpoint.position) {
    fail(`${BUNDLE_FILES.checkpoint}: field position is not the last event's (${lastPosition})`);
  }
  const leaves = events.map((e) => (isRedacted(e) ? Buffer.from(e.leaf, 'hex') : eventLeafHash(e)));
  const root = merkleRoot(leaves).toString('hex');
  if (root !== checkpoint.root) {
    fail(
      `${BUNDLE_FILES.events}: Merkle root ${root} is not the root ${BUNDLE_FILES.checkpoint} signs`,
    );
  }

  const files = manifest.files;
  if (typeof files !== 'object' || files === null)
    fail(`${BUNDLE_FILES.manifest}: field files missing`);
  for (const name of Object.values(BUNDLE_FILES)) {
    if (name === BUNDLE_FILES.manifest) continue;
    const expected = files[name];
    if (typeof expected !== 'string') fail(`${BUNDLE_FILES.manifest}: lists no hash of ${name}`);
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, name));
    } catch {
      return fail(`${name}: missing or unreadable`);
    }
    if (sha256(bytes) !== expected)
      fail(`${name}: SHA-256 does not match ${BUNDLE_FILES.manifest}`);
  }
  const { signature, ...unsigned } = manifest;
  if (manifest.organisation !== organisation) {
    fail(`${BUNDLE_FILES.manifest}: field organisation is not the checkpoint's (${organisation})`);
  }
  if (manifest.keyFingerprint !== fingerprint) {
    fail(`${BUNDLE_FILES.manifest}: field keyFingerprint is not the public key's`);
  }
  let manifestSigned: boolean;
  try {
    manifestSigned = verify(
      null,
      Buffer.from(ledgerJson(unsigned)),
      publicKey,
      Buffer.from(String(signature), 'base64'),
    );
  } catch {
    manifestSigned = false;
  }
  if (!manifestSigned)
    fail(`${BUNDLE_FILES.manifest}: field signature does not verify with the public key`);

  const redacted = events.filter(isRedacted).length;
  const reader = manifest.redactedFor;
  const lines = [
    `organisation ${organisation}${manifest.cycle ? `, cycle ${manifest.cycle}` : ''}`,
    redacted > 0 || reader
      ? `${events.length} events in ${streams} streams, ${redacted} redacted for ${readerName(reader)}: ` +
        'every shown event’s hash chain link holds; the redacted ones’ leaves are in the signed root, their content is not in the bundle'
      : `${events.length} events in ${streams} streams: every hash chain link holds`,
    `Merkle root ${root} at size ${checkpoint.size} (position ${checkpoint.position})`,
    `checkpoint signed at ${checkpoint.at} by key ${fingerprint}`,
    `manifest: ${Object.keys(files).length} files intact, signed by the same key`,
  ];
  if (options.trustedCheckpoint !== undefined) {
    lines.push(await checkTrusted(options.trustedCheckpoint, publicKey, checkpoint, leaves));
  } else {
    lines.push('compare the key fingerprint with ledgerPublicKey, or pass --trusted-checkpoint');
  }
  return lines.join('\n');
}

function readerName(reader: BundleReader | undefined): string {
  if (!reader) return 'an unnamed reader';
  const roles = Array.isArray(reader.roles) ? reader.roles.join(', ') : '';
  return `${String(reader.personId)}${roles ? ` (${roles})` : ''}`;
}

async function checkTrusted(
  file: string,
  publicKey: KeyObject,
  checkpoint: SignedCheckpoint,
  leaves: readonly Buffer[],
): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return fail(`trusted checkpoint ${file}: missing or unreadable`);
  }
  const trusted = parseCheckpoint(text, `trusted checkpoint ${file}`);
  const problem = checkpointProblem(trusted, publicKey);
  if (problem) {
    fail(
      `trusted checkpoint ${file}: ${problem} (${BUNDLE_FILES.publicKey} is not the key that signed it)`,
    );
  }
  if (trusted.organisation !== checkpoint.organisation) {
    fail(
      `trusted checkpoint ${file}: field organisation is ${trusted.organisation}, not ${checkpoint.organisation}`,
    );
  }
  if (trusted.size > checkpoint.size) {
    fail(
      `trusted checkpoint ${file}: field size ${trusted.size} is beyond this bundle's ${checkpoint.size}`,
    );
  }
  if (trusted.size === 0) return 'trusted checkpoint of size 0: nothing to compare';
  const fromRoot = Buffer.from(trusted.root, 'hex');
  const proof = consistencyProof(leaves, trusted.size);
  if (
    !merkleRoot(leaves, trusted.size).equals(fromRoot) ||
    !verifyConsistency(
      trusted.size,
      checkpoint.size,
      fromRoot,
      Buffer.from(checkpoint.root, 'hex'),
      proof,
    )
  ) {
    fail(
      `trusted checkpoint ${file}: the first ${trusted.size} events do not give its root ${trusted.root}: the log changed since it was signed`,
    );
  }
  return `consistent with the trusted checkpoint of size ${trusted.size} signed at ${trusted.at}: nothing before it changed`;
}
