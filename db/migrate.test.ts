/**
 * The migrator: all pending migrations in one transaction, decided inside it; a failure rolls
 * everything back and names the migration; a folder a newer release wrote is refused; a migration
 * merged late still runs; an existing schema is never migrated by a plain open.
 */
import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, loadMigrations, migrationStatus, MigrationError, type Migration } from './migrate';
import { openDatabase } from './client';

const REAL = loadMigrations();
const extra = (tag: string, when: number, ...statements: string[]): Migration => ({ idx: 10_000, tag, when, hash: tag, statements });
const schemaOf = (db: Database.Database) => db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all();
const fail = (fn: () => unknown): MigrationError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof MigrationError) return e;
    throw e;
  }
  throw new Error('expected a MigrationError');
};

describe('applyMigrations', () => {
  it('applies every committed migration to a new database once, in drizzle\'s bookkeeping table', () => {
    const db = new Database(':memory:');
    expect(applyMigrations(db).map((m) => m.tag)).toEqual(REAL.map((m) => m.tag));
    expect(applyMigrations(db)).toEqual([]);
    const status = migrationStatus(db);
    expect(status).toMatchObject({ schemaVersion: REAL.at(-1)!.tag, applied: REAL.length, pending: [], unknown: [] });
    expect(db.prepare('SELECT hash FROM __drizzle_migrations ORDER BY created_at').pluck().all()).toEqual(REAL.map((m) => m.hash));
  });

  it('a failing migration rolls back every migration of the attempt and names the one that failed', () => {
    const db = new Database(':memory:');
    applyMigrations(db);
    const before = schemaOf(db);
    db.exec("INSERT INTO users (id, username, password_hash, role, created_at, created_by, updated_at) VALUES ('u1', 'kept', 'x', 'viewer', 0, 't', 0)");
    const good = extra('9000_good', 9_000_000_000_000, 'CREATE TABLE good_one (id INTEGER)', "UPDATE users SET role = 'admin'");
    const bad = extra('9001_bad', 9_000_000_000_001, 'CREATE TABLE half_done (id INTEGER)', 'ALTER TABLE no_such_table ADD COLUMN x TEXT');
    const e = fail(() => applyMigrations(db, { migrations: [...REAL, good, bad] }));
    expect(e).toMatchObject({ code: 'MIGRATION_FAILED', migration: '9001_bad' });
    expect(e.message).toMatch(/migration 9001_bad failed: no such table: no_such_table; nothing was changed/);
    expect(schemaOf(db)).toEqual(before);
    expect(db.prepare('SELECT role FROM users').pluck().all()).toEqual(['viewer']);
    expect(migrationStatus(db, [...REAL, good, bad]).pending.map((m) => m.tag)).toEqual(['9000_good', '9001_bad']);
  });

  it('a throwing check before the commit rolls the migrations back (CHECK_FAILED)', () => {
    const db = new Database(':memory:');
    applyMigrations(db);
    const e = fail(() =>
      applyMigrations(db, {
        migrations: [...REAL, extra('9000_x', 9_000_000_000_000, 'CREATE TABLE x (id INTEGER)')],
        beforeCommit: () => {
          throw new Error('the chain is broken');
        },
      }),
    );
    expect(e).toMatchObject({ code: 'CHECK_FAILED' });
    expect(e.message).toContain('the chain is broken');
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'x'").pluck().get()).toBe(0);
  });

  it('refuses a database a newer release wrote, touching nothing', () => {
    const db = new Database(':memory:');
    applyMigrations(db, { migrations: [...REAL, extra('9000_future', 9_000_000_000_000, 'CREATE TABLE future (id INTEGER)')] });
    const before = schemaOf(db);
    const e = fail(() => applyMigrations(db));
    expect(e.code).toBe('SCHEMA_NEWER');
    expect(e.message).toMatch(/written by a newer Night Core \(1 migration/);
    expect(schemaOf(db)).toEqual(before);
  });

  it('applies a migration merged late (its `when` older than the newest applied), which drizzle\'s migrator would skip', () => {
    const db = new Database(':memory:');
    const late = extra('0014_late', REAL.at(-1)!.when + 1, 'CREATE TABLE late (id INTEGER)');
    const later = extra('0015_later', REAL.at(-1)!.when + 2, 'CREATE TABLE later (id INTEGER)');
    applyMigrations(db, { migrations: [...REAL, later] });
    expect(applyMigrations(db, { migrations: [...REAL, late, later] }).map((m) => m.tag)).toEqual(['0014_late']);
  });

  it('openDatabase creates a new folder at the current schema but refuses to migrate an existing one (UPGRADE_REQUIRED)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-migrate-'));
    openDatabase(dir).close();
    const raw = new Database(join(dir, 'nightcore.db'));
    raw.prepare('DELETE FROM __drizzle_migrations WHERE created_at = ?').run(REAL.at(-1)!.when); // as if the last migration were new
    raw.close();
    expect(() => openDatabase(dir)).toThrow(expect.objectContaining({ code: 'UPGRADE_REQUIRED' }));
  });

  it('two connections opening one new database apply each migration once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nightcore-migrate-')), 'two.db');
    const a = new Database(file);
    const b = new Database(file);
    expect(applyMigrations(a).length).toBe(REAL.length);
    expect(applyMigrations(b)).toEqual([]);
    expect(b.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(REAL.length);
  });
});
