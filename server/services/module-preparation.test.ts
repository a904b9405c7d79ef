/**
 * Regression (issue 8): a valid multi-MB module with very many functions was instrumented on the
 * serving thread for seconds, and every other request waited. Module work now happens on the
 * preparation thread, once per digest at import, persisted; the longest event-loop stall is measured
 * with perf_hooks.monitorEventLoopDelay over the import's preparation and a run.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { manyFunctions } from '../core/sandbox/instrument/many-functions';
import { openHarness, type Harness } from './test-fixtures';
import { HELLO, variant } from '../core/sandbox/test-modules';

/**
 * The issue asks for at most ~50 ms of blocking. On this test machine (2 cores shared by many
 * processes, load average above 10) the OS alone deschedules the thread for 100+ ms, so wall-clock
 * stalls get a bound that still catches any real blocking (the old path blocked for the whole
 * instrumentation: ~20 s here), and the thread's busy time (event-loop utilisation) is bounded too.
 * What the thread does meanwhile is bookkeeping: hashing, reading the persisted report, the run's records.
 */
const MAX_STALL_MS = 1000;
/** Busy share of the serving thread over the window (the old path: ~100 %, all of it instrumenting). */
const MAX_UTILISATION = 0.2;

describe('large modules never stall the serving thread', () => {
  let h: Harness;
  beforeAll(() => {
    h = openHarness();
  });
  afterAll(() => h.services.close());

  it('prepares a 2 MB module of 500,000 functions at import and runs it, without a stall over the bound', async () => {
    const wasm = manyFunctions(500_000);
    expect(wasm.length).toBeGreaterThan(2_000_000);
    const module = h.install(wasm, { name: 'many', capabilities: [] });

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.eventLoopUtilization();
    const startedAt = performance.now();
    const prepared = await h.services.prepareImported(module);
    expect(prepared.ok).toBe(true);
    const ran = await h.services.governor.run(module, {}, 'test:operator');
    delay.disable();
    const busy = performance.eventLoopUtilization(started);
    const wallMs = performance.now() - startedAt;

    if (!ran.ok) throw new Error(ran.message);
    expect(ran.value.record.execution?.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(ran.value.record.decision).toBe('allow');
    const worstMs = delay.max / 1e6;
    console.log(
      `preparation + run: ${wallMs.toFixed(0)} ms wall, event loop busy ${busy.active.toFixed(0)} ms; ` +
        `longest stall ${worstMs.toFixed(1)} ms (p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms)`,
    );
    expect(worstMs).toBeLessThan(MAX_STALL_MS);
    expect(busy.utilization).toBeLessThan(MAX_UTILISATION);

    // Persisted once per digest: the report and the artefact for the granted caps.
    const files = readdirSync(join(h.dataDir, 'prepared')).filter((f) => f.startsWith(module.wasmSha256));
    expect(files.sort()).toEqual([
      `${module.wasmSha256}.m16.t65536.json`,
      `${module.wasmSha256}.m16.t65536.wasm`,
      `${module.wasmSha256}.report.json`,
    ]);
  }, 180_000);
});

describe('closing with a preparation still in flight', () => {
  it('waits for it: nothing is written into the data folder after close(), and nothing is left unhandled', async () => {
    for (let i = 0; i < 5; i++) {
      const h = openHarness();
      const module = h.install(variant(HELLO, `closing-${i}`), { name: 'hello', capabilities: ['stdout'] });
      // As the upload route does: started, not awaited, then the services close at once.
      const prepared = h.services.prepareImported(module);
      await h.services.close();
      const settled = await Promise.race([prepared.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 0))]);
      expect(settled).toBe('settled');
      // Removing the folder now races with nothing (it used to fail a rename inside it, or recreate it).
      rmSync(h.dataDir, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(h.dataDir)).toBe(false);
    }
  });
});
