// @ts-check
/**
 * Moves SQLite's WAL checkpoints off the main thread. The main connection turns automatic
 * checkpoints off; this thread, with its own connection, copies the WAL into the database every
 * `intervalMs` (PASSIVE: never blocks writers) and, once the WAL holds `truncateAtFrames` frames,
 * finishes with a TRUNCATE checkpoint, which waits briefly for writers but keeps the WAL small
 * (a PASSIVE checkpoint alone never lets the WAL restart while writes keep coming).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** @type {{ file: string, intervalMs: number, truncateAtFrames: number }} */
const { file, intervalMs, truncateAtFrames } = workerData;
const db = new Database(file);
db.pragma('busy_timeout = 5000');
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const truncate = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)');

setInterval(() => {
  try {
    const result = /** @type {{ busy: number, log: number, checkpointed: number }} */ (passive.get());
    if (result.log >= truncateAtFrames) truncate.get();
  } catch (error) {
    // The main thread falls back to checkpointing itself; say why once.
    parentPort?.postMessage({ error: String(error) });
  }
}, intervalMs);
