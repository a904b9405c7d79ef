/**
 * `nightcore init` infers capabilities, memory and entry from the module, through the real bin
 * script, on programs built from source (testdata/programs).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/nightcore.mjs');
const PROGRAMS = resolve(import.meta.dirname, '../../testdata/programs/wasm');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'nightcore-init-'));
});

function init(program: string, extra: string[] = [], env: Record<string, string> = {}) {
  const out = join(work, `${program}-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, [BIN, 'init', join(PROGRAMS, `${program}.wasm`), '--name', program, '--version', '1.0.0', '--out', out, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, NIGHTCORE_DATA: join(work, 'data'), NIGHTCORE_POLICY: '', ...env },
  });
  const manifest = r.status === 0 ? (JSON.parse(readFileSync(join(out, 'nightcore.json'), 'utf8')) as Record<string, any>) : null;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, manifest };
}

describe('nightcore init inference', () => {
  it('infers a C command program\'s capabilities and says which import needs each', () => {
    const r = init('sysinfo');
    expect(r.code, r.stderr).toBe(0);
    expect(r.manifest?.capabilities).toEqual(['args', 'environ', 'stdout', 'stderr', 'clock', 'random', 'exit']);
    expect(r.manifest?.entry).toBe('_start');
    expect(r.stdout).toContain('capabilities inferred from the imports:');
    expect(r.stdout).toMatch(/random: imports random_get/);
    expect(r.stdout).toContain('entry: _start (a command)');
  });

  it('sizes memory from the module within the policy cap (Rust starts at 17 pages)', () => {
    const r = init('timekeeper');
    expect(r.manifest?.limits.memoryPages).toBe(34);
    expect(r.stdout).toContain('starts with 17 memory pages; requesting 34');
    const strict = init('timekeeper', ['--policy', resolve(import.meta.dirname, '../../policies/strict.json')]);
    expect(strict.manifest?.limits.memoryPages).toBe(32);
  });

  it('uses --capability, --memory-pages and --entry as given, inferring nothing for them', () => {
    const r = init('sysinfo', ['--capability', 'stdout', '--memory-pages', '20', '--entry', '_start']);
    expect(r.manifest?.capabilities).toEqual(['stdout']);
    expect(r.manifest?.limits.memoryPages).toBe(20);
    expect(r.stdout).toContain('capabilities: as given with --capability (nothing inferred)');
    expect(r.stdout).not.toContain('memory:');
  });

  it('makes a reactor\'s entry _initialize and lists what nightcore call can invoke', () => {
    const r = init('reactor');
    expect(r.manifest?.entry).toBe('_initialize');
    expect(r.manifest?.capabilities).toEqual([]);
    expect(r.stdout).toMatch(/entry: _initialize \(a reactor\); call its exports with: nightcore call <name> <export> \[args\.\.\.\] \(.*add_i32/);
  });

  it('asks for --entry when the module has neither _start nor _initialize, naming its exports', () => {
    const r = init('abort');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exports neither _start nor _initialize; choose its entry with --entry (exported functions: check, fail)');
    expect(init('abort', ['--entry', 'check']).manifest?.entry).toBe('check');
  });

  it('refuses a file that is not WebAssembly with a clear error and creates nothing', () => {
    const bogus = join(work, 'bogus.wasm');
    writeFileSync(bogus, 'not wasm');
    const r = spawnSync(process.execPath, [BIN, 'init', bogus, '--name', 'bogus', '--version', '1.0.0', '--out', join(work, 'bogus-out'), '--json'], { encoding: 'utf8', env: { ...process.env, NIGHTCORE_DATA: join(work, 'data') } });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'WASM_MALFORMED' });
  });
});
