/**
 * Upgrades that lose nothing, on the committed data folders written by earlier releases
 * (testdata/upgrade/<commit>/nightcore.sql, made by scripts/make-upgrade-fixture.ts): each one upgrades to
 * whatever the current schema is with every event, run, key, user, module, quarantine, approval and
 * policy intact and the audit chain verifying; a failed migration, a migration that rewrites
 * history, a tampered chain and a folder from a newer release all leave the data as it was.
 *
 * The fixtures keep only the server's PUBLIC key (server-key.pub.json): the old checkpoints are
 * checked against it, passed as an earlier server key.
 */
import { describe, it, expect, afterEach } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrationStatus, type Migration } from '../../db/migrate';
import { openServices, type Services } from './index';
import { AuditLog, type CheckpointKey } from './audit-log';
import { usersOf } from './users';
import { publicKeyFromJson, verifyDatabaseChain } from './chain-check';
import { planUpgrade, recordUpgrade, upgradeDataFolder, UpgradeError } from './upgrade';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';

const ROOT = join(__dirname, '..', '..', 'testdata', 'upgrade');
const FIXTURES = readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, 'nightcore.sql')));
const REAL = loadMigrations();
const extra = (tag: string, ...statements: string[]): Migration => ({ idx: 9_000, tag, when: 9_000_000_000_000 + tag.length, hash: tag, statements });
const ADD_TABLE = extra('9000_add_table', 'CREATE TABLE upgrade_probe (id INTEGER PRIMARY KEY)', 'ALTER TABLE users ADD COLUMN probe TEXT');

const opened: Services[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

function copyOf(fixture: string): { dir: string; key: CheckpointKey } {
  const dir = mkdtempSync(join(tmpdir(), `nightcore-upgrade-${fixture}-`));
  // The fixture is committed as SQL text (sqlite3 .dump), not a database file; loading it gives back
  // exactly the tables, rows, indexes and triggers the old release wrote.
  const db = new Database(join(dir, 'nightcore.db'));
  try {
    db.exec(readFileSync(join(ROOT, fixture, 'nightcore.sql'), 'utf8'));
  } finally {
    db.close();
  }
  const key = publicKeyFromJson(readFileSync(join(ROOT, fixture, 'server-key.pub.json'), 'utf8'));
  if (!key) throw new Error(`${fixture}: server-key.pub.json holds no public key`);
  return { dir, key };
}

type Rows = Record<string, unknown[]>;
/**
 * Columns a migration moved elsewhere on purpose, and where each one's content is checked instead:
 * runs.record became the run.decided audit payload (0020); the first test reads every run's record
 * back through the services and compares it with the fixture's.
 */
const MOVED_COLUMNS: Record<string, readonly string[]> = { runs: ['record'] };
/** Every row of every table, by the columns the table had in the fixture (less the moved ones, once gone). */
function snapshot(file: string, columnsOf?: Record<string, string[]>): { rows: Rows; columns: Record<string, string[]> } {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '__drizzle_migrations' ORDER BY name").pluck().all() as string[];
    const present = (t: string) => db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[];
    const columns = columnsOf
      ? Object.fromEntries(
          Object.entries(columnsOf).map(([t, cols]) => {
            const here = present(t);
            return [t, cols.filter((c) => here.includes(c) || !MOVED_COLUMNS[t]?.includes(c))];
          }),
        )
      : Object.fromEntries(tables.map((t) => [t, present(t)]));
    const rows: Rows = {};
    for (const [table, cols] of Object.entries(columns)) {
      const order = table === 'audit_events' || table === 'audit_checkpoints' ? ' ORDER BY seq' : '';
      rows[table] = db.prepare(`SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM "${table}"${order}`).all();
    }
    return { rows, columns };
  } finally {
    db.close();
  }
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const open = (dataDir: string) => {
  const s = openServices({ dataDir, poolSize: 1, workerUrl: DEFAULT_WORKER_URL });
  opened.push(s);
  return s;
};

async function expectRefused(p: Promise<unknown>, code: string): Promise<UpgradeError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(UpgradeError);
  expect((e as UpgradeError).code).toBe(code);
  return e as UpgradeError;
}

