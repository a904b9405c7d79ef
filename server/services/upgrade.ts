/**
 * Upgrading a data folder written by an earlier release, before the services open it:
 *
 * 1. refuse a folder a newer release wrote (nothing touched);
 * 2. verify the audit chain and every checkpoint as they stand; a broken chain stops the upgrade
 *    (a log someone tampered with needs a person, not a migration);
 * 3. back the database up with SQLite's online backup API to
 *    `<data>/backups/nightcore-<time>-schema-<version>.db` (0600);
 * 4. apply every pending migration in ONE transaction, verify the chain again inside it and check
 *    the head is still the backup's; any failure rolls everything back and says why.
 *
 * `planUpgrade()` is the same without changing anything (`nightcore migrate --check`).
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE, DEFAULT_BUSY_TIMEOUT_MS } from '../../db/client';
import { backupDatabase } from '../../db/backup';
import { applyMigrations, loadMigrations, migrationStatus, newerSchemaMessage, MigrationError, type Migration, type MigrationCode } from '../../db/migrate';
import type { ChainReport } from '../core/audit/chain';
import type { AuditLog } from './audit-log';
import type { OperatorKey } from './server-keys';
import { chainSummary, serverPublicKeyOf, verifyDatabaseChain } from './chain-check';
import { committedNextKey } from './server-key-rotation';

export type UpgradeCode = MigrationCode | 'CHAIN_BROKEN' | 'BACKUP_FAILED';

export class UpgradeError extends Error {
  constructor(
    readonly code: UpgradeCode,
    message: string,
  ) {
    super(message);
    this.name = 'UpgradeError';
  }
}

export interface UpgradeOptions {
  readonly now?: () => Date;
  /** the migrations to apply (default: the committed ones); tests inject a failing one */
  readonly migrations?: readonly Migration[];
  /** earlier server keys the operator vouches for, each for its seq range (the folder's own key and key history are always read) */
  readonly checkpointKeys?: readonly OperatorKey[];
}

export interface UpgradeReport {
  readonly from: string;
  readonly to: string;
  readonly applied: readonly string[];
  readonly backup: string;
  readonly events: number;
  readonly checkpoints: number;
}

export interface UpgradePlan {
  /** false: no database yet; opening creates it at the current schema */
  readonly exists: boolean;
  readonly schemaVersion: string;
  readonly pending: readonly { readonly tag: string; readonly statements: readonly string[] }[];
  readonly newer: string | undefined;
  readonly chain: ChainReport | undefined;
}

/**
 * The chain as the folder's own key (and its history) and the operator's keys see it. A rotation cut
 * off after its commit (finished when the services open) already has the next key in force.
 */
const verifyFolderChain = (sqlite: Database.Database, dataDir: string, operator: readonly OperatorKey[] = []) =>
  verifyDatabaseChain(sqlite, committedNextKey(dataDir, sqlite) ?? serverPublicKeyOf(dataDir), operator);

/** The first line of each statement, for people ("CREATE TABLE `x` (", "ALTER TABLE ..."). */
const firstLine = (statement: string) => statement.trim().split('\n')[0]!.slice(0, 120);

/** What opening this folder would change; opens the database read-only. */
export function planUpgrade(dataDir: string, options: UpgradeOptions = {}): UpgradePlan {
  const migrations = options.migrations ?? loadMigrations();
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) {
    return { exists: false, schemaVersion: 'empty', pending: migrations.map((m) => ({ tag: m.tag, statements: m.statements.map(firstLine) })), newer: undefined, chain: undefined };
  }
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    sqlite.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
    const status = migrationStatus(sqlite, migrations);
    return {
      exists: true,
      schemaVersion: status.schemaVersion,
      pending: status.pending.map((m) => ({ tag: m.tag, statements: m.statements.map(firstLine) })),
      newer: status.unknown.length > 0 ? newerSchemaMessage(status.unknown) : undefined,
      chain: status.applied > 0 ? verifyFolderChain(sqlite, dataDir, options.checkpointKeys) : undefined,
    };
  } finally {
    sqlite.close();
  }
}

