/**
 * Verifies the audit chain of any SQLite database file (a data folder before its upgrade, a backup
 * before it is restored) without opening the services: no server key is created, nothing is
 * appended, and the statements read only the columns every published schema has (checkpoints older
 * than the Merkle tree have no root or note).
 */
import type Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '../core/audit/event';
import { verifyChain, type ChainReport, type EventContentCheck } from '../core/audit/chain';
import type { AuditCheckpoint } from '../core/audit/checkpoint';
import { SERVER_KEY_FILE, keyIdOfPublicKey, verifyEd25519Node } from './server-key';
import { keyVerification, logOrigin, type CheckpointKey, type OperatorKey } from './server-keys';
import { defaultOrigin } from './audit-log';

/** The server's public key from a data folder's key file, without reading or needing its seed. */
export function serverPublicKeyOf(dataDir: string): CheckpointKey | undefined {
  const path = join(dataDir, SERVER_KEY_FILE);
  if (!existsSync(path)) return undefined;
  return publicKeyFromJson(readFileSync(path, 'utf8'));
}

/** `{ publicKey: base64 }` as the key file and its public copy hold it; the key id is derived, never trusted. */
export function publicKeyFromJson(text: string): CheckpointKey | undefined {
  try {
    const parsed = JSON.parse(text) as { publicKey?: unknown };
    if (typeof parsed.publicKey !== 'string') return undefined;
    const publicKey = new Uint8Array(Buffer.from(parsed.publicKey, 'base64'));
    return publicKey.length === 32 ? { keyid: keyIdOfPublicKey(publicKey), publicKey } : undefined;
  } catch {
    return undefined;
  }
}

const hasColumn = (sqlite: Database.Database, table: string, column: string) =>
  (sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).includes(column);

/**
 * Re-hashes every event and checks every checkpoint (hash, tree head, and a signature by a key in
 * its period): the database's own key history (server_keys, after a rotation) anchored on
 * `current`, the folder's key; before any rotation, `current` for every seq. `operator` keys count
 * for the periods given with them.
 */
export function verifyDatabaseChain(sqlite: Database.Database, current: CheckpointKey | undefined, operator: readonly OperatorKey[] = [], checkContent?: EventContentCheck): ChainReport {
  const keys = keyVerification(sqlite, {
    current,
    operator,
    origin: logOrigin(sqlite, defaultOrigin(current?.keyid ?? '')),
    verify: verifyEd25519Node,
    checkContent,
  });
  if (keys.problem) return keys.problem;
  const treeColumns = hasColumn(sqlite, 'audit_checkpoints', 'root') ? ', root, note' : '';
  const checkpoints = sqlite.prepare<[], AuditCheckpoint>(`SELECT seq, hash, time, keyid, signature${treeColumns} FROM audit_checkpoints ORDER BY seq`).all();
  const events = sqlite
    .prepare<[], AuditEvent>('SELECT seq, time, actor, action, subject, payload, prev_hash AS prevHash, hash FROM audit_events ORDER BY seq')
    .iterate();
  return keys.finish(verifyChain(events, checkpoints, keys.checkpoint, undefined, keys.content));
}

/** One line for people: what the check found. */
export function chainSummary(report: ChainReport): string {
  return report.ok
    ? `audit chain intact: ${report.events} events, ${report.checkpoints} signed checkpoint(s)`
    : `audit chain broken at seq ${report.seq} (${report.code}): ${report.message}`;
}
