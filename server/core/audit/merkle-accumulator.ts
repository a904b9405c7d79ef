/**
 * The tree root computed while streaming the events once (the verifier's pass over the whole log):
 * a compact range of at most log2(n) perfect subtree roots, so memory stays constant. Hashes are
 * kept as one-byte ("latin1") strings and hashed through one scratch buffer: this runs twice per
 * event during verification, and node:crypto's one-shot hash with a string result is several
 * times faster than building a Buffer result per call (measured).
 */
import * as nodeCrypto from 'node:crypto';
import { EMPTY_ROOT, type Hash } from './merkle';

type OneShot = (algorithm: string, data: Uint8Array, encoding: 'latin1') => string;
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;
const sha256Latin1: (data: Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'latin1')
  : (data) => nodeCrypto.createHash('sha256').update(data).digest().toString('latin1');

export class MerkleAccumulator {
  /** stack[i] = root of a perfect subtree; sizes strictly decrease from bottom to top */
  private readonly roots: string[] = [];
  private readonly sizes: number[] = [];
  /** 0x00 || event hash: a buffer of its own, so no subarray is made per leaf */
  private readonly leafInput = Buffer.alloc(33, 0);
  /** 0x01 || left || right */
  private readonly nodeInput = Buffer.alloc(65, 1);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the leaf for an event, given the event's chain hash (64 hex digits). */
  pushEventHash(eventHashHex: string): void {
    // write() stops at the first non-hex digit, so a short count also catches a malformed hash.
    if (eventHashHex.length !== 64 || this.leafInput.write(eventHashHex, 1, 32, 'hex') !== 32) throw new TypeError('an event hash must be 64 hex digits');
    this.pushLeaf(sha256Latin1(this.leafInput));
  }

  private pushLeaf(leaf: string): void {
    let hash = leaf;
    let size = 1;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === size) {
      hash = this.node(this.roots.pop()!, hash);
      this.sizes.pop();
      size *= 2;
    }
    this.roots.push(hash);
    this.sizes.push(size);
    this.count++;
  }

  private node(left: string, right: string): string {
    const s = this.nodeInput;
    s.write(left, 1, 32, 'latin1');
    s.write(right, 33, 32, 'latin1');
    return sha256Latin1(s);
  }

  /** MTH of the leaves pushed so far: the perfect subtrees folded from the right. */
  root(): Hash {
    if (this.roots.length === 0) return EMPTY_ROOT;
    let r = this.roots[this.roots.length - 1]!;
    for (let i = this.roots.length - 2; i >= 0; i--) r = this.node(this.roots[i]!, r);
    return new Uint8Array(Buffer.from(r, 'latin1'));
  }
}
