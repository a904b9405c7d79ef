/**
 * Group commit: writes of one event-loop turn share a transaction, and none is reported durable
 * before that transaction commits (fail closed).
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  let sqlite: Database.Database;
  const rows = () => (sqlite.prepare('SELECT v FROM t ORDER BY v').all() as { v: number }[]).map((r) => r.v);
  beforeEach(() => {
    sqlite = new Database(':memory:');
    sqlite.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
  });
  afterEach(() => sqlite.close());

  it('commits the writes of one turn in one transaction and resolves each with its own result', async () => {
    const commits = new GroupCommit(sqlite);
    const insert = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.all([1, 2, 3, 4].map((v) => commits.run(() => insert.run(v).changes + v * 10)));
    expect(results).toEqual([11, 21, 31, 41]);
    expect(rows()).toEqual([1, 2, 3, 4]);
    expect(commits.stats()).toEqual({ batches: 1, writes: 4, largestBatch: 4 });
  });

  it('resolves nothing before the commit: a write is invisible to its caller until then', async () => {
    let flush: (() => void) | undefined;
    const commits = new GroupCommit(sqlite, (f) => (flush = f));
    let resolved = false;
    const pending = commits.run(() => sqlite.prepare('INSERT INTO t (v) VALUES (7)').run()).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    expect(rows()).toEqual([]); // not even written yet
    flush!();
    await pending;
    expect(resolved).toBe(true);
    expect(rows()).toEqual([7]);
  });

  it('a write that throws is rolled back alone and rejects alone; the others commit', async () => {
    const commits = new GroupCommit(sqlite);
    const insert = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
    const outcomes = await Promise.allSettled([
      commits.run(() => insert.run(1)),
      commits.run(() => {
        insert.run(2); // part of the failing write: must be undone with it
        throw new Error('refused');
      }),
      commits.run(() => insert.run(3)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('refused');
    expect(rows()).toEqual([1, 3]);
  });

  it('when the shared transaction cannot commit, every write in it rejects and nothing is kept', async () => {
    // A deferred foreign key is checked at COMMIT: the batch's commit fails after all writes ran.
    sqlite.exec('PRAGMA foreign_keys = ON; CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const commits = new GroupCommit(sqlite);
    const outcomes = await Promise.allSettled([
      commits.run(() => sqlite.prepare('INSERT INTO t (v) VALUES (1)').run()),
      commits.run(() => sqlite.prepare('INSERT INTO child (p) VALUES (99)').run()),
      commits.run(() => sqlite.prepare('INSERT INTO t (v) VALUES (2)').run()),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(rows()).toEqual([]);
    expect(sqlite.inTransaction).toBe(false);
    // And the next batch works again.
    await commits.run(() => sqlite.prepare('INSERT INTO t (v) VALUES (3)').run());
    expect(rows()).toEqual([3]);
  });

  it('rejects every write when another connection holds the write lock past the busy timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-gc-'));
    const file = join(dir, 'db');
    const a = new Database(file);
    a.pragma('journal_mode = WAL');
    a.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
    a.pragma('busy_timeout = 0');
    const b = new Database(file);
    b.exec('BEGIN IMMEDIATE');
    try {
      const commits = new GroupCommit(a);
      const outcomes = await Promise.allSettled([1, 2].map((v) => commits.run(() => a.prepare('INSERT INTO t (v) VALUES (?)').run(v))));
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/locked|busy/i);
    } finally {
      b.exec('ROLLBACK');
      a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('splits a flood into bounded transactions', async () => {
    const commits = new GroupCommit(sqlite, undefined, 10);
    const insert = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
    await Promise.all(Array.from({ length: 25 }, (_, v) => commits.run(() => insert.run(v))));
    expect(rows()).toHaveLength(25);
    expect(commits.stats()).toEqual({ batches: 3, writes: 25, largestBatch: 10 });
  });
});
