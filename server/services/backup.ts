/**
 * `nightcore backup` and `nightcore restore`: one file, `nightcore.backup/v1`, that is an SQLite
 * database (a consistent online copy, db/backup.ts) plus one table, `nightcore_backup`, saying what it
 * is: when, the schema, the chain head, the server's public key, a signature by the server key over
 * all of that, and, only with --with-secrets, the folder's secret files (server key, session secret).
 *
 * A restore checks a working copy, never the file it was given (it could change after the check):
 * SQLite's quick_check, the schema (a newer release's backup is refused), the signed statement, and
 * the whole audit chain with every checkpoint, against THIS folder's server key when it has one (a
 * key that travels with a backup is a hint, not trust). Only then is the current database kept
 * aside in <data>/backups/ and replaced, through the backup API, so nothing is lost either way.
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { backupDatabase } from '../../db/backup';
import { DATABASE_FILE } from '../../db/client';
import { migrationStatus, newerSchemaMessage } from '../../db/migrate';
import { err, ok, type Result } from '../core/result';
import type { CheckpointKey } from './audit-log';
import { chainSummary, publicKeyFromJson, serverPublicKeyOf, verifyDatabaseChain } from './chain-check';
import { SERVER_KEY_FILE, keyIdOfPublicKey, verifyEd25519Node, type ServerKey } from './server-key';
import { keyRows } from './server-keys';
import { BACKUP_FORMAT, backupStatementBytes, openBackupStatement, type BackupStatement } from './backup-statement';

export { BACKUP_FORMAT, type BackupStatement } from './backup-statement';
const META = 'nightcore_backup';
/** The data folder's secret files (server/auth/secret.ts names the second; services may not import auth). */
export const SECRET_FILES = [SERVER_KEY_FILE, 'auth-secret'] as const;


export type BackupCode = 'KEY_MISSING' | 'NOT_A_BACKUP' | 'BACKUP_CORRUPT' | 'SCHEMA_NEWER' | 'STATEMENT_INVALID' | 'OTHER_INSTALLATION' | 'KEY_ROTATED' | 'CHAIN_BROKEN' | 'HEAD_MISMATCH';

