/** The stored tree: nodes written as subtrees complete, roots and proofs agreeing with the pure core. */
import { describe, it, expect, afterEach } from 'vitest';
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { AuditLog } from './audit-log';
import { STORED_LEVEL } from './audit-tree';
import { leafHash, toHex, treeRoot, verifyConsistency, verifyInclusion, type TreeReader } from '../core/audit/merkle';
import { testEd25519Key } from '../core/audit/test-support';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function logWith(n: number) {
  const handle = openMemoryDatabase();
  handles.push(handle);
  const log = new AuditLog(handle.sqlite, { serverKey: testEd25519Key(), checkpointEvery: 1000 });
  for (let done = 0; done < n; done += 5000) {
    log.appendMany(Array.from({ length: Math.min(5000, n - done) }, (_, i) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:${done + i}`, payload: { i: done + i } })));
  }
  const hashes = handle.sqlite.prepare('SELECT hash FROM audit_events ORDER BY seq').pluck().all() as string[];
  /** The pure core over every leaf in memory, nothing stored: the reference. */
  const plain: TreeReader = { leaves: (s, e) => hashes.slice(s, e).map(leafHash) };
  return { log, sqlite: handle.sqlite, plain };
}

describe('AuditTree', () => {
  it('stores each completed subtree of 256+ events once, and its roots equal the pure tree for awkward sizes', () => {
    const { log, sqlite, plain } = logWith(5_000);
    log.checkpoint();
    const levels = sqlite.prepare('SELECT level, COUNT(*) AS n FROM audit_tree_nodes GROUP BY level ORDER BY level').all();
    // 5000 events: 19 tiles of 256, 9 pairs, 4, 2, 1 (4096)
    expect(levels).toEqual([
      { level: STORED_LEVEL, n: 19 },
      { level: 9, n: 9 },
      { level: 10, n: 4 },
      { level: 11, n: 2 },
      { level: 12, n: 1 },
    ]);
    for (const size of [1, 255, 256, 257, 511, 512, 1000, 4096, 4097, 4863, 4864, 4999, 5000]) {
      expect([size, toHex(log.tree.root(size))]).toEqual([size, toHex(treeRoot(plain, size))]);
    }
  });

  it('inclusion and consistency proofs from stored nodes verify against the signed roots', () => {
    const { log, plain } = logWith(3_000);
    const size = 3_000;
    const root = treeRoot(plain, size);
    for (const index of [0, 255, 256, 1023, 2047, 2999]) {
      const proof = log.tree.inclusion(index, size);
      expect(verifyInclusion(index, size, plain.leaves(index, index + 1)[0]!, proof, root)).toBe(true);
    }
    for (const old of [1, 256, 1000, 2048, 2999]) {
      expect(verifyConsistency(old, size, treeRoot(plain, old), root, log.tree.consistency(old, size))).toBe(true);
    }
  });

  it('every checkpoint carries the tree root and a signed note for its size', () => {
    const { log, plain } = logWith(2_500);
    const cp = log.checkpointAt(2_000)!;
    expect(cp.root).toBe(toHex(treeRoot(plain, 2_000)));
    expect(cp.note).toContain(`${log.origin}\n2000\n${Buffer.from(treeRoot(plain, 2_000)).toString('base64')}\n\n\u2014 ${log.origin} `);
    expect(log.verify()).toMatchObject({ ok: true, events: 2_500 });
  });
});

describe('verify ties signed tree heads to the events', () => {
  const tamper = (sqlite: import('better-sqlite3').Database, sql: string) => {
    const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
    for (const t of triggers) sqlite.exec(`DROP TRIGGER ${t.name}`);
    sqlite.prepare(sql).run();
    for (const t of triggers) sqlite.exec(t.sql);
  };

  it('a tampered stored subtree makes the server sign a wrong root, which verify names', () => {
    const { log, sqlite } = logWith(600);
    tamper(sqlite, `UPDATE audit_tree_nodes SET hash = zeroblob(32) WHERE level = ${STORED_LEVEL + 1} AND idx = 0`);
    log.appendMany(Array.from({ length: 400 }, (_, i) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:x${i}`, payload: {} })));
    expect(log.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_ROOT_MISMATCH', seq: 1000 });
  });

  it('an edited root or note is refused by its signature; dropping a later tree head is a downgrade', () => {
    const first = logWith(1_000);
    tamper(first.sqlite, `UPDATE audit_checkpoints SET root = '${'ab'.repeat(32)}' WHERE seq = 1000`);
    expect(first.log.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', seq: 1000 });

    const second = logWith(1_000);
    tamper(second.sqlite, `UPDATE audit_checkpoints SET note = replace(note, '\n1000\n', '\n999\n') WHERE seq = 1000`);
    expect(second.log.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', seq: 1000 });

    const third = logWith(2_000);
    tamper(third.sqlite, 'UPDATE audit_checkpoints SET note = NULL, root = NULL WHERE seq = 2000');
    expect(third.log.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_MALFORMED', seq: 2000 });
  });
});