describe.each(FIXTURES)('the data folder written by %s', (fixture) => {
  it('upgrades to the current schema and loses nothing: events, runs, keys, users, modules, approvals, policies', async () => {
    const { dir, key } = copyOf(fixture);
    const before = snapshot(join(dir, 'nightcore.db'));
    const report = await upgradeDataFolder(dir, { checkpointKeys: [key] });
    const db = join(dir, 'nightcore.db');
    const probe = new Database(db, { readonly: true });
    expect(migrationStatus(probe)).toMatchObject({ schemaVersion: REAL.at(-1)!.tag, pending: [], unknown: [] });
    probe.close();
    if (report) expect(statSync(report.backup).mode & 0o777).toBe(0o600);

    const s = open(dir);
    recordUpgrade(s.audit, report);
    const after = snapshot(db, before.columns);
    for (const [table, all] of Object.entries(before.rows)) {
      // A moved column is compared where it went (below), not here.
      const kept = after.columns[table]!;
      const rows = all.map((r) => Object.fromEntries(Object.entries(r as object).filter(([c]) => kept.includes(c))));
      if (table === 'audit_events' || table === 'audit_checkpoints') expect(after.rows[table]!.slice(0, rows.length), table).toEqual(rows);
      else expect(after.rows[table], table).toEqual(expect.arrayContaining(rows));
    }
    // Through the services, as people see them.
    expect(s.runs.list({}).length).toBe(before.rows.runs!.length);
    // Every run's decision record reads back unchanged (stored once since 0020: the audit payload).
    for (const run of before.rows.runs as { id: string; record?: string }[]) {
      if (run.record !== undefined) expect(s.runs.get(run.id)?.record, `run ${run.id}`).toEqual(JSON.parse(run.record));
    }
    expect(s.trust.list().length).toBe(before.rows.trust_keys!.length);
    expect(usersOf(s).list().map((u) => u.username).sort()).toEqual((before.rows.users as { username: string }[]).map((u) => u.username).sort());
    const policies = s.audit.page({ action: 'policy.loaded', limit: 100 });
    expect(policies.ok && policies.value.events.length).toBeGreaterThanOrEqual(2);
    // audit verify: every old event and checkpoint (signed by the fixture's server key) and the new ones.
    const verified = new AuditLog(s.handle.sqlite, { serverKey: s.serverKey, formerKeys: [key] }).verify();
    expect(verified).toMatchObject({ ok: true, checkpoints: expect.any(Number) });
    expect(verified.ok && verified.events).toBeGreaterThanOrEqual(before.rows.audit_events!.length);
  });

  it('with a migration pending: backs up first (SQLite backup API, named with time and schema, 0600), verifies before and after', async () => {
    const { dir, key } = copyOf(fixture);
    const before = snapshot(join(dir, 'nightcore.db'));
    const report = await upgradeDataFolder(dir, { checkpointKeys: [key], migrations: [...REAL, ADD_TABLE], now: () => new Date('2027-01-02T03:04:05.678Z') });
    expect(report).toMatchObject({ to: '9000_add_table', applied: expect.arrayContaining(['9000_add_table']), events: before.rows.audit_events!.length });
    expect(report!.backup).toBe(join(dir, 'backups', `nightcore-20270102T030405Z-schema-${report!.from}.db`));
    expect(statSync(report!.backup).mode & 0o777).toBe(0o600);
    expect(snapshot(report!.backup, before.columns).rows).toEqual(before.rows); // the backup is the folder as it was
    const after = snapshot(join(dir, 'nightcore.db'), before.columns);
    expect(after.rows.audit_events).toEqual(before.rows.audit_events);
    expect(after.rows.users).toEqual(before.rows.users);
    // Nothing left to do the second time.
    expect(await upgradeDataFolder(dir, { checkpointKeys: [key], migrations: [...REAL, ADD_TABLE] })).toBeUndefined();
  });

  it('a failing migration leaves the old data untouched and says which one failed and why', async () => {
    const { dir, key } = copyOf(fixture);
    const file = join(dir, 'nightcore.db');
    const before = snapshot(file);
    const bad = extra('9001_broken', "UPDATE users SET role = 'admin'", 'ALTER TABLE no_such_table ADD COLUMN x TEXT');
    const e = await expectRefused(upgradeDataFolder(dir, { checkpointKeys: [key], migrations: [...REAL, ADD_TABLE, bad] }), 'MIGRATION_FAILED');
    expect(e.message).toMatch(/migration 9001_broken failed: no such table: no_such_table; nothing was changed \(the database is as it was; a backup from before the attempt is at .*backups/);
    expect(snapshot(file)).toEqual(before); // same tables, same columns, same rows: 9000_add_table rolled back too
  });

  it('a migration that rewrites the audit log is caught by the check inside the transaction and rolled back', async () => {
    const { dir, key } = copyOf(fixture);
    const file = join(dir, 'nightcore.db');
    const before = snapshot(file);
    const rewrite = extra('9002_rewrite', 'DROP TRIGGER audit_events_no_update', `UPDATE audit_events SET payload = '{"rewritten":true}' WHERE seq = 3`);
    const e = await expectRefused(upgradeDataFolder(dir, { checkpointKeys: [key], migrations: [...REAL, rewrite] }), 'CHECK_FAILED');
    expect(e.message).toMatch(/audit chain broken at seq 3 \(HASH_MISMATCH\)/);
    expect(snapshot(file)).toEqual(before);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'audit_events_no_update'").pluck().get()).toBe(1);
    db.close();
  });

  it('refuses to upgrade a folder whose chain is already broken, before any backup or change', async () => {
    const { dir, key } = copyOf(fixture);
    const file = join(dir, 'nightcore.db');
    const raw = new Database(file);
    raw.exec("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'user:mallory' WHERE seq = 5");
    raw.close();
    const hash = sha(file);
    const e = await expectRefused(upgradeDataFolder(dir, { checkpointKeys: [key], migrations: [...REAL, ADD_TABLE] }), 'CHAIN_BROKEN');
    expect(e.message).toMatch(/refusing to upgrade .* audit chain broken at seq 5 .* Nothing was changed/);
    expect(sha(file)).toBe(hash);
    expect(existsSync(join(dir, 'backups'))).toBe(false);
  });

  it('refuses without the server key that signed its checkpoints (a signature nobody can check is not a clean chain)', async () => {
    const { dir } = copyOf(fixture);
    await expectRefused(upgradeDataFolder(dir, { migrations: [...REAL, ADD_TABLE] }), 'CHAIN_BROKEN');
  });

  it('migrate --check (planUpgrade) reports the pending migrations and the chain and changes nothing', () => {
    const { dir, key } = copyOf(fixture);
    const file = join(dir, 'nightcore.db');
    const hash = sha(file);
    const plan = planUpgrade(dir, { checkpointKeys: [key], migrations: [...REAL, ADD_TABLE] });
    expect(plan.pending.map((m) => m.tag)).toContain('9000_add_table');
    expect(plan.pending.find((m) => m.tag === '9000_add_table')!.statements).toEqual(['CREATE TABLE upgrade_probe (id INTEGER PRIMARY KEY)', 'ALTER TABLE users ADD COLUMN probe TEXT']);
    expect(plan.chain).toMatchObject({ ok: true });
    expect(sha(file)).toBe(hash);
    expect(existsSync(join(dir, 'backups'))).toBe(false);
  });

  it('a folder written by a newer release is refused by the upgrade and by a plain open, untouched', async () => {
    const { dir, key } = copyOf(fixture);
    const file = join(dir, 'nightcore.db');
    const raw = new Database(file);
    raw.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('future', 9_999_999_999_999);
    raw.close();
    const hash = sha(file);
    const before = snapshot(file);
    const e = await expectRefused(upgradeDataFolder(dir, { checkpointKeys: [key] }), 'SCHEMA_NEWER');
    expect(e.message).toMatch(/written by a newer Night Core/);
    expect(sha(file)).toBe(hash);
    expect(() => open(dir)).toThrow(expect.objectContaining({ code: 'SCHEMA_NEWER' }));
    expect(snapshot(file)).toEqual(before); // the plain open switched the file to WAL mode, nothing else
    expect(planUpgrade(dir, { checkpointKeys: [key] }).newer).toMatch(/newer Night Core/);
  });
});

it('the chain check reads a fixture without its server key file: hashes and roots verify, signatures need the key', () => {
  for (const fixture of FIXTURES) {
    const { dir, key } = copyOf(fixture);
    const db = new Database(join(dir, 'nightcore.db'), { readonly: true });
    expect(verifyDatabaseChain(db, undefined, [key])).toMatchObject({ ok: true });
    expect(verifyDatabaseChain(db, undefined)).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID' });
    db.close();
  }
});
