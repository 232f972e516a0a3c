import fc from 'fast-check';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from './merkle-tree';

// The eight leaves of the Certificate Transparency reference tests (RFC 6962 implementations).
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => leafHash(Buffer.from(hex, 'hex')));

const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const hex = (hashes: readonly Hash[]): string[] => hashes.map((h) => h.toString('hex'));
const h = (s: string): Hash => Buffer.from(s, 'hex');

const leavesArb = (min: number) =>
  fc
    .array(fc.uint8Array({ maxLength: 8 }), { minLength: min, maxLength: 70 })
    .map((data) => data.map((d) => leafHash(d)));

describe('merkle-tree (RFC 6962)', () => {
  describe('when given the Certificate Transparency test vectors', () => {
    it('computes the root of the empty tree as SHA-256 of nothing', () => {
      expect(merkleRoot([]).toString('hex')).toBe(
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      );
    });
    it('computes the root of every prefix', () => {
      expect(CT_ROOTS.map((_, i) => merkleRoot(CT_LEAVES, i + 1).toString('hex'))).toEqual(
        CT_ROOTS,
      );
    });
    it('gives the reference inclusion paths', () => {
      expect(hex(inclusionProof(CT_LEAVES, 0, 8))).toEqual([
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ]);
      expect(hex(inclusionProof(CT_LEAVES, 5, 8))).toEqual([
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ]);
      expect(hex(inclusionProof(CT_LEAVES, 2, 3))).toEqual([
        'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      ]);
      expect(hex(inclusionProof(CT_LEAVES, 1, 5))).toEqual([
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ]);
    });
    it('gives the reference consistency proofs', () => {
      expect(hex(consistencyProof(CT_LEAVES, 1, 1))).toEqual([]);
      expect(hex(consistencyProof(CT_LEAVES, 1, 8))).toEqual([
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ]);
      expect(hex(consistencyProof(CT_LEAVES, 6, 8))).toEqual([
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ]);
      expect(hex(consistencyProof(CT_LEAVES, 2, 5))).toEqual([
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ]);
    });
    it('verifies the reference proofs and refuses them against another root', () => {
      const root8 = h(CT_ROOTS[7] ?? '');
      const leaf = CT_LEAVES[5] ?? Buffer.alloc(32);
      expect(verifyInclusion(5, 8, leaf, inclusionProof(CT_LEAVES, 5, 8), root8)).toBe(true);
      expect(
        verifyInclusion(5, 8, leaf, inclusionProof(CT_LEAVES, 5, 8), h(CT_ROOTS[6] ?? '')),
      ).toBe(false);
      const root6 = h(CT_ROOTS[5] ?? '');
      expect(verifyConsistency(6, 8, root6, root8, consistencyProof(CT_LEAVES, 6, 8))).toBe(true);
      expect(verifyConsistency(6, 8, root8, root6, consistencyProof(CT_LEAVES, 6, 8))).toBe(false);
    });
  });

  describe('when proofs are built over any tree', () => {
    it('verifies every inclusion proof', () => {
      fc.assert(
        fc.property(
          leavesArb(1).chain((leaves) =>
            fc.tuple(fc.constant(leaves), fc.integer({ min: 0, max: leaves.length - 1 })),
          ),
          ([leaves, index]) => {
            const root = merkleRoot(leaves);
            const leaf = leaves[index] ?? Buffer.alloc(32);
            expect(
              verifyInclusion(index, leaves.length, leaf, inclusionProof(leaves, index), root),
            ).toBe(true);
          },
        ),
      );
    });
    it('verifies every consistency proof between sizes m ≤ n', () => {
      fc.assert(
        fc.property(
          leavesArb(1).chain((leaves) =>
            fc
              .tuple(
                fc.integer({ min: 1, max: leaves.length }),
                fc.integer({ min: 1, max: leaves.length }),
              )
              .map(([a, b]) => [leaves, Math.min(a, b), Math.max(a, b)] as const),
          ),
          ([leaves, m, n]) => {
            const proof = consistencyProof(leaves, m, n);
            expect(
              verifyConsistency(m, n, merkleRoot(leaves, m), merkleRoot(leaves, n), proof),
            ).toBe(true);
          },
        ),
      );
    });
    it('refuses an inclusion proof once any leaf of the tree is flipped', () => {
      fc.assert(
        fc.property(
          leavesArb(2).chain((leaves) =>
            fc.tuple(
              fc.constant(leaves),
              fc.integer({ min: 0, max: leaves.length - 1 }),
              fc.integer({ min: 0, max: leaves.length - 1 }),
              fc.integer({ min: 0, max: 255 }),
            ),
          ),
          ([leaves, index, flipped, bit]) => {
            const root = merkleRoot(leaves);
            const tampered = leaves.map((l, i) => {
              if (i !== flipped) return l;
              const copy = Buffer.from(l);
              copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
              return copy;
            });
            const leaf = tampered[index] ?? Buffer.alloc(32);
            expect(
              verifyInclusion(index, leaves.length, leaf, inclusionProof(tampered, index), root),
            ).toBe(false);
          },
        ),
      );
    });
    it('refuses a consistency proof when an old leaf changed', () => {
      fc.assert(
        fc.property(
          leavesArb(2).chain((leaves) =>
            fc.tuple(fc.constant(leaves), fc.integer({ min: 1, max: leaves.length - 1 }), fc.nat()),
          ),
          ([leaves, m, at]) => {
            const changed = at % m;
            const rewritten = leaves.map((l, i) => (i === changed ? leafHash(l) : l));
            const proof = consistencyProof(rewritten, m, leaves.length);
            expect(
              verifyConsistency(
                m,
                leaves.length,
                merkleRoot(leaves, m),
                merkleRoot(rewritten),
                proof,
              ),
            ).toBe(false);
          },
        ),
      );
    });
    it('refuses an inclusion proof for another index, or with a hash too many', () => {
      fc.assert(
        fc.property(
          leavesArb(2).chain((leaves) =>
            fc.tuple(fc.constant(leaves), fc.integer({ min: 0, max: leaves.length - 1 })),
          ),
          ([leaves, index]) => {
            const root = merkleRoot(leaves);
            const proof = inclusionProof(leaves, index);
            const other = (index + 1) % leaves.length;
            const leaf = leaves[index] ?? Buffer.alloc(32);
            if (!leaf.equals(leaves[other] ?? Buffer.alloc(0))) {
              expect(verifyInclusion(other, leaves.length, leaf, proof, root)).toBe(false);
            }
            // A longer path than the size allows never verifies.
            expect(verifyInclusion(index, leaves.length, leaf, [...proof, root], root)).toBe(false);
          },
        ),
      );
    });
  });
});
