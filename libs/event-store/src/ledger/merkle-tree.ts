import { createHash } from 'node:crypto';

/**
 * RFC 6962 (Certificate Transparency) Merkle tree hashing and proofs, pure: the server and the
 * offline verifier compute and check trees with these functions only. Hashes are 32-byte
 * Buffers; the leaves are given as their leaf hashes.
 */
export type Hash = Buffer;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function leafHash(leaf: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two smaller than n (n > 1): RFC 6962's split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function at(leaves: readonly Hash[], index: number): Hash {
  const leaf = leaves[index];
  if (!leaf) throw new RangeError(`no leaf ${index}`);
  return leaf;
}

/** MTH(D[from:to]). */
function subtreeRoot(leaves: readonly Hash[], from: number, to: number): Hash {
  const n = to - from;
  if (n === 1) return at(leaves, from);
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, from, from + k), subtreeRoot(leaves, from + k, to));
}

/** The Merkle tree hash of the first `size` leaves (all by default); SHA-256('') when empty. */
export function merkleRoot(leaves: readonly Hash[], size = leaves.length): Hash {
  checkSize(leaves, size);
  if (size === 0) return createHash('sha256').digest();
  return subtreeRoot(leaves, 0, size);
}

function checkSize(leaves: readonly Hash[], size: number): void {
  if (!Number.isInteger(size) || size < 0 || size > leaves.length) {
    throw new RangeError(`tree size ${size} outside 0..${leaves.length}`);
  }
}

/** PATH(m, D[size]): the sibling hashes from leaf `index` up to the root, nearest first. */
export function inclusionProof(
  leaves: readonly Hash[],
  index: number,
  size = leaves.length,
): Hash[] {
  checkSize(leaves, size);
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} outside a tree of ${size}`);
  }
  const path = (m: number, from: number, to: number): Hash[] => {
    const n = to - from;
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k
      ? [...path(m, from, from + k), subtreeRoot(leaves, from + k, to)]
      : [...path(m - k, from + k, to), subtreeRoot(leaves, from, from + k)];
  };
  return path(index, 0, size);
}

/** PROOF(m, D[n]): that the tree of `fromSize` leaves is a prefix of the one of `toSize`. */
export function consistencyProof(
  leaves: readonly Hash[],
  fromSize: number,
  toSize = leaves.length,
): Hash[] {
  checkSize(leaves, toSize);
  if (!Number.isInteger(fromSize) || fromSize < 1 || fromSize > toSize) {
    throw new RangeError(`consistency from ${fromSize} to ${toSize}: need 1 ≤ from ≤ to`);
  }
  const subproof = (m: number, from: number, to: number, complete: boolean): Hash[] => {
    const n = to - from;
    if (m === n) return complete ? [] : [subtreeRoot(leaves, from, to)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, from, from + k, complete), subtreeRoot(leaves, from + k, to)]
      : [...subproof(m - k, from + k, to, false), subtreeRoot(leaves, from, from + k)];
  };
  return subproof(fromSize, 0, toSize, true);
}

/** RFC 9162 §2.1.3.2: whether `proof` proves `leaf` at `index` in the tree of `size` with `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) {
    return false;
  }
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: whether `proof` shows the tree (fromSize, fromRoot) is a prefix of (toSize, toRoot). */
export function verifyConsistency(
  fromSize: number,
  toSize: number,
  fromRoot: Hash,
  toRoot: Hash,
  proof: readonly Hash[],
): boolean {
  if (!Number.isInteger(fromSize) || !Number.isInteger(toSize)) return false;
  if (fromSize < 1 || fromSize > toSize) return false;
  if (fromSize === toSize) return proof.length === 0 && fromRoot.equals(toRoot);
  // A first tree that is a complete left subtree is its own first proof node.
  const path = isPowerOfTwo(fromSize) ? [fromRoot, ...proof] : [...proof];
  const [first, ...rest] = path;
  if (!first) return false;
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(fromRoot) && sr.equals(toRoot);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}
