import { describe, it, expect } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE, NEW_DATABASE_PAGE_SIZE, openDatabase } from './client';
import { DEFAULT_CHECKPOINT_WORKER_URL } from './wal-checkpoint-url';

const walBytes = (dir: string) => {
  try {
    return statSync(join(dir, 'nightcore.db-wal')).size;
  } catch {
    return 0;
  }
};

/** Runs spread like a busy console's: many modules, a few outcomes (the runs-list bench's shape). */
function fillRuns(sqlite: ReturnType<typeof openDatabase>['sqlite'], n: number): void {
  const outcomes = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'denied', 'out_of_fuel', 'trap', 'timeout'];
  const ins = sqlite.prepare(`INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at,
    decision, outcome, exit_code, threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256, stdin, stdout, stderr, audit_seq)
    VALUES (?, 1, ?, '1.0.0', 't', 'd', 'user:op', ?, ?, ?, 0, 0, 1, 1, 'default', 1, '1', '', x'', x'', x'', ?)`);
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) {
      const outcome = outcomes[i % outcomes.length]!;
      ins.run(`run-${i}`, `m${i % 200}`, 1_700_000_000_000 + i, outcome === 'ok' ? 'allow' : 'deny', outcome, i + 1);
    }
  })();
}

const planOf = (sqlite: ReturnType<typeof openDatabase>['sqlite'], sql: string) =>
  (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');

describe('openDatabase', () => {
  it('creates a new folder with the smaller page size, and leaves an existing folder\'s page size alone', () => {
    expect(NEW_DATABASE_PAGE_SIZE).toBe(2048);
    const fresh = mkdtempSync(join(tmpdir(), 'nightcore-db-'));
    const created = openDatabase(fresh);
    expect(created.sqlite.pragma('page_size', { simple: true })).toBe(NEW_DATABASE_PAGE_SIZE);
    created.close();
    const reopened = openDatabase(fresh);
    expect(reopened.sqlite.pragma('page_size', { simple: true })).toBe(NEW_DATABASE_PAGE_SIZE);
    reopened.close();

    // A folder made by an earlier release (4096-byte pages, SQLite's default) keeps them: its data stays where it is.
    const older = mkdtempSync(join(tmpdir(), 'nightcore-db-'));
    const before = new Database(join(older, DATABASE_FILE));
    before.pragma('journal_mode = WAL');
    before.exec('CREATE TABLE earlier_release (x); INSERT INTO earlier_release VALUES (1);');
    expect(before.pragma('page_size', { simple: true })).toBe(4096);
    before.close();
    const opened = openDatabase(older);
    expect(opened.sqlite.pragma('page_size', { simple: true })).toBe(4096);
    expect(opened.sqlite.prepare('SELECT x FROM earlier_release').pluck().get()).toBe(1);
    opened.close();
  });

  it('keeps the query planner statistics: a reopened folder plans "module + outcome" on the module index', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-db-'));
    const first = openDatabase(dir);
    fillRuns(first.sqlite, 20_000);
    const query = "SELECT id FROM runs WHERE module_name = 'm7' AND outcome = 'trap' ORDER BY started_at DESC LIMIT 50";
    // Without statistics SQLite judges by index shape and scans every trap (the runs-list bench: 462 ms at 1,000,000 runs).
    expect(planOf(first.sqlite, query)).toContain('runs_outcome');
    first.close();
    const again = openDatabase(dir);
    expect((again.sqlite.prepare("SELECT count(*) AS n FROM sqlite_stat1 WHERE tbl = 'runs'").get() as { n: number }).n).toBeGreaterThan(0);
    expect(planOf(again.sqlite, query)).toContain('runs_module');
    again.close();
  });

  it('applies the migrations in WAL mode with an owner-only file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-db-'));
    const handle = openDatabase(dir);
    expect(handle.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(statSync(join(dir, 'nightcore.db')).mode & 0o777).toBe(0o600);
    const tables = handle.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['audit_events', 'trust_keys', 'module_versions', 'runs', 'quarantine', 'users']));
    handle.close();
  });

  it('checkpoints the WAL on a worker thread and truncates it once it grows, losing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-db-'));
    const handle = openDatabase(dir, { checkpointWorkerUrl: DEFAULT_CHECKPOINT_WORKER_URL });
    expect(handle.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0); // the main thread never checkpoints
    handle.sqlite.exec('CREATE TABLE scratch (id INTEGER PRIMARY KEY, body BLOB)');
    const insert = handle.sqlite.prepare('INSERT INTO scratch (body) VALUES (?)');
    const body = Buffer.alloc(8192, 7);
    for (let i = 0; i < 2500; i++) insert.run(body); // ~20 MiB of WAL: past the truncate threshold
    expect(walBytes(dir)).toBeGreaterThan(16 * 1024 * 1024);
    await expect.poll(() => walBytes(dir), { timeout: 15_000, interval: 100 }).toBeLessThan(1024 * 1024);
    expect(handle.sqlite.prepare('SELECT count(*) AS n FROM scratch').get()).toEqual({ n: 2500 });
    handle.close();
  });
});
