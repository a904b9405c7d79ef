/**
 * `nightcore server-key rotate`: a new server key takes over from the one in use. The new key is
 * written beside the old one first (`server-key.next.json`, 0600); the log records the handover in
 * one transaction (AuditLog.rotateKey: both keys sign it, the old key's period ends at the head);
 * then the new file replaces `server-key.json` with one rename. The old private key is gone after
 * that: its public key and period stay in server_keys, so everything it signed still verifies.
 *
 * A rotation cut off after its commit but before the rename is finished the next time the folder
 * opens; one cut off before its commit is undone (the unused next key is deleted). Either way the
 * key file and the log agree. Stop the console first: a console still holding the old key refuses
 * to sign with it once it is retired (its writes fail until it is restarted).
 */
import type Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLog } from './audit-log';
import { SERVER_KEY_FILE, createKeyFile, loadServerKeyFile } from './server-key';
import { keyRows, type CheckpointKey } from './server-keys';
import { publicKeyFromJson } from './chain-check';

export const NEXT_KEY_FILE = 'server-key.next.json';

export interface RotationReport {
  readonly from: string;
  readonly to: string;
  /** the seq of the server.key_rotated event: the new key signs from here, the old one up to the seq before */
  readonly seq: number;
}

function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function rotateServerKey(audit: AuditLog, dataDir: string, actor: string, now: Date): RotationReport {
  const nextPath = join(dataDir, NEXT_KEY_FILE);
  if (!createKeyFile(nextPath, now)) throw new Error(`${nextPath} already exists: another rotation is under way`);
  let report: RotationReport;
  try {
    report = audit.rotateKey(loadServerKeyFile(nextPath), actor);
  } catch (e) {
    unlinkSync(nextPath); // nothing was committed: the key in use stays
    throw e;
  }
  renameSync(nextPath, join(dataDir, SERVER_KEY_FILE));
  syncFolder(dataDir);
  return report;
}

/** The public key of a cut-off rotation's next key when the log committed the handover to it (read only). */
export function committedNextKey(dataDir: string, sqlite: Database.Database): CheckpointKey | undefined {
  const nextPath = join(dataDir, NEXT_KEY_FILE);
  if (!existsSync(nextPath)) return undefined;
  const key = publicKeyFromJson(readFileSync(nextPath, 'utf8'));
  const current = keyRows(sqlite).find((r) => r.until_seq === null);
  return key && current?.keyid === key.keyid ? key : undefined;
}

/**
 * At open, before the key file is read: a `server-key.next.json` left by a cut-off rotation becomes
 * the key file if the log committed the handover to it, and is deleted if it did not.
 */
export function finishInterruptedRotation(dataDir: string, sqlite: Database.Database): 'finished' | 'discarded' | undefined {
  const nextPath = join(dataDir, NEXT_KEY_FILE);
  if (!existsSync(nextPath)) return undefined;
  let keyid: unknown;
  try {
    keyid = (JSON.parse(readFileSync(nextPath, 'utf8')) as { keyid?: unknown }).keyid;
  } catch {
    keyid = undefined; // torn by the crash before it was complete: certainly never committed
  }
  const current = keyRows(sqlite).find((r) => r.until_seq === null);
  if (current && current.keyid === keyid) {
    renameSync(nextPath, join(dataDir, SERVER_KEY_FILE));
    syncFolder(dataDir);
    return 'finished';
  }
  unlinkSync(nextPath);
  return 'discarded';
}
