/**
 * Real programs built from source (testdata/programs: C with wasi-libc, Rust std), run through the
 * worker pool exactly as the governor runs them: environment, clock, randomness, poll, exit codes,
 * file IO in preopened in-memory directories, and what the grant refuses.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { createSandboxPool } from './worker-threads/pool';
import { DEFAULT_WORKER_URL } from './worker-threads/worker-url';
import type { Preopen, RunRequest, RunResult } from './types';
import { commandRequest } from './test-programs';
import { VIRTUAL_EPOCH_NS } from './wasi-host.mjs';

const pool = createSandboxPool({ size: 1, workerUrl: DEFAULT_WORKER_URL });
afterAll(() => pool.close());

async function run(req: RunRequest): Promise<RunResult> {
  const result = await pool.run(req);
  if (!result.ok) throw new Error(`run failed: ${result.code} ${result.message}`);
  return result.value;
}
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const enc = (s: string) => new TextEncoder().encode(s);
const EPOCH_SECONDS = Number(VIRTUAL_EPOCH_NS / 1_000_000_000n);
const BASE = ['args', 'stdout', 'stderr', 'exit'] as const;
/** Rust std and wasi-libc read the environment at start-up; without `environ` they stop (below). */
const BASE_ENV = [...BASE, 'environ'] as const;

const dataDir = (files: Record<string, string>): Preopen => ({
  guestPath: '/data',
  entries: Object.entries(files).map(([path, content]) => ({ path, kind: 'file' as const, data: enc(content) })),
});
const fileIn = (fs: readonly Preopen[] | undefined, path: string) => {
  const e = fs?.[0]?.entries.find((x) => x.path === path);
  return e && e.kind === 'file' ? text(e.data) : undefined;
};

