import { describe, it, expect, afterAll } from 'vitest';
import { createWorkerThreadsBackend as createSandboxPool } from './index';
import { DEFAULT_WORKER_URL } from './worker-url';
import type { RunRequest, RunResult } from '../types';
import { createXoshiro256StarStar } from '../prng.mjs';
import { VIRTUAL_EPOCH_NS } from '../wasi-host.mjs';
import * as m from '../test-modules';

const pool = createSandboxPool({ size: 2, workerUrl: DEFAULT_WORKER_URL });
afterAll(() => pool.close());

async function run(req: RunRequest): Promise<RunResult> {
  const result = await pool.run(req);
  if (!result.ok) throw new Error(`run failed: ${result.code} ${result.message}`);
  return result.value;
}
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('sandbox pool: outcomes', () => {
  it('runs a WASI hello world and captures stdout', async () => {
    const r = await run(m.request(m.HELLO, { capabilities: ['stdout'] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(text(r.stdout)).toBe('hello, world\n');
    expect(r.stderr).toHaveLength(0);
    expect(r.outputTruncated).toBe(false);
    expect(r.peakMemoryPages).toBe(1);
    expect(r.fuelUsed).toBeGreaterThan(0);
    expect(r.fuelUsed).toBeLessThan(10_000_000);
  });

  it('stops an infinite loop at exactly the fuel budget, the same way every time', async () => {
    const req = m.request(m.INFINITE_LOOP, { capabilities: [], limits: { fuel: 50_000 } });
    const runs = [await run(req), await run(req), await run(req)];
    for (const r of runs) {
      expect(r.outcome).toEqual({ kind: 'out_of_fuel' });
      expect(r.fuelUsed).toBe(50_000);
    }
  });

  it('reports a memory bomb that traps at the cap as memory_limit with peak = cap', async () => {
    const r = await run(m.request(m.memoryBomb('trap'), { capabilities: [], limits: { memoryPages: 8 } }));
    expect(r.outcome).toEqual({ kind: 'memory_limit' });
    expect(r.peakMemoryPages).toBe(8);
  });

  it('reports a memory bomb that keeps spinning at the cap as memory_limit, fuel fully used', async () => {
    const r = await run(m.request(m.memoryBomb('spin'), { capabilities: [], limits: { memoryPages: 8, fuel: 200_000 } }));
    expect(r.outcome).toEqual({ kind: 'memory_limit' });
    expect(r.peakMemoryPages).toBe(8);
    expect(r.fuelUsed).toBe(200_000);
  });

  it('lets a module that copes with memory.grow = -1 at the cap end ok', async () => {
    const r = await run(m.request(m.memoryBomb('cope'), { capabilities: [], limits: { memoryPages: 8 } }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(r.peakMemoryPages).toBe(8);
  });

  it('turns unbounded recursion into trap stack_overflow', async () => {
    const r = await run(m.request(m.DEEP_RECURSION, { capabilities: [], limits: { fuel: 1e12 } }));
    expect(r.outcome).toEqual({ kind: 'trap', trap: 'stack_overflow' });
  });

  it('normalizes traps: unreachable and integer divide by zero', async () => {
    const unreachable = await run(m.request(m.UNREACHABLE, { capabilities: [] }));
    expect(unreachable.outcome).toEqual({ kind: 'trap', trap: 'unreachable' });
    const div = await run(m.request(m.DIVIDE_BY_ZERO, { capabilities: [] }));
    expect(div.outcome).toEqual({ kind: 'trap', trap: 'integer_divide_by_zero' });
  });

  it('caps stdout + stderr at outputBytes and flags truncation without failing the run', async () => {
    const r = await run(m.request(m.chatty(100), { capabilities: ['stdout', 'stderr'], limits: { outputBytes: 5000 } }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(text(r.stderr)).toBe('err\n');
    expect(r.stdout.length).toBe(4996);
    expect(r.outputTruncated).toBe(true);
  });

  it('ends with the code passed to proc_exit', async () => {
    const r = await run(m.request(m.EXIT_3, { capabilities: ['exit'] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 3 });
  });

  it('feeds stdin to fd_read', async () => {
    const stdin = new TextEncoder().encode('ping from stdin');
    const r = await run(m.request(m.ECHO_STDIN, { capabilities: ['stdin', 'stdout'], stdin }));
    expect(text(r.stdout)).toBe('ping from stdin');
  });
});

describe('sandbox pool: determinism', () => {
  it('gives the same random bytes for the same seed and different ones for another seed', async () => {
    const caps = ['random', 'stdout'] as const;
    const a = await run(m.request(m.RANDOM_32, { capabilities: caps, seed: 99n }));
    const b = await run(m.request(m.RANDOM_32, { capabilities: caps, seed: 99n }));
    const c = await run(m.request(m.RANDOM_32, { capabilities: caps, seed: 100n }));
    const expected = new Uint8Array(32);
    createXoshiro256StarStar(99n).fill(expected);
    expect(a.stdout).toEqual(expected);
    expect(b.stdout).toEqual(a.stdout);
    expect(c.stdout).not.toEqual(a.stdout);
  });

  it('reads a virtual clock that starts at the epoch and advances only with fuel', async () => {
    const req = m.request(m.clockTwice(1000), { capabilities: ['clock', 'stdout'] });
    const [a, b] = [await run(req), await run(req)];
    expect(b.stdout).toEqual(a.stdout);
    expect(b.fuelUsed).toBe(a.fuelUsed);
    const view = new DataView(a.stdout.buffer, a.stdout.byteOffset, 16);
    const [t1, t2] = [view.getBigUint64(0, true), view.getBigUint64(8, true)];
    expect(t1).toBeGreaterThanOrEqual(VIRTUAL_EPOCH_NS);
    expect(t2 - t1).toBeGreaterThanOrEqual(1000n); // at least one fuel unit per loop iteration
    expect(t2 - VIRTUAL_EPOCH_NS).toBeLessThanOrEqual(BigInt(a.fuelUsed));
  });
});

describe('sandbox pool: refusals', () => {
  it('denies a module importing from outside preview1, naming the import; preview1 imports always link', async () => {
    const r = await run(m.request(m.OPENS_FILES));
    expect(r.outcome.kind).toBe('denied');
    const reason = r.outcome.kind === 'denied' ? r.outcome.reason : '';
    expect(reason).toContain('env.sneaky');
    expect(reason).not.toContain('path_open');
  });

  it('runs fd_write without stdout/stderr granted, refusing the call at run time and recording it', async () => {
    const r = await run(m.request(m.HELLO, { capabilities: ['clock'] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(r.stdout).toHaveLength(0);
    expect(r.capabilityDenials).toEqual([{ fn: 'fd_write', capability: 'stdout', errno: 'NOTCAPABLE', count: 1, samples: ['1'] }]);
  });

  it('denies bytes that do not match the declared digest (the cache key)', async () => {
    const r = await run({ ...m.request(m.HELLO), wasmSha256: m.sha256Hex(m.UNREACHABLE) });
    expect(r.outcome).toEqual({ kind: 'denied', reason: 'wasm bytes do not match wasmSha256' });
  });

  it('reports a missing entry export as trap missing_entry', async () => {
    const r = await run(m.request(m.HELLO, { entry: 'main', capabilities: ['stdout'] }));
    expect(r.outcome).toEqual({ kind: 'trap', trap: 'missing_entry' });
  });

  it('denies a request whose limits are out of range instead of failing inside a worker', async () => {
    const r = await run(m.request(m.HELLO, { capabilities: ['stdout'], limits: { fuel: 1.5, wallMs: 0 } }));
    expect(r.outcome.kind).toBe('denied');
    const reason = r.outcome.kind === 'denied' ? r.outcome.reason : '';
    expect(reason).toContain('fuel');
    expect(reason).toContain('wallMs');
  });

  it('returns INSTRUMENT_FAILED for bytes that are not wasm', async () => {
    const junk = new TextEncoder().encode('definitely not wasm');
    const r = await pool.run(m.request(junk));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('INSTRUMENT_FAILED');
  });

  it('compiles a module once and reuses it from the cache', async () => {
    const before = pool.stats().detail;
    const wasm = m.chatty(1);
    await run(m.request(wasm, { capabilities: ['stdout', 'stderr'] }));
    await run(m.request(wasm, { capabilities: ['stdout', 'stderr'] }));
    const after = pool.stats().detail;
    expect(after.cacheMisses! - before.cacheMisses!).toBe(1);
    expect(after.cacheHits! - before.cacheHits!).toBe(1);
  });
});

describe('sandbox pool: preopened directories', () => {
  const WRITES_FILE = m.WRITES_FILE;
  const input = { path: 'in.txt', kind: 'file' as const, data: new TextEncoder().encode('input') };

  it('gives a worker a copy of the directory and returns its final state', async () => {
    const r = await run(m.request(WRITES_FILE, { capabilities: ['fs.write'], preopens: [{ guestPath: '/', entries: [input] }] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(r.capabilityDenials).toEqual([]);
    expect(r.filesystem?.[0]?.guestPath).toBe('/');
    expect(r.filesystem?.[0]?.entries.map((e) => [e.path, e.kind === 'file' ? text(e.data) : e.kind])).toEqual([
      ['in.txt', 'input'],
      ['out.txt', 'written in the sandbox'],
    ]);
    expect(text(input.data)).toBe('input');
  });

  it('refuses the write without fs.write: the run traps on its own check and the denial is recorded', async () => {
    const r = await run(m.request(WRITES_FILE, { capabilities: ['fs.read'], preopens: [{ guestPath: '/', entries: [input] }] }));
    expect(r.outcome).toEqual({ kind: 'trap', trap: 'unreachable' });
    expect(r.capabilityDenials.map((d) => `${d.fn}:${d.capability}:${d.errno}`)).toEqual(['path_open:fs.write:NOTCAPABLE']);
    expect(r.filesystem?.[0]?.entries.map((e) => e.path)).toEqual(['in.txt']);
  });

  it.each([
    [[{ guestPath: 'relative', entries: [] }], 'absolute guest path'],
    [[{ guestPath: '/', entries: [{ path: '../escape', kind: 'dir' as const }] }], '".." component'],
    [[{ guestPath: '/', entries: [{ path: '/abs', kind: 'dir' as const }] }], '"" component'],
    [[{ guestPath: '/', entries: [input, { path: 'in.txt/below', kind: 'dir' as const }] }], 'lies below a file'],
    [[{ guestPath: '/', entries: [input, input] }], 'given twice'],
    [[{ guestPath: '/a/../b', entries: [] }], '".." component'],
    [[{ guestPath: '/', entries: [] }, { guestPath: '/', entries: [] }], 'given twice'],
  ])('denies malformed preopens before dispatch (%#)', async (preopens, why) => {
    const r = await run(m.request(m.HELLO, { preopens }));
    expect(r.outcome.kind).toBe('denied');
    expect(r.outcome.kind === 'denied' && r.outcome.reason).toContain(why);
  });
});
