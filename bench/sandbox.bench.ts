/**
 * Sandbox pool benchmark: `node bin/run-ts.mjs bench/sandbox.bench.ts`
 * Everything is compared as ratios measured side by side in this same run (absolute numbers vary
 * with the machine; the ratios are what to watch). Writes bench/results/sandbox.{json,md}.
 */
import os from 'node:os';
import { writeFileSync, mkdirSync } from 'node:fs';
import { createWorkerThreadsBackend as createSandboxPool } from '../server/core/sandbox/worker-threads';
import { DEFAULT_WORKER_URL } from '../server/core/sandbox/worker-threads/worker-url';
import * as m from '../server/core/sandbox/test-modules';

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * A compute loop: sums 0..n-1 into a global (so the engine cannot drop the loop as dead code),
 * prints nothing, so the run measures metered wasm work.
 */
const sumLoop = m.wat(`(module
  (global $sum (export "sum") (mut i64) (i64.const 0))
  (func (export "_start") (local $i i32) (local $acc i64)
    (loop $l
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000000))))
    (global.set $sum (local.get $acc))))`);

async function main() {
  const cores = os.availableParallelism();
  const pool = createSandboxPool({ size: cores, queueLimit: 1024, workerUrl: DEFAULT_WORKER_URL });
  const hello = m.request(m.HELLO, { capabilities: ['stdout'] });
  const must = async (req: typeof hello) => {
    const r = await pool.run(req);
    if (!r.ok || r.value.outcome.kind !== 'ok') throw new Error(`bench run failed: ${JSON.stringify(r)}`);
    return r.value;
  };

  // Warm-up: starts the workers and fills the module cache.
  await Promise.all(Array.from({ length: cores }, () => must(hello)));

  // 1. Sequential latency of a warm hello world (dispatch + instantiate + run + result transfer).
  const lat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await must(hello);
    lat.push(performance.now() - t);
  }

  // 2. Cold (instrument + compile) vs warm (cache hit): distinct digests force misses.
  const coldMs: number[] = [];
  const warmMs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const wasm = m.chatty(i + 2); // different bytes each time → cache miss
    const req = m.request(wasm, { capabilities: ['stdout', 'stderr'] });
    let t = performance.now();
    await must(req);
    coldMs.push(performance.now() - t);
    t = performance.now();
    await must(req);
    warmMs.push(performance.now() - t);
  }

  // 3. Throughput: 400 hello runs issued at once vs one at a time.
  const N = 400;
  let t = performance.now();
  for (let i = 0; i < N; i++) await must(hello);
  const serialMs = performance.now() - t;
  t = performance.now();
  await Promise.all(Array.from({ length: N }, () => must(hello)));
  const parallelMs = performance.now() - t;

  // 4. Metered compute in the sandbox vs the same uninstrumented module called in-process.
  const direct = new WebAssembly.Instance(new WebAssembly.Module(sumLoop as BufferSource), {});
  const start = direct.exports._start as () => void;
  const directMs: number[] = [];
  const sandboxMs: number[] = [];
  const loopReq = m.request(sumLoop, { capabilities: [], limits: { fuel: Number.MAX_SAFE_INTEGER, wallMs: 60_000 } });
  const fuelPerRun = (await must(loopReq)).fuelUsed;
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    start();
    directMs.push(performance.now() - t);
    t = performance.now();
    await must(loopReq);
    sandboxMs.push(performance.now() - t);
  }
  await pool.close();

  const results = {
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    helloLatencyMs: { p50: round(quantile(lat, 0.5)), p95: round(quantile(lat, 0.95)), runs: lat.length },
    cache: {
      coldMedianMs: round(quantile(coldMs, 0.5)),
      warmMedianMs: round(quantile(warmMs, 0.5)),
      coldOverWarm: round(quantile(coldMs, 0.5) / quantile(warmMs, 0.5), 2),
    },
    throughput: {
      runs: N,
      serialRunsPerSec: Math.round(N / (serialMs / 1000)),
      concurrentRunsPerSec: Math.round(N / (parallelMs / 1000)),
      concurrentOverSerial: round(serialMs / parallelMs, 2),
    },
    meteredCompute: {
      iterations: 20_000_000,
      fuelPerRun,
      directMedianMs: round(quantile(directMs, 0.5), 1),
      sandboxMedianMs: round(quantile(sandboxMs, 0.5), 1),
      sandboxOverDirect: round(quantile(sandboxMs, 0.5) / quantile(directMs, 0.5), 2),
    },
  };
  console.log(JSON.stringify(results, null, 2));
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('sandbox.json', dir), `${JSON.stringify(results, null, 2)}\n`);
  const md = [
    '# sandbox pool benchmark',
    '',
    `${results.machine.cpu}, ${cores} cores, node ${results.machine.node}, ${results.machine.platform}`,
    '',
    '| measure | value |',
    '|---|---|',
    `| hello world latency p50 / p95 (warm) | ${results.helloLatencyMs.p50} / ${results.helloLatencyMs.p95} ms |`,
    `| cold (instrument+compile) / warm run, median | ${results.cache.coldMedianMs} / ${results.cache.warmMedianMs} ms (×${results.cache.coldOverWarm}) |`,
    `| throughput serial / concurrent | ${results.throughput.serialRunsPerSec} / ${results.throughput.concurrentRunsPerSec} runs/s (×${results.throughput.concurrentOverSerial}) |`,
    `| 20M-iteration loop: direct / sandbox (metered) | ${results.meteredCompute.directMedianMs} / ${results.meteredCompute.sandboxMedianMs} ms (×${results.meteredCompute.sandboxOverDirect}) |`,
    '',
  ].join('\n');
  writeFileSync(new URL('sandbox.md', dir), md);
}

await main();
