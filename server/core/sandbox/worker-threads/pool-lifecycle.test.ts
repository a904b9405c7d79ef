import { describe, it, expect, afterAll, vi } from 'vitest';
import { createWorkerThreadsBackend as createSandboxPool } from './index';
import type { SandboxBackend as SandboxPool } from '../backend';
import * as m from '../test-modules';
import { DEFAULT_WORKER_URL } from './worker-url';

const pools: SandboxPool[] = [];
const newPool = (opts: Partial<Parameters<typeof createSandboxPool>[0]> = {}) => {
  const p = createSandboxPool({ workerUrl: DEFAULT_WORKER_URL, ...opts });
  pools.push(p);
  return p;
};
afterAll(() => Promise.all(pools.map((p) => p.close())));

/** A loop the fuel budget will not stop: only the wall clock or the kill switch can. */
const endless = (wallMs: number) =>
  m.request(m.INFINITE_LOOP, { capabilities: [], limits: { fuel: Number.MAX_SAFE_INTEGER, wallMs } });
const hello = () => m.request(m.HELLO, { capabilities: ['stdout'] });

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not reached');
}

describe('sandbox pool: lifecycle', () => {
  it('times out a busy loop by terminating the worker, replaces it, and serves the next run', async () => {
    const pool = newPool({ size: 1 });
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const r = await pool.run(endless(200));
    // The kill is armed with exactly the granted wall-clock limit (a late kill is a wrong delay)...
    expect(timers.mock.calls.map((c) => c[1])).toContain(200);
    timers.mockRestore();
    expect(r.ok && r.value.outcome).toEqual({ kind: 'timeout' });
    // ...and fired on time: never early, and well before a 5x-late kill (generous for a loaded machine).
    expect(r.ok && r.value.wallMs).toBeGreaterThanOrEqual(190);
    expect(r.ok && r.value.wallMs).toBeLessThan(1000);
    expect(pool.stats()).toMatchObject({ timeouts: 1, detail: expect.objectContaining({ replaced: 1 }) });
    const next = await pool.run(hello());
    expect(next.ok && next.value.outcome).toEqual({ kind: 'ok', exitCode: 0 });
  });

  it('kill switch aborts in-flight runs as denied and returns the count', async () => {
    const pool = newPool({ size: 2 });
    const runs = [pool.run(endless(60_000)), pool.run(endless(60_000))];
    await until(() => pool.stats().running === 2);
    expect(pool.killAll('incident 42')).toBe(2);
    for (const r of await Promise.all(runs)) {
      expect(r.ok && r.value.outcome).toEqual({ kind: 'denied', reason: 'kill switch: incident 42' });
    }
    const next = await pool.run(hello());
    expect(next.ok && next.value.outcome.kind).toBe('ok');
  });

  it('queues up to queueLimit, then answers BUSY at once; kill switch also rejects the queued run', async () => {
    const pool = newPool({ size: 1, queueLimit: 1 });
    const running = pool.run(endless(60_000));
    await until(() => pool.stats().running === 1);
    const queued = pool.run(endless(60_000));
    const refused = await pool.run(hello());
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.code).toBe('BUSY');
    expect(pool.stats()).toMatchObject({ queued: 1 });
    expect(pool.killAll('drain')).toBe(2);
    const [a, b] = await Promise.all([running, queued]);
    expect(a.ok && a.value.outcome).toEqual({ kind: 'denied', reason: 'kill switch: drain' });
    expect(b.ok && b.value.outcome).toEqual({ kind: 'denied', reason: 'kill switch: drain' });
  });

  it('ends pending runs with SHUT_DOWN on close and refuses new ones', async () => {
    const pool = newPool({ size: 1 });
    const pending = pool.run(endless(60_000));
    await pool.close();
    const r = await pending;
    expect(!r.ok && r.code).toBe('SHUT_DOWN');
    const after = await pool.run(hello());
    expect(!after.ok && after.code).toBe('SHUT_DOWN');
  });

  it('reports crashed when a worker dies mid-run, and replaces it', async () => {
    const pool = newPool({ size: 1, workerUrl: new URL('./crashing-worker.fixture.mjs', import.meta.url) });
    const r = await pool.run(hello());
    expect(r.ok && r.value.outcome).toEqual({ kind: 'crashed', message: 'worker exited unexpectedly (code 7)' });
    expect(pool.stats()).toMatchObject({ crashes: 1, detail: expect.objectContaining({ replaced: 1 }) });
  });

  it('reports crashed, without respawning in a loop, when the worker file cannot start', async () => {
    const pool = newPool({ size: 1, workerUrl: new URL('./no-such-worker.mjs', import.meta.url) });
    const r = await pool.run(hello());
    expect(r.ok && r.value.outcome.kind).toBe('crashed');
    expect(pool.stats().detail.executors).toBe(0);
  });
});
