import { describe, it, expect } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './client';
import { DEFAULT_CHECKPOINT_WORKER_URL } from './wal-checkpoint-url';

const walBytes = (dir: string) => {
  try {
    return statSync(join(dir, 'nightcore.db-wal')).size;
  } catch {
    return 0;
  }
};

describe('openDatabase', () => {
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
