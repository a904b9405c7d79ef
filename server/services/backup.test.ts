/**
 * Backup and restore: a backup taken while another process keeps writing is one consistent moment
 * and restores with a clean chain; a restore refuses a tampered, truncated, re-signed, foreign or
 * bogus backup and leaves the current data untouched; secrets travel only when asked.
 */
import { describe, it, expect, afterEach } from 'vitest';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openServices, type Services } from './index';
import { createBackup, restoreBackup } from './backup';
import { SERVER_KEY_FILE } from './server-key';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';

const opened: Services[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});
const open = (dataDir: string) => {
  const s = openServices({ dataDir, poolSize: 1, workerUrl: DEFAULT_WORKER_URL });
  opened.push(s);
  return s;
};
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `nightcore-${name}-`));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const fill = (s: Services, n: number, tag = 'fill') => {
  for (let i = 0; i < n; i += 500) {
    s.audit.appendMany(Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ actor: 'test:filler', action: 'audit.verified' as const, subject: `${tag}:${i + j}`, payload: { pad: 'x'.repeat(200) } })));
  }
};
async function backupOf(s: Services, dataDir: string, withSecrets = false): Promise<string> {
  const file = join(tmp('backup'), 'nightcore.ncbak');
  s.audit.checkpoint();
  await createBackup(s.handle.sqlite, dataDir, s.serverKey, file, { withSecrets, now: new Date() });
  return file;
}
const events = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq').all() as { seq: number; hash: string }[];
  } finally {
    db.close();
  }
};

describe('backup while another process writes', () => {
  it('is one consistent moment of the log, and restores into a new folder with a clean audit verify', async () => {
    const live = tmp('live');
    const s = open(live);
    fill(s, 4000); // enough pages that a copy takes a while
    // Another process (as the console would be) appends as fast as it can while the backups run.
    const writer = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { openServices } = await import(${JSON.stringify(resolve(__dirname, 'index.ts'))});
      const { DEFAULT_WORKER_URL } = await import(${JSON.stringify(resolve(__dirname, '../core/sandbox/worker-threads/worker-url.ts'))});
      const s = openServices({ dataDir: ${JSON.stringify(live)}, poolSize: 1, workerUrl: DEFAULT_WORKER_URL });
      let n = 0; const until = Date.now() + 4000;
      process.stdout.write('ready\\n');
      while (Date.now() < until) { s.audit.append({ actor: 'test:writer', action: 'audit.verified', subject: 'w:' + n++, payload: {} }); }
      await s.close(); process.stdout.write('wrote ' + n + '\\n');
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    writer.stdout.on('data', (d: Buffer) => (output += d.toString()));
    await expect.poll(() => output, { timeout: 20_000 }).toContain('ready');
    const files: string[] = [];
    for (let i = 0; i < 3; i++) files.push(await backupOf(s, live));
    await new Promise((done) => writer.on('exit', done));
    expect(output).toMatch(/wrote [1-9]\d*/);

    const liveEvents = events(join(live, 'nightcore.db'));
    for (const file of files) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const copy = events(file);
      expect(copy.length).toBeGreaterThan(4000);
      expect(copy).toEqual(liveEvents.slice(0, copy.length)); // a prefix of the live chain: one moment
      const target = tmp('restored');
      copyFileSync(join(live, SERVER_KEY_FILE), join(target, SERVER_KEY_FILE)); // the same installation's key
      const restored = await restoreBackup(file, target, new Date());
      expect(restored).toMatchObject({ ok: true, value: { keyFrom: 'this folder', keptAside: undefined } });
      const r = open(target);
      expect(r.audit.verify()).toMatchObject({ ok: true, events: copy.length });
    }
    expect(events(files[2]!).length).toBeGreaterThan(events(files[0]!).length); // the writer really wrote in between
  }, 60_000);
});