export interface BackupReport {
  readonly file: string;
  readonly statement: BackupStatement;
  readonly bytes: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const headOf = (db: Database.Database) =>
  db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() ?? { seq: 0, hash: '' };

/**
 * Copies the live database (other connections keep working) to `out`, never overwriting, 0600, and
 * signs what it holds. The caller seals the head with a checkpoint first.
 */
export async function createBackup(
  source: Database.Database,
  dataDir: string,
  serverKey: Pick<ServerKey, 'publicKey' | 'sign'>,
  out: string,
  options: { withSecrets: boolean; now: Date },
): Promise<BackupReport> {
  await backupDatabase(source, out);
  const copy = new Database(out, { fileMustExist: true });
  let statement: BackupStatement;
  try {
    const secrets: Record<string, string> = {};
    const secretValues: [string, string][] = [];
    if (options.withSecrets) {
      for (const name of SECRET_FILES) {
        const path = join(dataDir, name);
        if (!existsSync(path)) continue;
        const text = readFileSync(path, 'utf8');
        secrets[name] = sha256(text);
        secretValues.push([name, text]);
      }
    }
    const head = headOf(copy);
    statement = {
      format: BACKUP_FORMAT,
      createdAt: options.now.toISOString(),
      schema: migrationStatus(copy).schemaVersion,
      headSeq: head.seq,
      headHash: head.hash,
      serverKeyId: keyIdOfPublicKey(serverKey.publicKey),
      secrets,
    };
    const signature = Buffer.from(serverKey.sign(backupStatementBytes(statement))).toString('base64');
    copy.exec(`CREATE TABLE ${META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    const put = copy.prepare(`INSERT INTO ${META} (key, value) VALUES (?, ?)`);
    copy.transaction(() => {
      put.run('statement', JSON.stringify(statement));
      put.run('signature', signature);
      put.run('server-public-key', Buffer.from(serverKey.publicKey).toString('base64'));
      for (const [name, text] of secretValues) put.run(`secret:${name}`, text);
    })();
  } finally {
    copy.close();
    chmodSync(out, 0o600);
  }
  return { file: out, statement, bytes: statSync(out).size };
}

export interface CheckedBackup {
  readonly statement: BackupStatement;
  /** where the key the checkpoints were checked against came from */
  readonly keyFrom: 'this folder' | 'the backup';
  readonly keyid: string;
  readonly events: number;
  readonly checkpoints: number;
  readonly uncheckpointed: number;
  readonly secrets: Readonly<Record<string, string>>;
}

/** Every check a restore makes, on an open copy; changes nothing. */
export function checkBackup(copy: Database.Database, dataDir: string): Result<CheckedBackup, BackupCode> {
  const hasMeta = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(META) !== undefined;
  if (!hasMeta) return err('NOT_A_BACKUP', `not a ${BACKUP_FORMAT} file (made by "nightcore backup")`);
  const check = copy.pragma('quick_check', { simple: true });
  if (check !== 'ok') return err('BACKUP_CORRUPT', `SQLite's quick_check fails: ${String(check)}`);
  const meta = new Map(copy.prepare<[], { key: string; value: string }>(`SELECT key, value FROM ${META}`).all().map((r) => [r.key, r.value]));
  const text = meta.get('statement') ?? '';
  // Which key signed it decides which key checks it; the statement is read in full by openBackupStatement below.
  let named: { format?: unknown; serverKeyId?: unknown };
  try {
    named = (JSON.parse(text) ?? {}) as typeof named;
  } catch {
    return err('NOT_A_BACKUP', 'the backup statement is missing or not JSON');
  }
  if (named.format !== BACKUP_FORMAT) return err('NOT_A_BACKUP', `unknown backup format ${JSON.stringify(named.format)}`);
  const status = migrationStatus(copy);
  if (status.unknown.length > 0) return err('SCHEMA_NEWER', newerSchemaMessage(status.unknown));

  const own = serverPublicKeyOf(dataDir);
  const carried = publicKeyFromJson(JSON.stringify({ publicKey: meta.get('server-public-key') }));
  const key: CheckpointKey | undefined = own ?? carried;
  if (!key) return err('STATEMENT_INVALID', 'the backup carries no server public key and this folder has none');
  if (named.serverKeyId !== key.keyid) {
    const retired = retiredHere(dataDir, String(named.serverKeyId));
    if (retired) {
      // Its log would go on under a key it never handed over to: that handover cannot be signed any more.
      return err('KEY_ROTATED', `the backup was signed by server key ${retired.keyid.slice(0, 16)}, which this folder retired at seq ${retired.untilSeq} (the key was rotated since the backup was made): restore it into a new, empty folder (a --with-secrets backup brings that key back there), or restore a backup made after the rotation`);
    }
    return err('OTHER_INSTALLATION', `the backup was signed by server key ${String(named.serverKeyId).slice(0, 16)}, this folder's key is ${key.keyid.slice(0, 16)}: restore it into a new folder (with --with-secrets backups), or put that folder's server-key.json back`);
  }
  const opened = openBackupStatement(text, meta.get('signature') ?? '', key.publicKey, verifyEd25519Node);
  if (!opened.ok) return opened;
  const statement = opened.value;
  const secrets: Record<string, string> = {};
  for (const [name, digest] of Object.entries(statement.secrets ?? {})) {
    const text = meta.get(`secret:${name}`);
    if (text === undefined || sha256(text) !== digest) return err('STATEMENT_INVALID', `the secret ${name} differs from the one the backup statement names`);
    secrets[name] = text;
  }
  // The backup's own key history (after a rotation, its former keys for their periods), anchored on `key`.
  const chain = verifyDatabaseChain(copy, key);
  if (!chain.ok) return err('CHAIN_BROKEN', chainSummary(chain));
  if (chain.headSeq !== statement.headSeq || chain.headHash !== statement.headHash) {
    return err('HEAD_MISMATCH', `the backup statement names head ${statement.headSeq}, the log in it ends at ${chain.headSeq}: events were removed or added after it was made`);
  }
  return ok({ statement, keyFrom: own ? 'this folder' : 'the backup', keyid: key.keyid, events: chain.events, checkpoints: chain.checkpoints, uncheckpointed: chain.uncheckpointed, secrets });
}

/** A key this folder's database lists as retired (server_keys), or undefined. */
function retiredHere(dataDir: string, keyid: string): { keyid: string; untilSeq: number } | undefined {
  const live = join(dataDir, DATABASE_FILE);
  if (!existsSync(live)) return undefined;
  const db = new Database(live, { readonly: true, fileMustExist: true });
  try {
    const row = keyRows(db).find((r) => r.keyid === keyid && r.until_seq !== null);
    return row ? { keyid: row.keyid, untilSeq: row.until_seq! } : undefined;
  } finally {
    db.close();
  }
}

export interface RestoreReport extends CheckedBackup {
  /** the database that was in place, kept (undefined when the folder had none) */
  readonly keptAside: string | undefined;
  /** secret files written because the folder had none */
  readonly secretsWritten: readonly string[];
}

const stampOf = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/**
 * Restores `file` into `dataDir`. Nothing in the folder changes unless every check passes. Stop the
 * console first: it would keep serving from memory what the restore replaced underneath it.
 */
export async function restoreBackup(file: string, dataDir: string, now: Date): Promise<Result<RestoreReport, BackupCode>> {
  if (!existsSync(file)) return err('NOT_A_BACKUP', `${file} does not exist`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const work = join(dataDir, `.restore-${stampOf(now)}-${randomBytes(4).toString('hex')}.db`);
  const given = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await backupDatabase(given, work); // check and install a copy of our own: the given file may change meanwhile
  } catch (e) {
    return err('BACKUP_CORRUPT', `cannot read ${file} as a database: ${(e as Error).message}`);
  } finally {
    given.close();
  }
  try {
    const copy = new Database(work, { fileMustExist: true });
    let checked: Result<CheckedBackup, BackupCode>;
    try {
      checked = checkBackup(copy, dataDir);
      if (checked.ok) copy.exec(`DROP TABLE ${META}`); // secrets never stay in the live database
    } finally {
      copy.close();
    }
    if (!checked.ok) return checked;
    if (checked.value.keyFrom === 'the backup' && !checked.value.secrets[SERVER_KEY_FILE]) {
      return err('KEY_MISSING', `this folder has no ${SERVER_KEY_FILE} and the backup carries none (made without --with-secrets): a new key could never check the restored checkpoints. Put the original ${SERVER_KEY_FILE} in ${dataDir} first, or restore a --with-secrets backup`);
    }

    const live = join(dataDir, DATABASE_FILE);
    let keptAside: string | undefined;
    if (existsSync(live)) {
      mkdirSync(join(dataDir, 'backups'), { recursive: true, mode: 0o700 });
      keptAside = join(dataDir, 'backups', `nightcore-${stampOf(now)}-before-restore.db`);
      const current = new Database(live, { fileMustExist: true });
      try {
        await backupDatabase(current, keptAside);
      } finally {
        current.close();
      }
    }
    const source = new Database(work, { readonly: true, fileMustExist: true });
    try {
      // Through the backup API, not a rename: SQLite replaces the pages under its own locks, WAL included.
      await source.backup(live, { progress: () => 0x7fffffff });
    } finally {
      source.close();
    }
    chmodSync(live, 0o600);
    const secretsWritten: string[] = [];
    for (const [name, text] of Object.entries(checked.value.secrets)) {
      const path = join(dataDir, name);
      if (existsSync(path)) continue; // this folder's own secret stays (the key matched, or the chain had to)
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      secretsWritten.push(name);
    }
    return ok({ ...checked.value, keptAside, secretsWritten });
  } finally {
    rmSync(work, { force: true });
  }
}

