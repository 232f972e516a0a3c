import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  eventLeafHash,
  jsonbText,
  recordedAtFromMicros,
  type LedgerEvent,
} from '../ledger/canonical-event';
import { consistencyProof, inclusionProof, merkleRoot, type Hash } from '../ledger/merkle-tree';
import {
  keyFingerprint,
  publicKeyPem,
  signCheckpoint,
  type SignedCheckpoint,
} from '../ledger/signed-checkpoint';
import { formatPosition, isPosition, parsePosition, START_POSITION } from '../positions';

export type CheckpointReason = 'requested' | 'cycle-closed';

export interface StoredCheckpoint extends SignedCheckpoint {
  /** Order of the checkpoints (the cursor of a listing). */
  readonly seq: string;
  readonly reason: CheckpointReason;
}

export interface InclusionProof {
  readonly position: string;
  readonly leafHash: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly hashes: readonly string[];
  readonly checkpoint: StoredCheckpoint;
}

export interface ConsistencyProof {
  readonly from: StoredCheckpoint;
  readonly to: StoredCheckpoint;
  readonly hashes: readonly string[];
}

/** Why a proof cannot be given; the API maps each to its coded error. */
export class LedgerProofUnavailable extends Error {
  constructor(
    readonly reason: 'no-checkpoint' | 'not-in-log' | 'no-checkpoint-of-size',
    message: string,
  ) {
    super(message);
    this.name = 'LedgerProofUnavailable';
  }
}

/** The log does not give the root a stored checkpoint signed: it changed after signing. */
export class LedgerCheckpointMismatch extends Error {
  constructor(readonly checkpoint: StoredCheckpoint) {
    super(
      `The log of ${checkpoint.organisation} no longer gives the root signed at size ${checkpoint.size} (${checkpoint.at}): events were changed, removed or reordered`,
    );
    this.name = 'LedgerCheckpointMismatch';
  }
}

interface LedgerRow {
  tx: string;
  pos: string;
  id: string;
  stream_name: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: unknown;
  data_text: string;
  metadata_text: string;
  recorded_us: string;
  hash: string;
}

interface CheckpointRow {
  seq: string;
  tenant_id: string;
  size: string;
  root: string;
  position: string;
  signed_at: string;
  signature: string;
  key_fingerprint: string;
  reason: CheckpointReason;
}

// ORDER BY must name the table's seq: the bare name would sort this text column.
const CHECKPOINT_COLUMNS = `seq::text, tenant_id, size::text, root, position, signed_at, signature,
  key_fingerprint, reason`;

/**
 * The verifiable ledger on the PostgreSQL store: each organisation's events, in log order,
 * are the leaves of an RFC 6962 Merkle tree. Only events below the snapshot's xmin count
 * (as for catch-up reads): no transaction still running can put an event before them, so a
 * tree of n leaves never changes once seen and appends are not serialised for it.
 */
export class PostgresLedger {
  private readonly clock: () => Date;
  readonly publicKey: KeyObject;

  constructor(
    private readonly pool: Pool,
    private readonly signingKey: KeyObject,
    options: { clock?: () => Date } = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.publicKey = createPublicKey(signingKey);
  }

  get publicKeyPem(): string {
    return publicKeyPem(this.publicKey);
  }

  get fingerprint(): string {
    return keyFingerprint(this.publicKey);
  }