describe('restore refuses anything it cannot verify, and changes nothing', () => {
  async function setup() {
    const live = tmp('live');
    const s = open(live);
    fill(s, 50);
    const file = await backupOf(s, live, true);
    fill(s, 10, 'after'); // the folder moved on after the backup
    s.audit.checkpoint();
    await s.close();
    opened.splice(opened.indexOf(s), 1);
    return { live, file };
  }
  const tamperedCopy = (file: string, sql: string) => {
    const bad = join(tmp('bad'), 'bad.ncbak');
    copyFileSync(file, bad);
    const db = new Database(bad);
    db.exec(sql);
    db.close();
    return bad;
  };
  const DROP = 'DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_checkpoints_no_delete;';

  it.each([
    ['an edited event', `${DROP} UPDATE audit_events SET actor = 'user:mallory' WHERE seq = 7`, 'CHAIN_BROKEN'],
    ['the newest events cut off (and their checkpoints)', `${DROP} DELETE FROM audit_checkpoints WHERE seq > 40; DELETE FROM audit_events WHERE seq > 40`, 'HEAD_MISMATCH'],
    ['a statement rewritten to match a cut log', `${DROP} UPDATE nightcore_backup SET value = json_set(value, '$.headSeq', 3) WHERE key = 'statement'`, 'STATEMENT_INVALID'],
    ['a swapped server key inside', `UPDATE nightcore_backup SET value = 'c2VjcmV0' WHERE key = 'secret:server-key.json'`, 'STATEMENT_INVALID'],
    ['the meta table removed (a plain database)', 'DROP TABLE nightcore_backup', 'NOT_A_BACKUP'],
    ['a folder from a newer release', `INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', 9999999999999)`, 'SCHEMA_NEWER'],
  ])('%s', async (_what, sql, code) => {
    const { live, file } = await setup();
    const db = join(live, 'nightcore.db');
    const before = sha(db);
    const keyBefore = sha(join(live, SERVER_KEY_FILE));
    const r = await restoreBackup(tamperedCopy(file, sql), live, new Date());
    expect(r).toMatchObject({ ok: false, code });
    expect(sha(db)).toBe(before);
    expect(sha(join(live, SERVER_KEY_FILE))).toBe(keyBefore);
    expect(existsSync(join(live, 'backups'))).toBe(false);
  });

  it('a file that is not a database at all', async () => {
    const { live } = await setup();
    const junk = join(tmp('junk'), 'junk.ncbak');
    writeFileSync(junk, 'not sqlite '.repeat(100));
    expect(await restoreBackup(junk, live, new Date())).toMatchObject({ ok: false, code: 'BACKUP_CORRUPT' });
  });

  it("another installation's backup is refused: its checkpoints are not signed by this folder's key", async () => {
    const { live } = await setup();
    const other = tmp('other');
    const o = open(other);
    fill(o, 5);
    const foreign = await backupOf(o, other, true);
    const before = sha(join(live, 'nightcore.db'));
    expect(await restoreBackup(foreign, live, new Date())).toMatchObject({ ok: false, code: 'OTHER_INSTALLATION' });
    expect(sha(join(live, 'nightcore.db'))).toBe(before);
  });

  it('a good backup replaces the database only after the checks, keeping the one it replaced', async () => {
    const { live, file } = await setup();
    const replaced = events(join(live, 'nightcore.db'));
    const r = await restoreBackup(file, live, new Date('2027-03-04T05:06:07Z'));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.keptAside).toBe(join(live, 'backups', 'nightcore-20270304T050607Z-before-restore.db'));
    expect(events(r.value.keptAside!)).toEqual(replaced); // nothing is lost: the newer log is kept aside
    expect(r.value.secretsWritten).toEqual([]); // the folder's own key stays
    const s = open(live);
    expect(s.audit.verify()).toMatchObject({ ok: true, events: r.value.statement.headSeq });
    const meta = s.handle.sqlite.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'nightcore_backup'").pluck().get();
    expect(meta).toBe(0); // the secrets never land in the live database
  });
});

describe('secrets', () => {
  it('travel only with --with-secrets; a new machine needs them, and gets the same key', async () => {
    const live = tmp('live');
    const s = open(live);
    fill(s, 20);
    const seed = (JSON.parse(readFileSync(join(live, SERVER_KEY_FILE), 'utf8')) as { seed: string }).seed;
    const plain = await backupOf(s, live, false);
    const secret = await backupOf(s, live, true);
    expect(readFileSync(plain).includes(seed)).toBe(false);
    expect(readFileSync(secret).includes(seed)).toBe(true);
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    await expect(createBackup(s.handle.sqlite, live, s.serverKey, secret, { withSecrets: false, now: new Date() })).rejects.toThrow(/EEXIST/);

    const fresh = tmp('fresh');
    expect(await restoreBackup(plain, fresh, new Date())).toMatchObject({ ok: false, code: 'KEY_MISSING' });
    expect(existsSync(join(fresh, 'nightcore.db'))).toBe(false);
    const restored = await restoreBackup(secret, fresh, new Date());
    expect(restored).toMatchObject({ ok: true, value: { keyFrom: 'the backup', secretsWritten: [SERVER_KEY_FILE] } });
    expect(statSync(join(fresh, SERVER_KEY_FILE)).mode & 0o777).toBe(0o600);
    const r = open(fresh);
    expect(r.serverKey.keyid).toBe(s.serverKey.keyid);
    expect(r.audit.verify()).toMatchObject({ ok: true });
  });
});
