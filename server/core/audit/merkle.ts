/**
 * A Merkle tree over the audit events, as RFC 9162 (Certificate Transparency v2, section 2.1)
 * defines it, so an auditor can check one event against a signed tree head (inclusion proof) and
 * check that a newer tree head extends an older one (consistency proof) without replaying the log.
 *
 *   leaf i   = SHA-256(0x00 || event hash of seq i+1)      (the 32 raw bytes of the chain hash)
 *   node     = SHA-256(0x01 || left || right)
 *   MTH({})  = SHA-256("")
 *   MTH(D[n]) splits at k, the largest power of two smaller than n.
 *
 * The event hash already commits to the whole event (docs/audit-log.md), so the leaf is its hash.
 * Proof generation reads hashes through a small port (TreeReader) so the core does no I/O.
 */
import * as nodeCrypto from 'node:crypto';

export type Hash = Uint8Array;

export const HASH_BYTES = 32;

type OneShot = (algorithm: string, data: Uint8Array, encoding: 'hex') => string;
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

/**
 * SHA-256 of the concatenated parts. The one-shot hash with a hex result, decoded, is several
 * times faster than a Hash object for these 33- and 65-byte inputs (measured); proofs hash a few
 * hundred of them.
 */
export function sha256(...parts: readonly Uint8Array[]): Hash {
  const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (oneShot) return new Uint8Array(Buffer.from(oneShot('sha256', data, 'hex'), 'hex'));
  return new Uint8Array(nodeCrypto.createHash('sha256').update(data).digest());
}

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

export const EMPTY_ROOT: Hash = sha256();

export function leafHash(eventHashHex: string): Hash {
  return sha256(LEAF_PREFIX, hexToBytes(eventHashHex));
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return sha256(NODE_PREFIX, left, right);
}

const HEX64 = /^[0-9a-f]{64}$/;

export function hexToBytes(hex: string): Uint8Array {
  if (!HEX64.test(hex)) throw new TypeError('expected 64 lowercase hex digits');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export const toHex = (h: Hash): string => Buffer.from(h).toString('hex');

/** Largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Where the tree's hashes come from. `leaves` returns the leaf hashes of [start, end); `stored`
 * may return a precomputed perfect subtree (2^level leaves starting at index * 2^level), or
 * undefined to have it computed from the leaves.
 */
export interface TreeReader {
  leaves(start: number, end: number): Hash[];
  stored?(level: number, index: number): Hash | undefined;
}

/** Below this many leaves a range is hashed from its leaves in memory (one read). */
const IN_MEMORY_LEAVES = 256;

function rootOfLeaves(leaves: readonly Hash[], start: number, end: number): Hash {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[start]!;
  const k = splitPoint(n);
  return nodeHash(rootOfLeaves(leaves, start, start + k), rootOfLeaves(leaves, start + k, end));
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** MTH(D[start:end]). */
export function subtreeRoot(reader: TreeReader, start: number, end: number): Hash {
  const n = end - start;
  if (n <= 0) return EMPTY_ROOT;
  if (isPowerOfTwo(n) && start % n === 0 && reader.stored) {
    const stored = reader.stored(Math.log2(n), start / n);
    if (stored) return stored;
  }
  if (n <= IN_MEMORY_LEAVES) return rootOfLeaves(reader.leaves(start, end), 0, n);
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(reader, start, start + k), subtreeRoot(reader, start + k, end));
}

export const treeRoot = (reader: TreeReader, size: number): Hash => subtreeRoot(reader, 0, size);

export type ProofCode = 'PROOF_OUT_OF_RANGE';
export class ProofRangeError extends RangeError {
  readonly code: ProofCode = 'PROOF_OUT_OF_RANGE';
}

/** RFC 9162 2.1.3.1: PATH(m, D[n]), the audit path for leaf index m in a tree of n leaves. */
export function inclusionProof(reader: TreeReader, index: number, size: number): Hash[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new ProofRangeError(`leaf index ${index} is not in a tree of size ${size}`);
  }
  const path: Hash[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(subtreeRoot(reader, start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(subtreeRoot(reader, start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** RFC 9162 2.1.4.1: PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export function consistencyProof(reader: TreeReader, oldSize: number, newSize: number): Hash[] {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 1 || oldSize > newSize) {
    throw new ProofRangeError(`no consistency proof from size ${oldSize} to size ${newSize}`);
  }
  const proof: Hash[] = [];
  const sub = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!whole) proof.push(subtreeRoot(reader, start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, whole);
      proof.push(subtreeRoot(reader, start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(subtreeRoot(reader, start, start + k));
    }
  };
  if (oldSize < newSize) sub(oldSize, 0, newSize, true);
  return proof;
}

const equal = (a: Hash, b: Hash) => a.length === b.length && Buffer.compare(a, b) === 0;

/** RFC 9162 2.1.3.2: true when `proof` shows leaf `leaf` at `index` in the tree of `size` with `root`. */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (proof.some((p) => p.length !== HASH_BYTES)) return false;
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
  return sn === 0 && equal(r, root);
}

/** RFC 9162 2.1.4.2: true when `proof` shows the tree (oldSize, oldRoot) is a prefix of (newSize, newRoot). */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Hash, newRoot: Hash, proof: readonly Hash[]): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 1 || oldSize > newSize) return false;
  if (proof.some((p) => p.length !== HASH_BYTES)) return false;
  if (oldSize === newSize) return proof.length === 0 && equal(oldRoot, newRoot);
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
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
  return sn === 0 && equal(fr, oldRoot) && equal(sr, newRoot);
}
