/**
 * The Merkle tree of the audit log over SQLite: event hashes come from audit_events, and perfect
 * subtrees of 256 events and up are stored in audit_tree_nodes as they complete, so a tree head
 * or a proof at a million events reads about 30 stored nodes and fewer than 256 event hashes.
 * Stored nodes are derived data: `audit verify` recomputes the whole tree from the events and
 * compares it with every signed tree head, so a tampered node is caught, not trusted.
 */
import type Database from 'better-sqlite3';
import { EMPTY_ROOT, consistencyProof, inclusionProof, leafHash, nodeHash, subtreeRoot, type Hash, type TreeReader } from '../core/audit/merkle';
import { MerkleAccumulator } from '../core/audit/merkle-accumulator';

/** Subtrees of 2^STORED_LEVEL events and larger are stored. */
export const STORED_LEVEL = 8;
const TILE = 2 ** STORED_LEVEL;

export class TreeGapError extends Error {
  readonly code = 'TREE_INCOMPLETE';
}

export class AuditTree {
  private readonly stmt;

  constructor(sqlite: Database.Database) {
    this.stmt = {
      hashes: sqlite.prepare<[number, number], string>('SELECT hash FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq').pluck(),
      node: sqlite.prepare<[number, number], Buffer>('SELECT hash FROM audit_tree_nodes WHERE level = ? AND idx = ?').pluck(),
      tiles: sqlite.prepare<[number], number>('SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_tree_nodes WHERE level = ?').pluck(),
      insert: sqlite.prepare('INSERT INTO audit_tree_nodes (level, idx, hash) VALUES (?, ?, ?)'),
    };
  }

  /** Event hashes of leaves [start, end), refusing a log with holes (no proof can be made over one). */
  private eventHashes(start: number, end: number): string[] {
    const hashes = this.stmt.hashes.all(start, end);
    if (hashes.length !== end - start) throw new TreeGapError(`the log is missing events between seq ${start + 1} and ${end}`);
    return hashes;
  }

  /** Leaf hashes of whole tiles, kept only during one proof (its siblings inside a tile share one read). */
  private tileCache: Map<number, Hash[]> | undefined;

  private cachedLeaves(start: number, end: number): Hash[] {
    const tile = Math.floor(start / TILE);
    if (!this.tileCache || Math.floor((end - 1) / TILE) !== tile) return this.eventHashes(start, end).map(leafHash);
    let leaves = this.tileCache.get(tile);
    if (!leaves) {
      leaves = this.eventHashes(tile * TILE, Math.min((tile + 1) * TILE, this.cacheLimit)).map(leafHash);
      this.tileCache.set(tile, leaves);
    }
    return leaves.slice(start - tile * TILE, end - tile * TILE);
  }

  private cacheLimit = 0;

  private withTileCache<T>(size: number, fn: () => T): T {
    this.tileCache = new Map();
    this.cacheLimit = size;
    try {
      return fn();
    } finally {
      this.tileCache = undefined;
    }
  }

  readonly reader: TreeReader = {
    leaves: (start, end) => this.cachedLeaves(start, end),
    stored: (level, index) => {
      if (level < STORED_LEVEL) return undefined;
      const hash = this.stmt.node.get(level, index);
      return hash ? new Uint8Array(hash) : undefined;
    },
  };

  /**
   * Stores every perfect subtree of 256+ events that the first `size` events complete. Must run
   * inside the caller's write transaction (the checkpoint's), so nodes and events agree.
   */
  extendTo(size: number): void {
    const complete = Math.floor(size / TILE);
    for (let tile = this.stmt.tiles.get(STORED_LEVEL) ?? 0; tile < complete; tile++) {
      const acc = new MerkleAccumulator();
      for (const hash of this.eventHashes(tile * TILE, (tile + 1) * TILE)) acc.pushEventHash(hash);
      let hash: Hash = acc.root();
      let level = STORED_LEVEL;
      let index = tile;
      this.stmt.insert.run(level, index, Buffer.from(hash));
      // A right child completes its parent: climb while we are one.
      while (index % 2 === 1) {
        const left = this.stmt.node.get(level, index - 1);
        if (!left) throw new TreeGapError(`stored subtree ${level}/${index - 1} is missing`);
        hash = nodeHash(new Uint8Array(left), hash);
        level++;
        index = (index - 1) / 2;
        this.stmt.insert.run(level, index, Buffer.from(hash));
      }
    }
  }

  /**
   * MTH of the first `size` events: the perfect subtrees named by the bits of `size`, largest
   * first, folded from the right. Those of 256+ events are stored; the tail is hashed here.
   */
  root(size: number): Hash {
    if (size === 0) return EMPTY_ROOT;
    const parts: Hash[] = [];
    let offset = 0;
    for (let level = Math.floor(Math.log2(size)); level >= STORED_LEVEL; level--) {
      const span = 2 ** level;
      if (Math.floor(size / span) % 2 === 0) continue;
      parts.push(this.reader.stored!(level, offset / span) ?? subtreeRoot(this.reader, offset, offset + span));
      offset += span;
    }
    if (offset < size) {
      const tail = new MerkleAccumulator();
      for (const hash of this.eventHashes(offset, size)) tail.pushEventHash(hash);
      parts.push(tail.root());
    }
    let root = parts.pop()!;
    while (parts.length > 0) root = nodeHash(parts.pop()!, root);
    return root;
  }

  inclusion(index: number, size: number): Hash[] {
    return this.withTileCache(size, () => inclusionProof(this.reader, index, size));
  }

  consistency(oldSize: number, newSize: number): Hash[] {
    return this.withTileCache(newSize, () => consistencyProof(this.reader, oldSize, newSize));
  }
}
