/**
 * The restore drill of docs/operations.md, through the real bin script: back up with secrets,
 * lose the machine, restore onto a new folder, `audit verify` clean, the same server key; a backup
 * file is never overwritten; a tampered backup is refused with exit 1 and the data untouched.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const BIN = resolve(__dirname, '../../bin/nightcore.mjs');
const nightcore = (args: string[], dataDir: string) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NIGHTCORE_DATA: dataDir } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('nightcore backup / restore (the restore drill)', () => {
  it('backs up with secrets, restores onto a new folder, and audit verify is clean with the same key', () => {
    const work = mkdtempSync(join(tmpdir(), 'nightcore-drill-'));
    const live = join(work, 'live');
    expect(nightcore(['trust', 'list'], live).code).toBe(0);
    const file = join(work, 'nightcore.ncbak');
    const made = nightcore(['backup', '--out', file, '--with-secrets'], live);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/backed up \d+ events \(schema \d{4}_\w+\) to .*nightcore\.ncbak \(\d+ bytes, mode 0600\)/);
    expect(made.stderr).toContain("holds the server's private key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(nightcore(['backup', '--out', file], live)).toMatchObject({ code: 1, stderr: expect.stringContaining('OUT_EXISTS') });

    const fresh = join(work, 'new-machine');
    const restored = nightcore(['restore', file], fresh);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain("checkpoints checked against the backup's own server key");
    expect(restored.stdout).toContain('wrote server-key.json from the backup'); // the CLI alone never made an auth-secret
    expect(restored.stdout).toMatch(/audit chain intact: \d+ events/);
    const verified = JSON.parse(nightcore(['audit', 'verify', '--json'], fresh).stdout) as { ok: boolean; uncheckpointed: number };
    expect(verified).toMatchObject({ ok: true, uncheckpointed: 0 }); // data.restored is sealed by a checkpoint at once
    expect(readFileSync(join(fresh, 'server-key.json'), 'utf8')).toBe(readFileSync(join(live, 'server-key.json'), 'utf8'));
    const log = nightcore(['audit', 'export', '--format', 'jsonl'], fresh).stdout;
    expect(log).toContain('"action":"data.restored"');

    // A tampered copy is refused, and the restored folder stays as it is.
    const bad = join(work, 'bad.ncbak');
    copyFileSync(file, bad);
    const db = new Database(bad);
    db.exec("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'user:mallory' WHERE seq = 1");
    db.close();
    const before = sha(join(fresh, 'nightcore.db'));
    const refused = nightcore(['restore', bad, '--json'], fresh);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, code: 'CHAIN_BROKEN', message: expect.stringContaining('nothing was changed') });
    expect(sha(join(fresh, 'nightcore.db'))).toBe(before);
  });
});
