/**
 * Applies the committed SQL migrations (db/migrations, listed in meta/_journal.json) to a database,
 * all pending ones in ONE transaction, in the same bookkeeping table drizzle-kit's migrator uses
 * (`__drizzle_migrations`: hash, created_at = the journal's `when`), so data folders written before
 * this file existed read the same.
 *
 * Why not drizzle's migrate(): it decides what is pending outside its transaction (two processes
 * opening a new folder could both apply), skips any migration whose `when` is older than the newest
 * applied one (a migration merged late would never run), and offers no hook to check the data
 * before the commit. Here a migration is pending when its `when` is not recorded; a recorded one the
 * journal does not know means a newer release wrote the folder, and nothing is touched.
 */
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Migration {
  readonly idx: number;
  readonly tag: string;
  /** the journal's `when`: the migration's identity in the bookkeeping table */
  readonly when: number;
  /** SHA-256 of the file, as drizzle records it */
  readonly hash: string;
  readonly statements: readonly string[];
}

export type MigrationCode = 'SCHEMA_NEWER' | 'MIGRATION_FAILED' | 'CHECK_FAILED' | 'UPGRADE_REQUIRED';

export class MigrationError extends Error {
  constructor(
    readonly code: MigrationCode,
    message: string,
    /** the migration that failed, when one did */
    readonly migration?: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

const TABLE = '__drizzle_migrations';
const BREAKPOINT = '--> statement-breakpoint';

/**
 * Beside this file when run from source (CLI, tests); under the working directory when bundled
 * into the Next.js server, where import.meta.url points into the build output.
 */
export function migrationsFolder(): string {
  const besideSource = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
  return existsSync(join(besideSource, 'meta', '_journal.json')) ? besideSource : join(process.cwd(), 'db', 'migrations');
}

let cached: { folder: string; migrations: readonly Migration[] } | undefined;

/** The journal's migrations in order, each with its statements. */
export function loadMigrations(folder: string = migrationsFolder()): readonly Migration[] {
  if (cached?.folder === folder) return cached.migrations;
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; tag: string; when: number }[] };
  const migrations = [...journal.entries]
    .sort((a, b) => a.idx - b.idx)
    .map((e) => {
      const text = readFileSync(join(folder, `${e.tag}.sql`), 'utf8');
      const statements = text.split(BREAKPOINT).filter((s) => s.trim() !== '');
      return { idx: e.idx, tag: e.tag, when: e.when, hash: createHash('sha256').update(text).digest('hex'), statements };
    });
  cached = { folder, migrations };
  return migrations;
}

export interface MigrationStatus {
  /** tag of the newest applied migration the journal knows; 'empty' for a new database */
  readonly schemaVersion: string;
  readonly applied: number;
  readonly pending: readonly Migration[];
  /** recorded migrations this release does not know (written by a newer release) */
  readonly unknown: readonly { readonly when: number; readonly hash: string }[];
}

/** What is applied and what is pending. Reads only: safe on a read-only connection. */
export function migrationStatus(sqlite: Database.Database, migrations: readonly Migration[] = loadMigrations()): MigrationStatus {
  const hasTable = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(TABLE) !== undefined;
  const rows = hasTable ? sqlite.prepare<[], { when: number; hash: string }>(`SELECT CAST(created_at AS INTEGER) AS "when", hash FROM ${TABLE}`).all() : [];
  const recorded = new Set(rows.map((r) => Number(r.when)));
  const known = new Set(migrations.map((m) => m.when));
  const applied = migrations.filter((m) => recorded.has(m.when));
  return {
    schemaVersion: applied.length > 0 ? applied[applied.length - 1]!.tag : 'empty',
    applied: applied.length,
    pending: migrations.filter((m) => !recorded.has(m.when)),
    unknown: rows.filter((r) => !known.has(Number(r.when))).map((r) => ({ when: Number(r.when), hash: r.hash })),
  };
}

export function newerSchemaMessage(unknown: MigrationStatus['unknown']): string {
  return `this data folder was written by a newer Night Core (${unknown.length} migration(s) this release does not know, the first from ${new Date(unknown[0]!.when).toISOString()}); use that release or newer, or restore a backup made by this one`;
}

export interface ApplyOptions {
  readonly migrations?: readonly Migration[];
  /**
   * Runs inside the transaction after the last migration, before the commit; a throw rolls every
   * migration back (the upgrade checks the audit chain here).
   */
  readonly beforeCommit?: (applied: readonly Migration[]) => void;
  /** Refuse (UPGRADE_REQUIRED) instead of migrating a database that already holds a schema. */
  readonly onlyIfNew?: boolean;
}

/**
 * Applies every pending migration in one IMMEDIATE transaction (pending is decided inside it, so two
 * processes opening one folder apply each migration once). On any failure everything rolls back and
 * a MigrationError names the migration and the reason. Returns the migrations it applied.
 */
export function applyMigrations(sqlite: Database.Database, options: ApplyOptions = {}): readonly Migration[] {
  const migrations = options.migrations ?? loadMigrations();
  sqlite.exec('BEGIN IMMEDIATE');
  let current: Migration | undefined;
  try {
    sqlite.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
    const status = migrationStatus(sqlite, migrations);
    if (status.unknown.length > 0) throw new MigrationError('SCHEMA_NEWER', newerSchemaMessage(status.unknown));
    if (options.onlyIfNew && status.applied > 0 && status.pending.length > 0) {
      throw new MigrationError(
        'UPGRADE_REQUIRED',
        `the database is at schema ${status.schemaVersion} and ${status.pending.length} migration(s) are pending; it is upgraded (with a backup first) by "nightcore migrate" or when the CLI or the console opens it`,
      );
    }
    const record = sqlite.prepare(`INSERT INTO ${TABLE} ("hash", "created_at") VALUES (?, ?)`);
    for (const m of status.pending) {
      current = m;
      for (const statement of m.statements) sqlite.exec(statement);
      record.run(m.hash, m.when);
    }
    current = undefined;
    options.beforeCommit?.(status.pending);
    sqlite.exec('COMMIT');
    return status.pending;
  } catch (e) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    if (e instanceof MigrationError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    if (current) throw new MigrationError('MIGRATION_FAILED', `migration ${current.tag} failed: ${why}; nothing was changed`, current.tag);
    throw new MigrationError('CHECK_FAILED', `the check after migrating failed: ${why}; nothing was changed`);
  }
}
