/**
 * "The console keeps serving while a jailed run is killed": the real services on the process
 * backend (bubblewrap jails), an HTTP server answering from them (an audit-head read from SQLite,
 * as the console's pages do), a runaway module killed at its wall-clock limit and another by the
 * kill switch, and a client asking the server every 20 ms meanwhile. Every request must be answered,
 * each within a bound, while the runs are killed and their jails replaced.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { INFINITE_LOOP, variant } from '../core/sandbox/test-modules';
import { openHarness } from './test-fixtures';
import { defaultPolicyPath } from './policy-store';

/** Generous for a shared 2-core machine; a blocked event loop would take the whole wall-clock limit. */
const MAX_LATENCY_MS = 750;

/**
 * The shipped policy caps fuel at 10^9, which a quiet machine burns in about a second: the runaway
 * would end out of fuel before its wall clock. This copy lifts the cap so only the clock and the
 * kill switch can stop it, whatever the machine's speed.
 */
const policyDir = mkdtempSync(join(tmpdir(), 'nightcore-serving-'));
function unmeteredPolicy(): string {
  const policy = JSON.parse(readFileSync(defaultPolicyPath(), 'utf8')) as { limits: { fuel: number } };
  policy.limits.fuel = Number.MAX_SAFE_INTEGER;
  const file = join(policyDir, 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

const h = openHarness({ backend: 'process', poolSize: 1, policyPath: unmeteredPolicy() });
const server = createServer((_req, res) => {
  const head = h.services.audit.head();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ seq: head.seq, running: h.services.backend().stats().running }));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await h.services.close();
  rmSync(policyDir, { recursive: true, force: true });
});

/** Asks the server every 20 ms until `done` settles; returns each request's latency. */
async function probeWhile(url: string, done: Promise<unknown>): Promise<{ latencies: number[]; failures: number; sawRunning: boolean }> {
  let finished = false;
  void done.finally(() => (finished = true));
  const latencies: number[] = [];
  let failures = 0;
  let sawRunning = false;
  while (!finished) {
    const t0 = performance.now();
    try {
      const body = (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as { running: number };
      if (body.running > 0) sawRunning = true;
      latencies.push(performance.now() - t0);
    } catch {
      failures++;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { latencies, failures, sawRunning };
}

describe('the console keeps serving while a jailed run is killed', () => {
  it('answers every request within the bound while runaway jails are killed (wall clock, then kill switch)', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const module = h.install(variant(INFINITE_LOOP, 'runaway'), { name: 'runaway', capabilities: [], limits: { fuel: Number.MAX_SAFE_INTEGER, wallMs: 1_500 } });

    // 1. Killed at its wall-clock limit.
    const timedOut = h.services.governor.run(module, {}, 'test:operator');
    const first = await probeWhile(url, timedOut);
    const r1 = await timedOut;
    if (!r1.ok) throw new Error(`${r1.code}: ${r1.message}`);
    expect(r1.value.record.execution?.outcome).toEqual({ kind: 'timeout' });
    expect(r1.value.record.backend?.kind).toBe('process');

    // 2. Killed by the kill switch half-way.
    const killed = h.services.governor.run(module, {}, 'test:operator');
    setTimeout(() => h.services.killAll('serving test', 'test:admin'), 700);
    const second = await probeWhile(url, killed);
    const r2 = await killed;
    if (!r2.ok) throw new Error(`${r2.code}: ${r2.message}`);
    expect(r2.value.record.execution?.outcome).toEqual({ kind: 'denied', reason: 'kill switch: serving test' });

    const all = [...first.latencies, ...second.latencies].sort((a, b) => a - b);
    const p95 = all[Math.floor(all.length * 0.95)]!;
    console.log(`served ${all.length} requests during 2 jailed kills: p50 ${all[Math.floor(all.length / 2)]!.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${all[all.length - 1]!.toFixed(1)} ms`);
    expect(first.failures + second.failures).toBe(0);
    expect(first.sawRunning && second.sawRunning).toBe(true); // the probes really overlapped the runs
    expect(all.length).toBeGreaterThan(20);
    expect(all[all.length - 1]!).toBeLessThan(MAX_LATENCY_MS);

    // And the backend is whole afterwards: the next run gets a fresh jail.
    const after = await h.services.governor.run(h.install(variant(INFINITE_LOOP, 'short'), { name: 'short', capabilities: [], limits: { fuel: 100_000 } }), {}, 'test:operator');
    expect(after.ok && after.value.record.execution?.outcome.kind).toBe('out_of_fuel');
  }, 60_000);
});
