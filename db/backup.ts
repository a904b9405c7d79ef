/**
 * A consistent copy of a live database with SQLite's online backup API (better-sqlite3's
 * `backup()`): other connections keep reading and writing while it runs, and the copy is one
 * point in time. The file is created owner-only before a byte is written and never overwrites
 * anything, and it is left as ONE self-contained file (rollback journal, no -wal / -shm beside it).
 */
import Database from 'better-sqlite3';
import { closeSync, openSync, rmSync } from 'node:fs';

const ALL_PAGES = 0x7fffffff;

export async function backupDatabase(source: Database.Database, path: string): Promise<void> {
  closeSync(openSync(path, 'wx', 0o600));
  try {
    // All pages in one step, under one read transaction: a copy of one moment, and no restart when
    // another connection writes between steps (page-by-page steps restart on every such write and
    // might never finish while the console is busy). WAL readers do not block writers meanwhile.
    await source.backup(path, { progress: () => ALL_PAGES });
    const copy = new Database(path, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE'); // the source's WAL flag came along with its header page
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy fails SQLite's quick_check: ${String(check)}`);
    } finally {
      copy.close();
    }
  } catch (e) {
    rmSync(path, { force: true }); // a half-written backup must not look like a backup
    throw e;
  }
}