/** Upgrades the folder's database if it needs it; undefined when there was nothing to do. */
export async function upgradeDataFolder(dataDir: string, options: UpgradeOptions = {}): Promise<UpgradeReport | undefined> {
  const migrations = options.migrations ?? loadMigrations();
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) return undefined; // a new folder: openDatabase creates it at the current schema
  const sqlite = new Database(file, { fileMustExist: true });
  try {
    sqlite.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
    const status = migrationStatus(sqlite, migrations);
    if (status.unknown.length > 0) throw new UpgradeError('SCHEMA_NEWER', newerSchemaMessage(status.unknown));
    if (status.pending.length === 0 || status.applied === 0) return undefined;

    const before = verifyFolderChain(sqlite, dataDir, options.checkpointKeys);
    if (!before.ok) {
      throw new UpgradeError('CHAIN_BROKEN', `refusing to upgrade from ${status.schemaVersion}: ${chainSummary(before)}. Nothing was changed; the release that wrote this folder can still open it`);
    }
    sqlite.pragma('journal_mode = WAL'); // as openDatabase leaves it; not before the checks, which change nothing
    const backup = await backUp(sqlite, dataDir, status.schemaVersion, (options.now ?? (() => new Date()))());
    const backedUpHead = headOf(backup);

    let after: ChainReport | undefined;
    try {
      applyMigrations(sqlite, {
        migrations,
        beforeCommit: () => {
          after = verifyFolderChain(sqlite, dataDir, options.checkpointKeys);
          if (!after.ok) throw new Error(chainSummary(after));
          const head = headOf(sqlite);
          if (head.seq !== backedUpHead.seq || head.hash !== backedUpHead.hash) {
            throw new Error(`the audit log changed while the backup was taken (head ${backedUpHead.seq} in the backup, ${head.seq} now): is another process using this folder? Stop it and open the folder again`);
          }
        },
      });
    } catch (e) {
      if (e instanceof MigrationError) throw new UpgradeError(e.code, `${e.message} (the database is as it was; a backup from before the attempt is at ${backup})`);
      throw e;
    }
    const report = after as ChainReport & { ok: true };
    const to = migrationStatus(sqlite, migrations).schemaVersion;
    return { from: status.schemaVersion, to, applied: status.pending.map((m) => m.tag), backup, events: report.events, checkpoints: report.checkpoints };
  } finally {
    sqlite.close();
  }
}

/** Records a finished upgrade in the log once the services are open (the upgrade itself cannot sign checkpoints). */
export function recordUpgrade(audit: AuditLog, report: UpgradeReport | undefined): void {
  if (!report) return;
  audit.append({
    actor: 'system',
    action: 'data.migrated',
    subject: 'database',
    payload: { from: report.from, to: report.to, migrations: [...report.applied], backup: report.backup.split('/').pop() ?? '' },
  });
}

function headOf(source: Database.Database | string): { seq: number; hash: string } {
  const db = typeof source === 'string' ? new Database(source, { readonly: true, fileMustExist: true }) : source;
  try {
    return db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() ?? { seq: 0, hash: '' };
  } finally {
    if (typeof source === 'string') db.close();
  }
}

/** `<data>/backups/nightcore-20261202T155300Z-schema-0013_run_files.db`, created 0600 before a byte is written. */
async function backUp(sqlite: Database.Database, dataDir: string, schemaVersion: string, at: Date): Promise<string> {
  const dir = join(dataDir, 'backups');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const path = join(dir, `nightcore-${stamp}-schema-${schemaVersion}.db`);
  try {
    await backupDatabase(sqlite, path);
  } catch (e) {
    throw new UpgradeError('BACKUP_FAILED', `could not back up the database before upgrading it (${(e as Error).message}); nothing was changed`);
  }
  return path;
}
