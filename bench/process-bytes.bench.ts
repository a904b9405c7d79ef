/**
 * The process backend before and after "module bytes only when the jail lacks them" (issue 14), side
 * by side in one process:
 * `node bin/run-ts.mjs bench/process-bytes.bench.ts --baseline <checkout> [--runs 2000] [--batch 100]`
 * (or NIGHTCORE_BENCH_BASELINE=<checkout>; without a baseline it is skipped, as under `npm run bench`)
 * → bench/results/process-bytes.{json,md}
 *
 * Both trees' services are opened from their own sources (bench/cold-workloads.ts loadTree), as the
 * console opens them on the process backend (pool = cores, jails prespawned, WAL checkpoints on their
 * own thread); this tree's worker-thread backend is open too, as the reference the process backend is
 * compared with. For hello, the C `sysinfo` and the Rust `wordcount`, in rounds, every path takes one
 * batch in turn (the order rotating) so load swings hit all alike: the backend alone
 * (`services.backend().run`) and the governed run (`governor.run`) for each tree, then the same with
 * 8 runs in flight. Every run's output is checked.
 */
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { SETTLE_MS, consoleHarness, loadTree, type Tree, type Workload, manifestFields, requestOf, checkOut } from './cold-workloads';
import type { Harness } from '../server/services/test-fixtures';

const { values: flags } = parseArgs({ options: { baseline: { type: 'string' }, runs: { type: 'string', default: '2000' }, batch: { type: 'string', default: '100' } } });
const baseline = flags.baseline ?? process.env.NIGHTCORE_BENCH_BASELINE;
if (!baseline) {
  // `npm run bench` runs every bench without arguments: this one has nothing to compare without a baseline.
  console.log('process-bytes: skipped (needs --baseline <checkout of the tree before> or NIGHTCORE_BENCH_BASELINE)');
  process.exit(0);
}
const RUNS = Number(flags.runs);
const BATCH = Number(flags.batch);
const IN_FLIGHT = 8;
const CORES = os.availableParallelism();
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const trees: Record<'before' | 'after', Tree> = { before: await loadTree(resolve(baseline)), after: await loadTree(ROOT) };

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const q = (xs: number[], f: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor(f * xs.length))] ?? NaN;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const load = () => r3(os.loadavg()[0]!);

class Series {
  readonly lat: number[] = [];
  ms = 0;
  runs = 0;
  get perSec(): number {
    return Math.round(this.runs / (this.ms / 1000));
  }
}
/** `lanes` callers issuing `n` calls between them, each call timed. */
async function batch(s: Series, n: number, lanes: number, fn: (lane: number) => Promise<void>): Promise<void> {
  const t0 = performance.now();
  let issued = 0;
  await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
    while (issued++ < n) {
      const t = performance.now();
      await fn(lane);
      s.lat.push(performance.now() - t);
    }
  }));
  s.ms += performance.now() - t0;
  s.runs += n;
}

const sandboxRunner = (h: Harness, w: Workload, what: string) => {
  const req = requestOf(w);
  return async () => {
    const r = await h.services.backend().run(req);
    if (!r.ok || r.value.outcome.kind !== 'ok') throw new Error(`${w.id} ${what}: ${JSON.stringify(r.ok ? r.value.outcome : r)}`);
    checkOut(w, what, r.value.stdout);
  };
};
const governedRunner = (h: Harness, w: Workload, what: string) => {
  const module = h.install(w.wasm, manifestFields(w));
  return async (lane: number) => {
    const r = await h.services.governor.run(module, w.input, `bench:${lane}`);
    if (!r.ok) throw new Error(`${w.id} ${what}: ${r.code} ${r.message}`);
    if (r.value.record.decision !== 'allow') throw new Error(`${w.id} ${what}: ${r.value.record.decision}`);
    checkOut(w, what, r.value.stdout);
  };
};

const loads: number[] = [load()];
const h = {
  before: consoleHarness(trees.before, 'process', CORES),
  after: consoleHarness(trees.after, 'process', CORES),
  threads: consoleHarness(trees.after, 'worker-threads', CORES),
};
await sleep(SETTLE_MS);

