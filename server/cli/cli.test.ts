/**
 * The `nightcore` command end to end, through the real bin script as a user runs it:
 * key generation, bundle creation, signing, trust, verification, import, revocation and the audit log.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, statSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { parsePrivateKeyFile } from '../core/crypto/keys';
import { signEd25519 } from '../core/crypto/ed25519';
import { sha256Hex } from '../core/crypto/digest';
import { wat } from '../core/wasm/test-wat';

const BIN = resolve(__dirname, '../../bin/nightcore.mjs');

function nightcore(args: string[], dataDir: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NIGHTCORE_DATA: dataDir },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function json(args: string[], dataDir: string) {
  const r = nightcore([...args, '--json'], dataDir);
  return { code: r.code, body: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
}

const HELLO_WAT = `(module (func (export "_start")) (memory (export "memory") 1))`;
const PRINTER_WAT = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi from wasm\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

describe('nightcore CLI', () => {
  let work: string;
  let data: string;
  let wasmFile: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nightcore-cli-'));
    data = join(work, 'data');
    wasmFile = join(work, 'hello.wasm');
    writeFileSync(wasmFile, wat(HELLO_WAT));
  });

  it('prints help for every command and exits 2 on usage errors', () => {
    const overview = nightcore(['--help'], data);
    expect(overview.code).toBe(0);
    for (const command of ['keygen', 'init', 'sign', 'verify', 'inspect', 'import', 'trust add', 'trust list', 'trust revoke', 'audit verify', 'audit export']) {
      expect(overview.stdout).toContain(command);
      const help = nightcore([...command.split(' '), '--help'], data);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`usage: nightcore ${command}`);
    }
    expect(nightcore(['keygen'], data).code).toBe(2); // --out missing
    expect(nightcore(['keygen', '--out', work, '--bogus'], data).code).toBe(2);
    expect(nightcore(['frobnicate'], data).code).toBe(2);
    expect(nightcore(['trust', 'revoke'], data).code).toBe(2);
  });

  it('signs, trusts, verifies, imports, refuses rollback and revoked keys, and keeps an intact audit chain', () => {
    const keys = join(work, 'keys');
    const gen = json(['keygen', '--out', keys, '--name', 'alice'], data);
    expect(gen.code).toBe(0);
    expect(statSync(join(keys, 'alice.key')).mode & 0o777).toBe(0o600);
    expect(nightcore(['keygen', '--out', keys, '--name', 'alice'], data).code).toBe(1); // never overwrites a key

    const v1 = join(work, 'hello-1.0.0');
    expect(nightcore(['init', wasmFile, '--name', 'hello', '--version', '1.0.0', '--out', v1], data).code).toBe(0);
    expect(nightcore(['sign', v1, '--key', join(keys, 'alice.key')], data).code).toBe(0);

    // Signed but the key is not trusted yet.
    const untrusted = json(['verify', v1], data);
    expect(untrusted.code).toBe(1);
    expect(untrusted.body.code).toBe('UNTRUSTED_KEY');

    expect(nightcore(['trust', 'add', join(keys, 'alice.pub'), '--role', 'publisher'], data).code).toBe(0);
    const verified = json(['verify', v1], data);
    expect(verified.code).toBe(0);
    expect(verified.body.wasmSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json(['import', v1], data).code).toBe(0);

    // The same code cannot come back as a newer version (issue 8: old code relabelled as new).
    const same = join(work, 'hello-1.5.0');
    nightcore(['init', wasmFile, '--name', 'hello', '--version', '1.5.0', '--out', same], data);
    nightcore(['sign', same, '--key', join(keys, 'alice.key')], data);
    const reused = json(['import', same], data);
    expect(reused.code).toBe(1);
    expect(reused.body.code).toBe('CODE_REUSED');

    // A newer version (new code) imports; going back to an older one is a rollback.
    const wasm2 = join(work, 'hello-2.wasm');
    writeFileSync(wasm2, wat(HELLO_WAT.replace('(export "_start")', '(export "_start") (export "second")')));
    const v2 = join(work, 'hello-2.0.0');
    nightcore(['init', wasm2, '--name', 'hello', '--version', '2.0.0', '--out', v2, '--description', 'second'], data);
    nightcore(['sign', v2, '--key', join(keys, 'alice.key')], data);
    expect(json(['import', v2], data).code).toBe(0);
    const v0 = join(work, 'hello-0.9.0');
    nightcore(['init', wasmFile, '--name', 'hello', '--version', '0.9.0', '--out', v0], data);
    nightcore(['sign', v0, '--key', join(keys, 'alice.key')], data);
    const rollback = json(['import', v0], data);
    expect(rollback.code).toBe(1);
    expect(rollback.body.code).toBe('ROLLBACK');

    // Tampering with one byte of the module breaks the pinned digest.
    const tampered = join(work, 'tampered');
    cpSync(v2, tampered, { recursive: true });
    const bytes = readFileSync(join(tampered, 'module.wasm'));
    bytes[bytes.length - 1]! ^= 0x01;
    writeFileSync(join(tampered, 'module.wasm'), bytes);
    expect(json(['verify', tampered], data).body.code).toBe('DIGEST_MISMATCH');

    // After revocation, a bundle first seen later is refused.
    const keyid = (gen.body as { keyid: string }).keyid;
    expect(nightcore(['trust', 'revoke', keyid.slice(0, 12), '--reason', 'laptop lost'], data).code).toBe(0);
    const v3 = join(work, 'hello-3.0.0');
    writeFileSync(join(work, 'hello-3.wasm'), wat(HELLO_WAT.replace('(export "_start")', '(export "_start") (export "third")')));
    nightcore(['init', join(work, 'hello-3.wasm'), '--name', 'hello', '--version', '3.0.0', '--out', v3], data);
    nightcore(['sign', v3, '--key', join(keys, 'alice.key')], data);
    expect(json(['verify', v3], data).body.code).toBe('KEY_REVOKED');

    const listed = json(['trust', 'list'], data);
    expect((listed.body.keys as { status: string }[])[0]!.status).toBe('revoked');

    const audit = json(['audit', 'verify'], data);
    expect(audit.code).toBe(0);
    expect(audit.body.events).toBeGreaterThanOrEqual(6); // key added, 2 imports, rejections, revocation

    const exportFile = join(work, 'audit.jsonl');
    expect(nightcore(['audit', 'export', '--format', 'jsonl', '--out', exportFile], data).code).toBe(0);
    const actions = readFileSync(exportFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toEqual(expect.arrayContaining(['key.added', 'module.imported', 'module.rejected', 'key.revoked']));
    expect(nightcore(['audit', 'export', '--format', 'csv', '--out', exportFile], data).code).toBe(1); // never overwrites
    const csv = nightcore(['audit', 'export', '--format', 'csv'], data);
    expect(csv.stdout.split('\n')[0]).toContain('seq');
  });

  it('inspects a module and reports malformed bytes with exit 1', () => {
    const report = json(['inspect', wasmFile], data);
    expect(report.code).toBe(0);
    expect((report.body.report as { exports: { name: string }[] }).exports.map((e) => e.name)).toEqual(['_start', 'memory']);
    const junk = join(work, 'junk.wasm');
    writeFileSync(junk, Buffer.from('not wasm at all'));
    const bad = json(['inspect', junk], data);
    expect(bad.code).toBe(1);
    expect(bad.body.code).toBe('WASM_MALFORMED');
  });

  it('imports a legacy tenant folder only when its key is in the trust store', () => {
    const keys = join(work, 'legacy-keys');
    expect(nightcore(['keygen', '--out', keys, '--name', 'worker'], data).code).toBe(0);
    const key = parsePrivateKeyFile(readFileSync(join(keys, 'worker.key'), 'utf8'));
    if (!key.ok) throw new Error(key.message);
    const wasm = new Uint8Array(readFileSync(wasmFile));
    const dir = join(work, 'tenantA-hello');
    mkdirSync(dir);
    writeFileSync(join(dir, 'module.wasm'), wasm);
    writeFileSync(join(dir, 'module.sig'), Buffer.from(signEd25519(key.value.seed, wasm)).toString('base64'));
    writeFileSync(join(dir, 'pubkey.b64'), readFileSync(join(keys, 'worker.pub')));
    writeFileSync(join(dir, 'module.sha256'), `${sha256Hex(wasm)}  module.wasm\n`);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ name: 'tenantA-hello', version: '1.2.0', description: 'legacy' }));

    // A legacy folder's name and version are unsigned: importing one is an explicit decision.
    const notChosen = json(['import', dir], data);
    expect(notChosen.code).toBe(1);
    expect(notChosen.body.code).toBe('LEGACY_NOT_ALLOWED');

    // The folder carries its own public key: that alone is never trust.
    const untrusted = json(['import', dir, '--legacy'], data);
    expect(untrusted.code).toBe(1);
    expect(untrusted.body.code).toBe('UNTRUSTED_KEY');

    expect(nightcore(['trust', 'add', join(keys, 'worker.pub'), '--role', 'publisher'], data).code).toBe(0);
    const imported = json(['import', dir, '--legacy'], data);
    expect(imported.code).toBe(0);
    expect(imported.body.module).toMatchObject({ name: 'tenanta-hello', version: '1.2.0', source: 'legacy' });

    // module.sha256 is checked too.
    writeFileSync(join(dir, 'module.sha256'), `${'0'.repeat(64)}\n`);
    expect(json(['verify', dir], data).body.code).toBe('DIGEST_MISMATCH');
  });

  it('runs a module with a recorded decision, lists and shows runs, replays, and checks policies', () => {
    const keys = join(work, 'run-keys');
    nightcore(['keygen', '--out', keys, '--name', 'runner'], data);
    nightcore(['trust', 'add', join(keys, 'runner.pub'), '--role', 'publisher'], data);
    const hello = join(work, 'printer');
    writeFileSync(join(work, 'printer.wasm'), wat(PRINTER_WAT));
    nightcore(['init', join(work, 'printer.wasm'), '--name', 'printer', '--version', '1.0.0', '--out', hello, '--capability', 'stdout', '--capability', 'args'], data);
    nightcore(['sign', hello, '--key', join(keys, 'runner.key')], data);

    // A dry run judges the folder and changes nothing: it is not imported, and no run is recorded.
    const dry = json(['run', hello, '--dry-run'], data);
    expect(dry.code).toBe(0);
    expect(dry.body).toMatchObject({ ok: true, dryRun: true, module: 'printer@1.0.0', pre: { decision: 'allow' } });
    expect(json(['run', 'printer', '--dry-run'], data).body.code).toBe('MODULE_NOT_FOUND');

    const first = nightcore(['run', hello, '--seed', '42', '--', 'extra-arg'], data);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('hi from wasm\n');
    expect(first.stderr).toContain('pre-exec: ALLOW');

    const runJson = json(['run', 'printer', '--seed', '42'], data);
    expect(runJson.code).toBe(0);
    const record = runJson.body.record as { runId: string; decision: string; input: { seed: string } };
    expect(record.decision).toBe('allow');
    expect(record.input.seed).toBe('42');

    const listed = json(['runs', 'list', '--module', 'printer'], data);
    expect((listed.body.runs as unknown[]).length).toBe(2);
    const shown = json(['runs', 'show', record.runId], data);
    expect(shown.body.stdout).toBe('hi from wasm\n');
    const replayed = json(['replay', record.runId], data);
    expect(replayed.code).toBe(0);
    expect(replayed.body.identical).toBe(true);

    expect(json(['run', 'no-such-module'], data).body.code).toBe('MODULE_NOT_FOUND');
    expect(nightcore(['run', 'printer', '--seed', 'abc'], data).code).toBe(2);

    expect(nightcore(['policy', 'check', resolve(__dirname, '../../policies/strict.json')], data).code).toBe(0);
    const badPolicy = join(work, 'bad-policy.json');
    writeFileSync(badPolicy, JSON.stringify({ format: 'nightcore.policy/v1', name: '', revision: -1 }));
    const bad = json(['policy', 'check', badPolicy], data);
    expect(bad.code).toBe(1);
    expect(bad.body.code).toBe('POLICY_INVALID');
    expect((bad.body.issues as string[]).join('\n')).toMatch(/revision/);
    // A policy that does not load stops every command that would judge a run: default deny.
    expect(json(['run', 'printer', '--policy', badPolicy], data).body.code).toBe('POLICY_INVALID');
  });

  it('detects a row changed behind the triggers\' back and names its sequence number', () => {
    const db = new Database(join(data, 'nightcore.db'));
    const seq = (db.prepare('SELECT min(seq) AS seq FROM audit_events WHERE action = ?').get('key.added') as { seq: number }).seq;
    db.exec('DROP TRIGGER audit_events_no_update');
    db.prepare("UPDATE audit_events SET actor = 'mallory' WHERE seq = ?").run(seq);
    db.close();
    const verified = json(['audit', 'verify'], data);
    expect(verified.code).toBe(1);
    expect(verified.body.code).toBe('HASH_MISMATCH');
    expect(verified.body.message).toContain(`seq ${seq}`);
  });
});
