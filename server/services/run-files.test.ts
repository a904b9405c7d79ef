/**
 * `--dir`/`--save`/`--env` through real services: inputs recorded by digest and stored once,
 * outputs released only on allow, variables withheld by the policy named in the record, replay
 * rebuilding the same filesystem and proving the same outputs, and refusing when a stored input changed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync, truncateSync, symlinkSync, closeSync, openSync } from 'node:fs';
import { INPUT_LIMITS } from '../core/run';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openHarness, type Harness } from './test-fixtures';
import { snapshotHostDirs, saveGuestDir, checkSaveTargets } from './host-dirs';
import { WRITES_FILE, variant, wat } from '../core/sandbox/test-modules';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** Writes out.txt like WRITES_FILE, then traps: the run is denied after changing its copy. */
const WRITES_THEN_TRAPS = wat(`(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "out.txt")
  (data (i32.const 200) "should never leave")
  (func (export "_start")
    (drop (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 7) (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
    (i32.store (i32.const 16) (i32.const 200))
    (i32.store (i32.const 20) (i32.const 18))
    (drop (call $write (i32.load (i32.const 0)) (i32.const 16) (i32.const 1) (i32.const 24)))
    unreachable))`);

describe('runs with preopened folders (real services)', () => {
  let h: Harness;
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nc-dirs-'));
    const policy = JSON.parse(readFileSync(join(__dirname, '../../policies/default.json'), 'utf8'));
    policy.name = 'files';
    policy.capabilities = [...policy.capabilities, 'fs.read', 'fs.write'];
    policy.env = ['ALLOWED'];
    const policyPath = join(work, 'policy.json');
    writeFileSync(policyPath, JSON.stringify(policy));
    h = openHarness({ policyPath });
    mkdirSync(join(work, 'in'));
    mkdirSync(join(work, 'in', 'sub'));
    writeFileSync(join(work, 'in', 'a.txt'), 'alpha');
    writeFileSync(join(work, 'in', 'sub', 'b.txt'), 'beta');
  });
  afterAll(async () => {
    await h.services.close();
  });

  const input = () => {
    const dirs = snapshotHostDirs([{ host: join(work, 'in'), guest: '/data' }]);
    if (!dirs.ok) throw new Error(dirs.message);
    return dirs.value;
  };
  const run = async (wasm: Uint8Array, name: string, extra: Record<string, unknown> = {}) => {
    const module = h.install(variant(wasm, name), { name, capabilities: ['fs.read', 'fs.write', 'environ', 'stdout'] });
    const ran = await h.services.governor.run(module, { dirs: input(), seed: 1n, ...extra }, 'test:operator');
    if (!ran.ok) throw new Error(`${ran.code}: ${ran.message}`);
    return ran.value;
  };

  it('records each input file by SHA-256, releases the final state on allow, and --save writes it to a new folder', async () => {
    const r = await run(WRITES_FILE, 'writer');
    expect(r.record.decision).toBe('allow');
    expect(r.record.input.dirs).toEqual([
      {
        guestPath: '/data',
        entryCount: 3,
        bytes: 9,
        entries: [
          { path: 'a.txt', kind: 'file', sha256: sha('alpha'), bytes: 5 },
          { path: 'sub', kind: 'dir' },
          { path: 'sub/b.txt', kind: 'file', sha256: sha('beta'), bytes: 4 },
        ],
        treeSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(r.record.execution?.filesystem?.[0]).toMatchObject({ guestPath: '/data', entries: 4, bytes: 5 + 4 + 22 });
    const out = r.outputs?.find((d) => d.guestPath === '/data');
    expect(out?.entries.map((e) => e.path)).toEqual(['a.txt', 'out.txt', 'sub', 'sub/b.txt']);
    // The host folder itself was never touched.
    expect(readdirSync(join(work, 'in')).sort()).toEqual(['a.txt', 'sub']);

    const target = join(work, 'saved');
    expect(checkSaveTargets([target]).ok).toBe(true);
    const saved = saveGuestDir(out!, target);
    expect(saved.ok && saved.value).toMatchObject({ files: 3, bytes: 31 });
    expect(readFileSync(join(target, 'out.txt'), 'utf8')).toBe('written in the sandbox');
    expect(readFileSync(join(target, 'sub', 'b.txt'), 'utf8')).toBe('beta');
    // Never into an existing folder.
    expect(checkSaveTargets([target])).toMatchObject({ ok: false, code: 'SAVE_TARGET_EXISTS' });
    expect(saveGuestDir(out!, target)).toMatchObject({ ok: false, code: 'SAVE_TARGET_EXISTS' });
  });

  it('withholds the outputs of a denied run', async () => {
    const r = await run(WRITES_THEN_TRAPS, 'leaker');
    expect(r.record.decision).toBe('deny');
    expect(r.record.execution?.filesystem?.[0]?.entries).toBe(4); // recorded as a digest only
    expect(r.outputs).toBeUndefined();
  });

  it('passes only variables the policy allows, and records the names it withheld (never their values)', async () => {
    const r = await run(WRITES_FILE, 'env-user', { env: { ALLOWED: 'yes', SECRET_TOKEN: 'hunter2' } });
    expect(r.record.input.env).toEqual({ ALLOWED: 'yes' });
    expect(r.record.input.envWithheld).toEqual(['SECRET_TOKEN']);
    expect(JSON.stringify(r.record)).not.toContain('hunter2');
  });

  it('replays with the same filesystem and proves the same outputs; refuses when a stored input was altered', async () => {
    const r = await run(WRITES_FILE, 'replayed');
    const replay = await h.services.governor.replay(r.record.runId, 'test:operator');
    expect(replay.ok && replay.value.identical).toBe(true);
    expect(replay.ok && replay.value.replayed.filesystem).toBe(`/data=${r.record.execution?.filesystem?.[0]?.treeSha256}`);

    // Stored once by content, whatever the number of runs.
    const rows = h.services.handle.sqlite.prepare('SELECT sha256, bytes FROM run_files ORDER BY bytes').all();
    // (plus each distinct listing, by the tree digest the record holds)
    expect(rows.filter((r) => (r as { bytes: number }).bytes < 10)).toEqual([
      { sha256: sha('beta'), bytes: 4 },
      { sha256: sha('alpha'), bytes: 5 },
    ]);
    expect(rows.map((r) => (r as { sha256: string }).sha256)).toContain(r.record.input.dirs?.[0]?.treeSha256);
    h.services.handle.sqlite.prepare('UPDATE run_files SET content = ? WHERE sha256 = ?').run(Buffer.from('ALPHA'), sha('alpha'));
    const refused = await h.services.governor.replay(r.record.runId, 'test:operator');
    expect(refused.ok ? 'replayed' : refused.code).toBe('INPUT_MISSING');
  });

  it('keeps a large tree out of the audit event: the record holds its digest, the listing is stored by it, replay still works', async () => {
    const many = join(work, 'many');
    mkdirSync(many);
    for (let i = 0; i < 600; i++) writeFileSync(join(many, `file-number-${i}.txt`), `content ${i}`);
    const dirs = snapshotHostDirs([{ host: many, guest: '/many' }]);
    if (!dirs.ok) throw new Error(dirs.message);
    const module = h.install(variant(WRITES_FILE, 'many-writer'), { name: 'many-writer', capabilities: ['fs.read', 'fs.write'] });
    const ran = await h.services.governor.run(module, { dirs: dirs.value, seed: 2n }, 'test:operator');
    if (!ran.ok) throw new Error(`${ran.code}: ${ran.message}`);
    const [d] = ran.value.record.input.dirs ?? [];
    expect(d).toMatchObject({ guestPath: '/many', entryCount: 600 });
    expect(d?.entries).toBeUndefined();
    expect(ran.value.record.decision).toBe('allow');
    const replay = await h.services.governor.replay(ran.value.record.runId, 'test:operator');
    expect(replay.ok && replay.value.identical).toBe(true);
    h.services.handle.sqlite.prepare('DELETE FROM run_files WHERE sha256 = ?').run(d!.treeSha256);
    const refused = await h.services.governor.replay(ran.value.record.runId, 'test:operator');
    expect(refused.ok ? 'replayed' : refused.code).toBe('INPUT_MISSING');
  });

  it('refuses folders over the input limits before reading them, and records host links without following them', () => {
    expect(snapshotHostDirs([{ host: join(work, 'missing'), guest: '/x' }])).toMatchObject({ ok: false, code: 'READ_FAILED' });
    const big = join(work, 'big');
    mkdirSync(big);
    closeSync(openSync(join(big, 'huge.bin'), 'w'));
    truncateSync(join(big, 'huge.bin'), INPUT_LIMITS.dirBytes + 1); // sparse: costs no disk or memory
    expect(snapshotHostDirs([{ host: big, guest: '/big' }])).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
    const linked = join(work, 'linked');
    mkdirSync(linked);
    symlinkSync('/etc/passwd', join(linked, 'passwd'));
    const snap = snapshotHostDirs([{ host: linked, guest: '/l' }]);
    expect(snap.ok && snap.value[0]?.entries).toEqual([{ path: 'passwd', kind: 'symlink', target: '/etc/passwd' }]);
    expect(existsSync(join(work, 'in'))).toBe(true);
  });
});