describe('C sysinfo (wasi-libc): environment, clock, random, poll, exit codes', () => {
  it('a usage error exits 1 with the usage on stderr', async () => {
    const r = await run(commandRequest('sysinfo', [], { capabilities: [...BASE] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 1 });
    expect(text(r.stderr)).toMatch(/^usage: sysinfo/);
    expect(r.capabilityDenials).toEqual([]);
  });

  it('reads an allowed environment variable', async () => {
    const r = await run(commandRequest('sysinfo', ['env', 'GREETING'], { capabilities: [...BASE, 'environ'], env: { GREETING: 'hello there' } }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(text(r.stdout)).toBe('GREETING=hello there\n');
  });

  it('with environ but the variable withheld, the program sees it unset', async () => {
    const r = await run(commandRequest('sysinfo', ['env', 'GREETING'], { capabilities: [...BASE_ENV], env: {} }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 4 });
    expect(text(r.stdout)).toBe('GREETING is not set\n');
    expect(r.capabilityDenials).toEqual([]);
  });

  it('without environ, wasi-libc refuses to go on (exit 71, EX_OSERR) and the refused call is recorded: why the default policy grants environ with no variables', async () => {
    const r = await run(commandRequest('sysinfo', ['env', 'GREETING'], { capabilities: [...BASE], env: { GREETING: 'secret' } }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 71 });
    expect(text(r.stdout)).not.toContain('secret');
    expect(r.capabilityDenials.map((d) => [d.fn, d.capability, d.errno])).toContainEqual(['environ_sizes_get', 'environ', 'NOTCAPABLE']);
  });

  it('reads the virtual clock (it starts at 2000-01-01 and only moves with fuel)', async () => {
    const r = await run(commandRequest('sysinfo', ['clock'], { capabilities: [...BASE, 'clock'] }));
    const [, seconds] = /^realtime (\d+)\./.exec(text(r.stdout)) ?? [];
    expect(Number(seconds) - EPOCH_SECONDS).toBeLessThan(5);
    expect(text(r.stdout)).toContain('monotonic-positive 1');
  });

  it('draws random bytes from the seeded source: same seed, same bytes; another seed, others', async () => {
    const req = commandRequest('sysinfo', ['random', '16'], { capabilities: [...BASE, 'random'], seed: 7n });
    const [a, b, c] = [await run(req), await run(req), await run({ ...req, seed: 8n })];
    expect(text(a.stdout)).toMatch(/^[0-9a-f]{32}\n$/);
    expect(text(b.stdout)).toBe(text(a.stdout));
    expect(text(c.stdout)).not.toBe(text(a.stdout));
  });

  it('sleeps with poll_oneoff on the virtual clock, without waiting in real time', async () => {
    const r = await run(commandRequest('sysinfo', ['sleep', '5000'], { capabilities: [...BASE, 'clock'] }));
    expect(text(r.stdout)).toBe('slept-at-least 1\n');
    expect(r.wallMs).toBeLessThan(5000);
  });

  it('exits with the code it chooses', async () => {
    const r = await run(commandRequest('sysinfo', ['exit', '7'], { capabilities: [...BASE] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 7 });
  });
});

describe('Rust timekeeper (std): SystemTime, Instant, sleep, RandomState, exit codes', () => {
  it('sleeps and reads the clock', async () => {
    const r = await run(commandRequest('timekeeper', ['elapsed', '20'], { capabilities: [...BASE_ENV, 'clock'] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    const [, seconds] = /epoch-seconds (\d+)/.exec(text(r.stdout)) ?? [];
    expect(Number(seconds) - EPOCH_SECONDS).toBeLessThan(5);
    expect(text(r.stdout)).toContain('slept-at-least true');
  });

  it('seeds two hash maps from random_get, deterministically per run seed', async () => {
    const req = commandRequest('timekeeper', ['seeds'], { capabilities: [...BASE_ENV, 'random'], seed: 3n });
    const [a, b] = [await run(req), await run(req)];
    const [x, y] = text(a.stdout).trim().split(' ');
    expect(x).not.toBe(y);
    expect(text(b.stdout)).toBe(text(a.stdout));
  });

  it('a usage error exits 1; a chosen code is kept', async () => {
    expect((await run(commandRequest('timekeeper', ['bogus'], { capabilities: [...BASE_ENV] }))).outcome).toEqual({ kind: 'ok', exitCode: 1 });
    expect((await run(commandRequest('timekeeper', ['exit', '3'], { capabilities: [...BASE_ENV] }))).outcome).toEqual({ kind: 'ok', exitCode: 3 });
  });
});

describe('file IO in a preopened in-memory directory', () => {
  const input = { 'in.txt': 'hello\nworld\n' };

  it('C fileio reads a file and creates another (fs.read + fs.write); the host is never touched', async () => {
    const r = await run(commandRequest('fileio', ['/data/in.txt', '/data/out.txt'], { capabilities: [...BASE, 'fs.read', 'fs.write'], preopens: [dataDir(input)] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(text(r.stdout)).toBe('fileio: 12 bytes, 2 lines (input size 12)\n');
    expect(fileIn(r.filesystem, 'out.txt')).toBe('HELLO\nWORLD\n');
    expect(fileIn(r.filesystem, 'in.txt')).toBe('hello\nworld\n');
  });

  it('with fs.read only, creating the output is refused (exit 3) and recorded', async () => {
    const r = await run(commandRequest('fileio', ['/data/in.txt', '/data/out.txt'], { capabilities: [...BASE, 'fs.read'], preopens: [dataDir(input)] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 3 });
    expect(r.capabilityDenials.map((d) => d.fn)).toContain('path_open');
    expect(fileIn(r.filesystem, 'out.txt')).toBeUndefined();
  });

  it('without file capabilities nothing is read (exit 2) and the attempt is recorded', async () => {
    const r = await run(commandRequest('fileio', ['/data/in.txt', '/data/out.txt'], { capabilities: [...BASE], preopens: [dataDir(input)] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 2 });
    expect(r.capabilityDenials.length).toBeGreaterThan(0);
  });

  it('a path outside the preopen (.., absolute escape) is refused', async () => {
    const r = await run(commandRequest('fileio', ['/data/../../etc/passwd', '/data/out.txt'], { capabilities: [...BASE, 'fs.read', 'fs.write'], preopens: [dataDir(input)] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 2 });
    expect(fileIn(r.filesystem, 'out.txt')).toBeUndefined();
  });

  it('Rust wordcount counts a file, reads stdin with -, and appends to a log', async () => {
    const caps = [...BASE, 'environ', 'stdin', 'fs.read', 'fs.write'] as const;
    const file = await run(commandRequest('wordcount', ['/data/in.txt', '--log', '/data/log.txt'], { capabilities: [...caps], preopens: [dataDir({ ...input, 'log.txt': 'earlier\n' })], env: { WORDCOUNT_LABEL: 'wc' } }));
    expect(file.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(text(file.stdout)).toBe('wc: 2 2 12 /data/in.txt\n');
    expect(fileIn(file.filesystem, 'log.txt')).toBe('earlier\nwc: 2 2 12 /data/in.txt\n');
    const stdin = await run(commandRequest('wordcount', ['-'], { capabilities: [...caps], stdin: enc('one two three\n') }));
    expect(text(stdin.stdout)).toBe('1 3 14 -\n');
  });

  it('Rust wordcount: a usage error exits 1, a missing file exits 2', async () => {
    expect((await run(commandRequest('wordcount', [], { capabilities: [...BASE_ENV] }))).outcome).toEqual({ kind: 'ok', exitCode: 1 });
    const missing = await run(commandRequest('wordcount', ['/data/nope.txt'], { capabilities: [...BASE_ENV, 'fs.read'], preopens: [dataDir(input)] }));
    expect(missing.outcome).toEqual({ kind: 'ok', exitCode: 2 });
    expect(text(missing.stderr)).toContain('cannot read /data/nope.txt');
  });
});
