import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** What a checkpoint states: the organisation's log had `size` events with this Merkle `root`. */
export interface CheckpointBody {
  readonly organisation: string;
  readonly size: number;
  /** Merkle tree hash (hex) of the first `size` events of the organisation, in log order. */
  readonly root: string;
  /** The position of the last of them (all zeros for an empty log). */
  readonly position: string;
  /** When it was signed, ISO 8601 UTC. */
  readonly at: string;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** Ed25519 signature (base64) of `checkpointText`. */
  readonly signature: string;
  /** SHA-256 (hex) of the public key's DER (SPKI). */
  readonly keyFingerprint: string;
}

/**
 * The signed text, one field a line after a fixed first line (after C2SP's signed notes):
 * plain enough to check by hand with any Ed25519 tool.
 */
export function checkpointText(body: CheckpointBody): string {
  for (const [name, value] of Object.entries({
    organisation: body.organisation,
    position: body.position,
    at: body.at,
  })) {
    if (/[\n\r]/.test(value)) throw new TypeError(`checkpoint ${name} holds a line break`);
  }
  return [
    'okr-ledger checkpoint v1',
    body.organisation,
    String(body.size),
    body.root,
    body.position,
    body.at,
    '',
  ].join('\n');
}

export function keyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function signCheckpoint(body: CheckpointBody, privateKey: KeyObject): SignedCheckpoint {
  const publicKey = createPublicKey(privateKey);
  const signature = sign(null, Buffer.from(checkpointText(body), 'utf8'), privateKey);
  return {
    organisation: body.organisation,
    size: body.size,
    root: body.root,
    position: body.position,
    at: body.at,
    signature: signature.toString('base64'),
    keyFingerprint: keyFingerprint(publicKey),
  };
}

/** Why a checkpoint does not verify under `publicKey`, or null when it does. */
export function checkpointProblem(
  checkpoint: SignedCheckpoint,
  publicKey: KeyObject,
): string | null {
  if (checkpoint.keyFingerprint !== keyFingerprint(publicKey)) {
    return 'keyFingerprint is not the fingerprint of the public key';
  }
  let valid: boolean;
  try {
    valid = verify(
      null,
      Buffer.from(checkpointText(checkpoint), 'utf8'),
      publicKey,
      Buffer.from(checkpoint.signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  return valid ? null : 'signature does not verify with the public key';
}