type Key = 'sandbox:before' | 'sandbox:after' | 'sandbox:worker-threads' | 'governed:before' | 'governed:after';
const results = [];
for (const w of trees.after.workloads) {
  const wb = trees.before.workloads.find((x) => x.id === w.id)!;
  const paths: Record<Key, (lane: number) => Promise<void>> = {
    'sandbox:before': sandboxRunner(h.before, wb, 'sandbox before'),
    'sandbox:after': sandboxRunner(h.after, w, 'sandbox after'),
    'sandbox:worker-threads': sandboxRunner(h.threads, w, 'sandbox worker-threads'),
    'governed:before': governedRunner(h.before, wb, 'governed before'),
    'governed:after': governedRunner(h.after, w, 'governed after'),
  };
  const keys = Object.keys(paths) as Key[];
  // Warm-up: JIT tiers, the jails' compiled modules, verify caches, every executor.
  for (const k of keys) for (let i = 0; i < 100; i++) await paths[k](i % IN_FLIGHT);
  const measure = async (lanes: number, which: Key[]) => {
    const series = new Map<Key, Series>(which.map((k) => [k, new Series()]));
    for (let round = 0; round < RUNS / BATCH; round++) {
      for (let j = 0; j < which.length; j++) {
        const k = which[(round + j) % which.length]!;
        await batch(series.get(k)!, BATCH, lanes, paths[k]);
      }
    }
    return series;
  };
  const seq = await measure(1, keys);
  const conc = await measure(IN_FLIGHT, keys.filter((k) => k !== 'sandbox:worker-threads'));
  loads.push(load());
  const row = (k: Key) => ({ p50: r3(q(seq.get(k)!.lat, 0.5)), p95: r3(q(seq.get(k)!.lat, 0.95)), p99: r3(q(seq.get(k)!.lat, 0.99)), perSec: seq.get(k)!.perSec, inFlightPerSec: conc.get(k)?.perSec ?? null });
  const paths2 = Object.fromEntries(keys.map((k) => [k, row(k)])) as Record<Key, ReturnType<typeof row>>;
  results.push({
    id: w.id, title: w.title, paths: paths2,
    afterOverBefore: {
      sandboxP50: r3(paths2['sandbox:after'].p50 / paths2['sandbox:before'].p50),
      governedP50: r3(paths2['governed:after'].p50 / paths2['governed:before'].p50),
      sandboxInFlightRate: r3(paths2['sandbox:after'].inFlightPerSec! / paths2['sandbox:before'].inFlightPerSec!),
      governedInFlightRate: r3(paths2['governed:after'].inFlightPerSec! / paths2['governed:before'].inFlightPerSec!),
    },
    processOverThreadsSandboxP50: { before: r3(paths2['sandbox:before'].p50 / paths2['sandbox:worker-threads'].p50), after: r3(paths2['sandbox:after'].p50 / paths2['sandbox:worker-threads'].p50) },
  });
  console.log(`${w.id}: done at load ${load()}`);
}
const sent = h.after.services.backend().stats().detail ?? {};
for (const x of Object.values(h)) {
  await x.services.close();
  rmSync(x.dataDir, { recursive: true, force: true });
}
loads.push(load());

const result = {
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: CORES, node: process.version, os: `${os.platform()} ${os.release()}`, loadAverage1m: loads },
  date: new Date().toISOString(),
  baseline: resolve(baseline),
  baselineCommit: (() => {
    try {
      return execFileSync('git', ['-C', resolve(baseline), 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })(),
  runsPerPath: RUNS, batch: BATCH, inFlight: IN_FLIGHT,
  afterJobs: { withModuleBytes: sent.runsWithModuleBytes, withoutModuleBytes: sent.runsWithoutModuleBytes, resent: sent.moduleBytesResent },
  workloads: results,
};
const label: Record<Key, string> = {
  'sandbox:before': 'process, before: backend alone', 'sandbox:after': 'process, after: backend alone', 'sandbox:worker-threads': 'worker-threads: backend alone',
  'governed:before': 'process, before: **governed**', 'governed:after': 'process, after: **governed**',
};
const md = [
  '# Process backend: module bytes only when the jail lacks them, before / after',
  '',
  `${result.machine.cpu}, ${CORES} cores, node ${result.machine.node}, ${result.machine.os}, ${result.date}, load average (1 min) ${loads.join(' → ')} (start, after each program, end)`,
  `Before = the baseline checkout (${result.baseline} at ${result.baselineCommit}, every run sends the instrumented module), after = this tree; both open in one process, plus this tree's worker-thread backend as the reference. ` +
    `Latencies in ms over ${RUNS} runs per path (batches of ${BATCH}, every path taking a batch in turn, order rotating); runs/s sequential and with ${IN_FLIGHT} in flight. ` +
    `Jobs the "after" backend sent during the whole run: ${result.afterJobs.withModuleBytes} with the module's bytes, ${result.afterJobs.withoutModuleBytes} with its digest only, ${result.afterJobs.resent} resent on "need".`,
  '',
  `| program | path | p50 | p95 | p99 | runs/s | runs/s, ${IN_FLIGHT} in flight |`,
  '|---|---|---:|---:|---:|---:|---:|',
  ...results.flatMap((r) => (Object.keys(r.paths) as Key[]).map((k, i) => {
    const d = r.paths[k];
    return `| ${i === 0 ? r.title : ''} | ${label[k]} | ${d.p50} | ${d.p95} | ${d.p99} | ${d.perSec} | ${d.inFlightPerSec ?? ''} |`;
  })),
  '',
  '| program | after / before p50, backend alone | after / before p50, governed | after / before runs/s in flight, backend alone | same, governed | process / worker-threads p50, backend alone (before → after) |',
  '|---|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.id} | ${r.afterOverBefore.sandboxP50}x | ${r.afterOverBefore.governedP50}x | ${r.afterOverBefore.sandboxInFlightRate}x | ${r.afterOverBefore.governedInFlightRate}x | ${r.processOverThreadsSandboxP50.before}x → ${r.processOverThreadsSandboxP50.after}x |`),
  '',
].join('\n');
console.log(md);
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'process-bytes.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(dir, 'process-bytes.md'), md);
