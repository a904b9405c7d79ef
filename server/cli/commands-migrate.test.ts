/**
 * `nightcore migrate` through the real bin script: --check reports a pending migration and changes
 * nothing (exit 1), any command upgrades the folder first (backup, data.migrated in the log), and an
 * up-to-date folder has nothing to do (exit 0).
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadMigrations } from '../../db/migrate';

const BIN = resolve(__dirname, '../../bin/nightcore.mjs');
const nightcore = (args: string[], dataDir: string) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NIGHTCORE_DATA: dataDir } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('nightcore migrate', () => {
  it('reports, then applies, a pending migration with a backup and records it; --check changes nothing', () => {
    const data = join(mkdtempSync(join(tmpdir(), 'nightcore-migrate-cli-')), 'data');
    expect(nightcore(['trust', 'list'], data).code).toBe(0); // creates the folder at the current schema
    expect(nightcore(['migrate', '--check'], data)).toMatchObject({ code: 0, stdout: expect.stringContaining('up to date: nothing would change') });

    // Make it look like a folder from before 0013_run_files.
    const run13 = loadMigrations().find((m) => m.tag === '0013_run_files')!;
    const raw = new Database(join(data, 'nightcore.db'));
    raw.exec('DROP TABLE run_files');
    raw.prepare('DELETE FROM __drizzle_migrations WHERE created_at = ?').run(run13.when);
    raw.close();

    const hash = sha(join(data, 'nightcore.db'));
    const check = nightcore(['migrate', '--check'], data);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('would apply 0013_run_files:\n  CREATE TABLE `run_files` (');
    expect(check.stdout).toMatch(/audit chain intact: \d+ events/);
    const asJson = JSON.parse(nightcore(['migrate', '--check', '--json'], data).stdout) as { code: string; pending: { tag: string }[] };
    expect(asJson).toMatchObject({ code: 'MIGRATIONS_PENDING', pending: [{ tag: '0013_run_files' }] });
    expect(sha(join(data, 'nightcore.db'))).toBe(hash);

    const applied = nightcore(['migrate'], data);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/applied 0013_run_files; \d+ events and \d+ checkpoint\(s\) verified before and after/);
    const schema = /upgraded the data folder from (\S+) to \S+, applying 0013_run_files \(backup: .*backups\/nightcore-\d{8}T\d{6}Z-schema-(\S+)\.db\)/.exec(applied.stderr);
    expect(schema, applied.stderr).not.toBeNull();
    expect(schema![2]).toBe(schema![1]); // the backup is named after the schema it holds
    expect(readdirSync(join(data, 'backups'))).toHaveLength(1);

    const verify = nightcore(['audit', 'verify'], data);
    expect(verify.code).toBe(0);
    const exported = nightcore(['audit', 'export', '--format', 'jsonl'], data).stdout;
    expect(exported).toContain('"action":"data.migrated"');
    expect(nightcore(['migrate'], data)).toMatchObject({ code: 0, stdout: expect.stringContaining('nothing to migrate') });
  });
});
