/**
 * The Merkle tree against an independent implementation: the RFC 9162 definitions written out
 * literally (recursive MTH, PATH, SUBPROOF over arrays) with a different SHA-256 (@noble/hashes),
 * plus the Certificate Transparency reference roots for its 8 test leaves. Then the attacks a
 * verifier must refuse: a different leaf, index or root, a truncated or padded proof, a fork.
 */
import { describe, it, expect } from 'vitest';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import {
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  toHex,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type TreeReader,
} from './merkle';
import { MerkleAccumulator } from './merkle-accumulator';

// ---- the independent implementation (RFC 9162 section 2.1, literally) ----
const H = (...parts: Uint8Array[]) => {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return nobleSha256(all);
};
const refLeaf = (data: Uint8Array) => H(Uint8Array.of(0), data);
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function MTH(D: Uint8Array[]): Uint8Array {
  if (D.length === 0) return H();
  if (D.length === 1) return refLeaf(D[0]!);
  return H(Uint8Array.of(1), MTH(D.slice(0, k(D.length))), MTH(D.slice(k(D.length))));
}
function PATH(m: number, D: Uint8Array[]): Uint8Array[] {
  if (D.length === 1) return [];
  const kk = k(D.length);
  return m < kk ? [...PATH(m, D.slice(0, kk)), MTH(D.slice(kk))] : [...PATH(m - kk, D.slice(kk)), MTH(D.slice(0, kk))];
}
function SUBPROOF(m: number, D: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === D.length) return b ? [] : [MTH(D)];
  const kk = k(D.length);
  return m <= kk ? [...SUBPROOF(m, D.slice(0, kk), b), MTH(D.slice(kk))] : [...SUBPROOF(m - kk, D.slice(kk), false), MTH(D.slice(0, kk))];
}
// ---------------------------------------------------------------------------

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** The 8 leaf inputs of the Certificate Transparency reference tests (merkle_tree_test). */
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(fromHex);
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

/** A reader over in-memory leaf hashes; `stored` optionally serves perfect subtrees (as the database does). */
function reader(leaves: Hash[], withStored = false): TreeReader {
  return {
    leaves: (start, end) => leaves.slice(start, end),
    stored: withStored ? (level, index) => (level >= 2 ? fromHex(hex(MTHofHashes(leaves.slice(index << level, (index + 1) << level)))) : undefined) : undefined,
  };
}
/** MTH over leaf HASHES (the independent way): used to serve stored subtrees in tests. */
function MTHofHashes(hs: Uint8Array[]): Uint8Array {
  if (hs.length === 1) return hs[0]!;
  const kk = k(hs.length);
  return H(Uint8Array.of(1), MTHofHashes(hs.slice(0, kk)), MTHofHashes(hs.slice(kk)));
}

/** n event hashes (as the chain would have them) and their data for the reference implementation. */
function eventHashes(n: number): string[] {
  return Array.from({ length: n }, (_, i) => hex(nobleSha256(new TextEncoder().encode(`event ${i + 1}`))));
}

