/**
 * Opens the embedded SQLite database in the data folder, in WAL mode, and applies the
 * committed migrations. Both the console and the CLI open the database only through here.
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { mkdirSync, chmodSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import * as schema from './schema';
import { applyMigrations } from './migrate';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export interface DbHandle {
  readonly sqlite: Database.Database;
  readonly db: Db;
  readonly dataDir: string;
  close(): void;
}

export interface OpenOptions {
  /**
   * Run WAL checkpoints on a worker thread (db/wal-checkpoint-worker.mjs) instead of on whichever
   * commit crosses the threshold: a checkpoint with its fsync costs milliseconds, and on the main
   * thread of a server that lands on a request. Long-running hosts pass it; short CLI commands do not.
   */
  readonly checkpointWorkerUrl?: URL;
}

/**
 * How long a statement may wait, blocking the thread, for another connection's lock. Opening the
 * database (migrations) and CLI commands wait this long: one person is waiting. The console lowers
 * it with setBusyTimeout once it has started, because its one thread serves everyone.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export function setBusyTimeout(sqlite: Database.Database, ms: number): void {
  if (!(Number.isSafeInteger(ms) && ms >= 0 && ms <= 60_000)) throw new RangeError(`a busy timeout is 0..60000 ms, not ${ms}`);
  sqlite.pragma(`busy_timeout = ${ms}`);
}

const CHECKPOINT_INTERVAL_MS = 250;
/** How often a long-running host refreshes the query planner's statistics (PRAGMA optimize). */
export const OPTIMIZE_INTERVAL_MS = 60 * 60 * 1000;
const TRUNCATE_AT_FRAMES = 4000; // 16 MiB of WAL

export const DATABASE_FILE = 'nightcore.db';

/**
 * The page size of a new database. A governed run dirties one page per B-tree it touches (about 12
 * index leaves, the table leaves, the record's overflow pages), in each of its two commits. With
 * SQLite's default 4096-byte pages that was 101 KB of WAL and 158 KB sent to storage per run,
 * checkpoints included; with 2048-byte pages 61 KB and 73 KB, at the same or better throughput, and
 * the console's queries at a million events within 0.86-1.09x, except a page of 50 whole decision
 * records (1.2x: more overflow pages each). 1024-byte pages wrote 39 KB but were no faster and read
 * more pages again (bench/page-size.bench.ts).
 */
export const NEW_DATABASE_PAGE_SIZE = 2048;

const isEmpty = (sqlite: Database.Database) => (sqlite.pragma('page_count', { simple: true }) as number) === 0;

/**
 * Opens the folder's database. A new database gets every migration here; one that already holds a
 * schema with migrations pending is refused (UPGRADE_REQUIRED): upgrading it takes a backup and an
 * audit-chain check first, which server/services/upgrade.ts does before the services open this.
 */
export function openDatabase(dataDir: string, options: OpenOptions = {}): DbHandle {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DATABASE_FILE);
  const sqlite = new Database(file);
  chmodSync(file, 0o600);
  // Fixed when the first table is written; a folder created earlier keeps its page size.
  if (isEmpty(sqlite)) sqlite.pragma(`page_size = ${NEW_DATABASE_PAGE_SIZE}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL'); // durable at checkpoints; WAL keeps commits atomic
  sqlite.pragma('foreign_keys = ON');
  setBusyTimeout(sqlite, DEFAULT_BUSY_TIMEOUT_MS);
  const db = drizzle(sqlite, { schema });
  try {
    applyMigrations(sqlite, { onlyIfNew: true });
  } catch (e) {
    sqlite.close();
    throw e;
  }
  optimize(sqlite, 'optimize = 0x10002');
  const checkpointer = options.checkpointWorkerUrl ? startCheckpointer(sqlite, file, options.checkpointWorkerUrl) : undefined;
  const optimizer = options.checkpointWorkerUrl ? setInterval(() => optimize(sqlite, 'optimize'), OPTIMIZE_INTERVAL_MS).unref() : undefined;
  return {
    sqlite,
    db,
    dataDir,
    close: () => {
      void checkpointer?.terminate();
      clearInterval(optimizer);
      optimize(sqlite, 'optimize');
      sqlite.close(); // the last connection to close checkpoints and removes the WAL
    },
  };
}

/**
 * Keeps the query planner's statistics (sqlite_stat1) current, as SQLite advises: at open with
 * 0x10002 (every table, analysed only when never analysed or much changed since), then hourly on a
 * long-running host and at close. Without statistics SQLite guessed from index shape alone and
 * picked runs_outcome for "module + outcome" in the runs list: 462 ms at 1,000,000 runs instead of
 * 0.5 ms on runs_module (bench/runs-list.bench.ts). ANALYZE samples (a limit SQLite sets for
 * optimize), so the first open of a large unanalysed database costs about a second, later ones
 * well under a millisecond. A failure (a locked database) only postpones it: the planner works
 * without statistics, just less well.
 */
function optimize(sqlite: Database.Database, pragma: 'optimize = 0x10002' | 'optimize'): void {
  try {
    sqlite.pragma(pragma);
  } catch {
    // retried at the next open, hour or close
  }
}

function startCheckpointer(sqlite: Database.Database, file: string, url: URL): Worker {
  sqlite.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(url, { workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS, truncateAtFrames: TRUNCATE_AT_FRAMES } });
  const fallBack = (why: unknown) => {
    // Never let the WAL grow without bound: go back to checkpointing on commit.
    sqlite.pragma('wal_autocheckpoint = 1000');
    console.error(`[nightcore] WAL checkpoint worker stopped (${String(why)}); checkpointing on commit instead`);
  };
  worker.on('message', (m: { error?: string }) => m.error && fallBack(m.error));
  worker.on('error', fallBack);
  worker.unref(); // it must not keep a process alive
  return worker;
}

/** An isolated in-memory database with the real migrations, for tests. */
export function openMemoryDatabase(): DbHandle {
  const sqlite = new Database(':memory:');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  applyMigrations(sqlite);
  return { sqlite, db, dataDir: ':memory:', close: () => sqlite.close() };
}
