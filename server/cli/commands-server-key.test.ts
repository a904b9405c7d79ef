/**
 * Server key rotation through the real bin script (docs/operations.md, "Server key rotation"):
 * rotate, list, verify clean; a former key given by the operator with a bad period is a usage error.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(__dirname, '../../bin/nightcore.mjs');
const nightcore = (args: string[], dataDir: string) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NIGHTCORE_DATA: dataDir } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('nightcore server-key rotate', () => {
  it('rotates, lists both keys with their periods, and audit verify stays clean', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nightcore-rotate-')), 'data');
    expect(nightcore(['audit', 'checkpoint'], dir).code).toBe(0);
    const before = (JSON.parse(readFileSync(join(dir, 'server-key.json'), 'utf8')) as { keyid: string }).keyid;
    const rotated = nightcore(['server-key', 'rotate', '--json'], dir);
    expect(rotated.code, rotated.stderr).toBe(0);
    const r = JSON.parse(rotated.stdout) as { ok: boolean; from: string; to: string; seq: number };
    expect(r).toMatchObject({ ok: true, from: before });
    expect((JSON.parse(readFileSync(join(dir, 'server-key.json'), 'utf8')) as { keyid: string }).keyid).toBe(r.to);

    const listed = JSON.parse(nightcore(['server-key', 'list', '--json'], dir).stdout) as { keys: { keyid: string; fromSeq: number; untilSeq: number | null; current: boolean; verifierKey: string }[] };
    expect(listed.keys).toEqual([
      expect.objectContaining({ keyid: before, fromSeq: 1, untilSeq: r.seq - 1, current: false }),
      expect.objectContaining({ keyid: r.to, fromSeq: r.seq, untilSeq: null, current: true }),
    ]);
    // Both name the same log; the current one is what `audit key` prints.
    const origin = listed.keys[0]!.verifierKey.split('+')[0];
    expect(listed.keys[1]!.verifierKey.split('+')[0]).toBe(origin);
    expect(nightcore(['audit', 'key'], dir).stdout.trim()).toBe(listed.keys[1]!.verifierKey);
    const verified = nightcore(['audit', 'verify', '--json'], dir);
    expect(verified.code, verified.stdout).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, uncheckpointed: 0 });
  });

  it('audit verify --former-key: a period that does not parse is a usage error (exit 2), a good one is recorded', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nightcore-former-')), 'data');
    expect(nightcore(['audit', 'checkpoint'], dir).code).toBe(0);
    const pub = join(dir, '..', 'old.pub');
    writeFileSync(pub, `${(JSON.parse(readFileSync(join(dir, 'server-key.json'), 'utf8')) as { publicKey: string }).publicKey}\n`);
    expect(nightcore(['audit', 'verify', '--former-key', `${pub}@9..3`], dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/the period must run from seq 1 or later/) });
    const ok = nightcore(['audit', 'verify', '--json', '--former-key', `${pub}@1..`], dir);
    expect(ok.code, ok.stdout).toBe(0);
    const log = nightcore(['audit', 'export', '--format', 'jsonl'], dir).stdout;
    expect(log).toMatch(/"action":"audit.verified".*"formerKeys":\[\{"fromSeq":1,"keyid":"[0-9a-f]{64}","untilSeq":null\}\]/);
  });
});