describe('tree heads', () => {
  it('match the Certificate Transparency reference roots for its 8 test leaves, and the empty tree', () => {
    const leaves = CT_LEAVES.map((d) => fromHex(hex(refLeaf(d))));
    CT_ROOTS.forEach((root, i) => {
      expect(toHex(treeRoot(reader(leaves), i + 1))).toBe(root);
      expect(hex(MTH(CT_LEAVES.slice(0, i + 1)))).toBe(root);
    });
    expect(toHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('leafHash, treeRoot (with and without stored subtrees) and the streaming accumulator agree with MTH for every size to 300', () => {
    const events = eventHashes(300);
    const leaves = events.map(leafHash);
    const acc = new MerkleAccumulator();
    for (let n = 1; n <= 300; n++) {
      acc.pushEventHash(events[n - 1]!);
      const expected = hex(MTH(events.slice(0, n).map(fromHex)));
      if (n % 7 === 0 || n < 20 || n === 256 || n === 257) {
        expect(toHex(treeRoot(reader(leaves), n))).toBe(expected);
        expect(toHex(treeRoot(reader(leaves, true), n))).toBe(expected);
      }
      expect(toHex(acc.root())).toBe(expected);
    }
    expect(() => new MerkleAccumulator().pushEventHash('zz'.repeat(32))).toThrow(TypeError);
  });
});

describe('inclusion proofs', () => {
  it('equal PATH(m, D[n]) and verify, for every leaf of every tree size to 40', () => {
    const events = eventHashes(40);
    const D = events.map(fromHex);
    const leaves = events.map(leafHash);
    for (let n = 1; n <= 40; n++) {
      const root = MTH(D.slice(0, n));
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(reader(leaves, n % 2 === 0), m, n);
        expect(proof.map(hex)).toEqual(PATH(m, D.slice(0, n)).map(hex));
        expect(verifyInclusion(m, n, leaves[m]!, proof, root)).toBe(true);
      }
    }
  });

  it('refuse a different leaf, index, size or root, and a truncated, padded or altered path', () => {
    const events = eventHashes(13);
    const leaves = events.map(leafHash);
    const root = treeRoot(reader(leaves), 13);
    const proof = inclusionProof(reader(leaves), 5, 13);
    expect(verifyInclusion(5, 13, leaves[5]!, proof, root)).toBe(true);
    expect(verifyInclusion(5, 13, leaves[6]!, proof, root)).toBe(false); // a rewritten event
    expect(verifyInclusion(4, 13, leaves[5]!, proof, root)).toBe(false);
    // the size shapes the path: a size with a different shape fails (sizes 12 and 13 share this
    // leaf's path shape, which is why the size comes from the signed checkpoint, never the proof)
    expect(verifyInclusion(5, 7, leaves[5]!, proof, root)).toBe(false);
    expect(verifyInclusion(5, 13, leaves[5]!, proof, treeRoot(reader(leaves), 12))).toBe(false);
    expect(verifyInclusion(5, 13, leaves[5]!, proof.slice(0, -1), root)).toBe(false);
    expect(verifyInclusion(5, 13, leaves[5]!, [...proof, proof[0]!], root)).toBe(false);
    const altered = proof.map((p, i) => (i === 1 ? Uint8Array.from(p, (b, j) => (j === 0 ? b ^ 1 : b)) : p));
    expect(verifyInclusion(5, 13, leaves[5]!, altered, root)).toBe(false);
    expect(verifyInclusion(5, 13, leaves[5]!, [proof[0]!.slice(0, 31), ...proof.slice(1)], root)).toBe(false);
    expect(verifyInclusion(13, 13, leaves[5]!, proof, root)).toBe(false);
    expect(verifyInclusion(-1, 13, leaves[5]!, proof, root)).toBe(false);
    // an interior node presented as a leaf (second preimage) does not verify as a leaf of the bigger tree
    const interior = treeRoot(reader(leaves.slice(0, 2)), 2);
    expect(verifyInclusion(0, 12, interior, inclusionProof(reader(leaves), 0, 13).slice(1), root)).toBe(false);
    expect(() => inclusionProof(reader(leaves), 13, 13)).toThrow(RangeError);
  });
});

describe('consistency proofs', () => {
  it('equal SUBPROOF(m, D[n], true) and verify, for every pair of sizes to 33', () => {
    const events = eventHashes(33);
    const D = events.map(fromHex);
    const leaves = events.map(leafHash);
    for (let n = 1; n <= 33; n++) {
      const newRoot = MTH(D.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(reader(leaves, m % 3 === 0), m, n);
        expect(proof.map(hex)).toEqual(SUBPROOF(m, D.slice(0, n), true).map(hex));
        expect(verifyConsistency(m, n, MTH(D.slice(0, m)), newRoot, proof)).toBe(true);
      }
    }
  });

  it('detect a truncated tail, a rewritten event and a fork', () => {
    const events = eventHashes(20);
    const leaves = events.map(leafHash);
    const oldRoot = treeRoot(reader(leaves), 11);
    // truncation then regrowth: the log lost events 9..11 and grew again to 20 with other events
    const regrown = [...leaves.slice(0, 8), ...eventHashes(32).slice(20).map(leafHash)];
    const regrownRoot = treeRoot(reader(regrown), 20);
    expect(verifyConsistency(11, 20, oldRoot, regrownRoot, consistencyProof(reader(regrown), 11, 20))).toBe(false);
    // a rewritten old event: the same sizes, a different history
    const rewritten = [...leaves];
    rewritten[3] = leafHash(eventHashes(40)[39]!);
    expect(verifyConsistency(11, 20, oldRoot, treeRoot(reader(rewritten), 20), consistencyProof(reader(rewritten), 11, 20))).toBe(false);
    // a fork: two different trees of the same size cannot both be consistent with one old head
    expect(verifyConsistency(11, 11, oldRoot, treeRoot(reader(rewritten), 11), [])).toBe(false);
    // the honest proof still verifies; a shrinking "new" tree never does
    const newRoot = treeRoot(reader(leaves), 20);
    const proof = consistencyProof(reader(leaves), 11, 20);
    expect(verifyConsistency(11, 20, oldRoot, newRoot, proof)).toBe(true);
    expect(verifyConsistency(20, 11, newRoot, oldRoot, proof)).toBe(false);
    expect(verifyConsistency(11, 20, oldRoot, newRoot, proof.slice(1))).toBe(false);
    expect(verifyConsistency(11, 20, oldRoot, newRoot, [...proof, proof[0]!])).toBe(false);
    expect(verifyConsistency(0, 20, oldRoot, newRoot, proof)).toBe(false);
    expect(() => consistencyProof(reader(leaves), 21, 20)).toThrow(RangeError);
  });
});