  /** Whether a checkpoint taken now includes the event at `position` (it is below the horizon). */
  async readable(position: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ readable: boolean }>(
      `SELECT $1::xid8 < pg_snapshot_xmin(pg_current_snapshot()) AS readable`,
      [position.slice(0, 20).replace(/^0+(?=\d)/, '')],
    );
    return rows[0]?.readable === true;
  }

  /** The organisation's events in log order: all readable ones, or the first `size`. */
  async events(tenantId: string, size?: number): Promise<LedgerEvent[]> {
    return this.readEvents(this.pool, tenantId, START_POSITION, size);
  }

  /** Readable events after `after` in log order (at most `limit`). */
  private async readEvents(
    db: Pool | PoolClient,
    tenantId: string,
    after: string,
    limit?: number,
  ): Promise<LedgerEvent[]> {
    const { major, minor } = parsePosition(after);
    const { rows } = await db.query<LedgerRow>(
      `SELECT e.transaction_id::text AS tx, e.global_position::text AS pos, e.event_id::text AS id,
              e.stream_name, e.revision::text AS revision, e.type, e.data, e.metadata,
              e.data::text AS data_text, e.metadata::text AS metadata_text,
              (extract(epoch FROM e.recorded_at) * 1000000)::bigint::text AS recorded_us,
              encode(e.hash, 'hex') AS hash
         FROM event_store.events e
        WHERE e.tenant_id = $1 AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          AND (e.transaction_id, e.global_position) > ($2::xid8, $3::bigint)
        ORDER BY e.transaction_id, e.global_position
        LIMIT $4`,
      [tenantId, major.toString(), minor.toString(), limit ?? null],
    );
    return rows.map(toLedgerEvent);
  }

  /** The kept leaf hashes of the organisation's tree, the first `size` (all by default). */
  private async keptLeaves(
    db: Pool | PoolClient,
    tenantId: string,
    size?: number,
  ): Promise<{ hashes: Hash[]; positions: string[] }> {
    const { rows } = await db.query<{ leaf_hash: Buffer; position: string }>(
      `SELECT leaf_hash, position FROM event_store.ledger_leaves
        WHERE tenant_id = $1 AND ($2::bigint IS NULL OR leaf_index < $2::bigint)
        ORDER BY leaf_index`,
      [tenantId, size ?? null],
    );
    return { hashes: rows.map((r) => r.leaf_hash), positions: rows.map((r) => r.position) };
  }

  /** Leaf hashes recomputed from the events themselves (not the kept ones). */
  async leaves(tenantId: string, size?: number): Promise<Hash[]> {
    return (await this.events(tenantId, size)).map(eventLeafHash);
  }

  /**
   * A checkpoint that includes the event at `position` (e.g. a cycle's close): the latest one
   * when it already does (a retried close), else a new one once the event is below the horizon.
   * Null when it is not readable within `timeoutMs` (a transaction older than it still runs).
   */
  async checkpointIncluding(
    tenantId: string,
    position: string,
    reason: CheckpointReason,
    timeoutMs: number,
  ): Promise<StoredCheckpoint | null> {
    const latest = await this.latestCheckpoint(tenantId);
    if (latest && latest.position >= position) return latest;
    const deadline = Date.now() + timeoutMs;
    while (!(await this.readable(position))) {
      if (Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.takeCheckpoint(tenantId, reason);
  }

  /**
   * Signs the organisation's tree as it is now and keeps the checkpoint. Only checkpoints of
   * the same organisation wait for each other (an advisory lock); appends never do.
   */
  async takeCheckpoint(
    tenantId: string,
    reason: CheckpointReason = 'requested',
  ): Promise<StoredCheckpoint> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('okr-ledger:' || $1, 0))`, [
        tenantId,
      ]);
      const kept = await this.keptLeaves(client, tenantId);
      const last = kept.positions[kept.positions.length - 1] ?? START_POSITION;
      // Everything below the horizon after the last kept leaf: the next leaves, in order.
      const fresh = await this.readEvents(client, tenantId, last);
      const freshHashes = fresh.map(eventLeafHash);
      if (fresh.length > 0) {
        await client.query(
          `INSERT INTO event_store.ledger_leaves
             (tenant_id, leaf_index, position, leaf_hash, stream_name, revision)
           SELECT $1, $2::bigint + i.ord - 1, i.position, i.hash, i.stream, i.revision
             FROM unnest($3::text[], $4::bytea[], $5::text[], $6::bigint[])
                  WITH ORDINALITY AS i(position, hash, stream, revision, ord)`,
          [
            tenantId,
            kept.hashes.length,
            fresh.map((e) => e.position),
            freshHashes,
            fresh.map((e) => e.stream),
            fresh.map((e) => e.revision),
          ],
        );
      }
      const leaves = [...kept.hashes, ...freshHashes];
      const signed = signCheckpoint(
        {
          organisation: tenantId,
          size: leaves.length,
          root: merkleRoot(leaves).toString('hex'),
          position: fresh[fresh.length - 1]?.position ?? last,
          at: this.clock().toISOString(),
        },
        this.signingKey,
      );
      const { rows } = await client.query<CheckpointRow>(
        `INSERT INTO event_store.ledger_checkpoints
           (tenant_id, size, root, position, signed_at, signature, key_fingerprint, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${CHECKPOINT_COLUMNS}`,
        [
          tenantId,
          signed.size,
          signed.root,
          signed.position,
          signed.at,
          signed.signature,
          signed.keyFingerprint,
          reason,
        ],
      );
      await client.query('COMMIT');
      return toCheckpoint(rows[0] as CheckpointRow);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Newest first; `after` is the `seq` of the last one of the previous page. */
  async checkpoints(
    tenantId: string,
    page: { first: number; after?: string },
  ): Promise<{ items: StoredCheckpoint[]; hasNextPage: boolean; totalCount: number }> {
    const after = page.after && /^\d{1,18}$/.test(page.after) ? page.after : null;
    const { rows } = await this.pool.query<CheckpointRow & { total: string }>(
      `SELECT ${CHECKPOINT_COLUMNS},
              (SELECT count(*) FROM event_store.ledger_checkpoints t WHERE t.tenant_id = $1)::text AS total
         FROM event_store.ledger_checkpoints
        WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
        ORDER BY event_store.ledger_checkpoints.seq DESC LIMIT $3`,
      [tenantId, after, page.first + 1],
    );
    let totalCount = Number(rows[0]?.total ?? 0);
    if (rows.length === 0 && after !== null) {
      const { rows: count } = await this.pool.query<{ total: string }>(
        `SELECT count(*)::text AS total FROM event_store.ledger_checkpoints WHERE tenant_id = $1`,
        [tenantId],
      );
      totalCount = Number(count[0]?.total ?? 0);
    }
    return {
      items: rows.slice(0, page.first).map(toCheckpoint),
      hasNextPage: rows.length > page.first,
      totalCount,
    };
  }

  async latestCheckpoint(tenantId: string): Promise<StoredCheckpoint | null> {
    const { items } = await this.checkpoints(tenantId, { first: 1 });
    return items[0] ?? null;
  }

  async checkpointOfSize(tenantId: string, size: number): Promise<StoredCheckpoint | null> {
    const { rows } = await this.pool.query<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM event_store.ledger_checkpoints
        WHERE tenant_id = $1 AND size = $2 ORDER BY event_store.ledger_checkpoints.seq DESC LIMIT 1`,
      [tenantId, size],
    );
    return rows[0] ? toCheckpoint(rows[0]) : null;
  }

  /**
   * The first of `events` (the organisation's, in log order from the start) whose leaf is not
   * the one kept when a checkpoint signed it: changed, removed or reordered since. Null when
   * every one matches.
   */
  async firstChangedSinceSigned(
    tenantId: string,
    events: readonly LedgerEvent[],
  ): Promise<{ index: number; signedPosition: string; event: LedgerEvent | null } | null> {
    const kept = await this.keptLeaves(this.pool, tenantId);
    for (let i = 0; i < kept.hashes.length; i++) {
      const event = events[i];
      if (
        !event ||
        event.position !== kept.positions[i] ||
        !eventLeafHash(event).equals(kept.hashes[i] ?? Buffer.alloc(0))
      ) {
        return { index: i, signedPosition: kept.positions[i] ?? '', event: event ?? null };
      }
    }
    return null;
  }

  /** Whether the log still gives the root the checkpoint signed. */
  async holds(checkpoint: StoredCheckpoint): Promise<boolean> {
    const leaves = await this.leaves(checkpoint.organisation, checkpoint.size);
    return (
      leaves.length === checkpoint.size && merkleRoot(leaves).toString('hex') === checkpoint.root
    );
  }

  /** That the event at `position` is leaf `leafIndex` of the latest checkpoint's tree. */
  async inclusionProof(tenantId: string, position: string): Promise<InclusionProof> {
    const checkpoint = await this.latestCheckpoint(tenantId);
    if (!checkpoint || !isPosition(position) || position > checkpoint.position) {
      throw new LedgerProofUnavailable(
        'no-checkpoint',
        `No signed checkpoint of your organisation covers position ${position} yet: take one with takeLedgerCheckpoint`,
      );
    }
    const { hashes: leaves, positions } = await this.keptLeaves(
      this.pool,
      tenantId,
      checkpoint.size,
    );
    if (leaves.length !== checkpoint.size || !merkleRoot(leaves).equals(hex(checkpoint.root))) {
      throw new LedgerCheckpointMismatch(checkpoint);
    }
    const index = positions.indexOf(position);
    const leaf = leaves[index];
    if (index < 0 || !leaf) {
      throw new LedgerProofUnavailable(
        'not-in-log',
        `No event of your organisation is at position ${position}`,
      );
    }
    // The event as it is now must still give the leaf that was signed.
    const [now] = await this.readEvents(
      this.pool,
      tenantId,
      positions[index - 1] ?? START_POSITION,
      1,
    );
    if (!now || now.position !== position || !eventLeafHash(now).equals(leaf)) {
      throw new LedgerCheckpointMismatch(checkpoint);
    }
    return {
      position,
      leafHash: leaf.toString('hex'),
      leafIndex: index,
      treeSize: checkpoint.size,
      hashes: inclusionProof(leaves, index).map((h) => h.toString('hex')),
      checkpoint,
    };
  }

  /** That the checkpoint of `fromSize` leaves is a prefix of the one of `toSize`. */
  async consistencyProof(
    tenantId: string,
    fromSize: number,
    toSize: number,
  ): Promise<ConsistencyProof> {
    const [from, to] = await Promise.all([
      this.checkpointOfSize(tenantId, fromSize),
      this.checkpointOfSize(tenantId, toSize),
    ]);
    for (const [size, found] of [
      [fromSize, from],
      [toSize, to],
    ] as const) {
      if (!found) {
        throw new LedgerProofUnavailable(
          'no-checkpoint-of-size',
          `Your organisation has no signed checkpoint of size ${size}`,
        );
      }
    }
    if (!from || !to) throw new Error('unreachable');
    const { hashes: leaves } = await this.keptLeaves(this.pool, tenantId, toSize);
    if (leaves.length !== toSize || !merkleRoot(leaves).equals(hex(to.root))) {
      throw new LedgerCheckpointMismatch(to);
    }
    return {
      from,
      to,
      hashes: consistencyProof(leaves, fromSize, toSize).map((h) => h.toString('hex')),
    };
  }
}

function hex(text: string): Buffer {
  return Buffer.from(text, 'hex');
}

function toLedgerEvent(row: LedgerRow): LedgerEvent {
  const event: LedgerEvent = {
    position: formatPosition(row.tx, row.pos),
    id: row.id,
    stream: row.stream_name,
    revision: Number(row.revision),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: recordedAtFromMicros(BigInt(row.recorded_us)),
    hash: row.hash,
  };
  // The chain hashes PostgreSQL's text; keep it where our rendering of the values differs.
  if (jsonbText(row.data) !== row.data_text || jsonbText(row.metadata) !== row.metadata_text) {
    return { ...event, jsonb: { data: row.data_text, metadata: row.metadata_text } };
  }
  return event;
}

function toCheckpoint(row: CheckpointRow): StoredCheckpoint {
  return {
    seq: row.seq,
    organisation: row.tenant_id,
    size: Number(row.size),
    root: row.root,
    position: row.position,
    at: row.signed_at,
    signature: row.signature,
    keyFingerprint: row.key_fingerprint,
    reason: row.reason,
  };
}
