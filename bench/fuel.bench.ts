/**
 * Fuel metering overhead: CPU-bound WAT workloads run uninstrumented vs instrumented in the
 * same process, rounds interleaved, median of each compared as a ratio (target <= 1.5x).
 * A third column runs the naive charge sequence that re-reads the global instead of using a
 * scratch local ('reload-global'), to keep the reason for the chosen sequence measured.
 * Run: node bin/run-ts.mjs bench/fuel.bench.ts  → bench/results/fuel.json + fuel.md
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { rewriteModule } from '../server/core/sandbox/instrument/rewrite';
import { compile, instantiateMetered, mustInstrument, wat } from '../server/core/sandbox/instrument/testkit';

import { WORKLOADS } from './cpu-workloads';

// `reps` calls per timed sample keep each sample well above timer noise.
const CASES: { name: string; fn: string; arg: number; reps: number }[] = [
  { name: 'fnv-1a hash, 1 MiB x 40', fn: 'fnv', arg: 40, reps: 1 },
  { name: 'sieve of 1,000,000 x 40', fn: 'sieve', arg: 1_000_000, reps: 40 },
  { name: 'fib(30) recursive x 8', fn: 'fib', arg: 30, reps: 8 },
];
const ROUNDS = 7;
const BUDGET = 10n ** 15n;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const bytes = wat(WORKLOADS);
const instrumented = mustInstrument(bytes, 16);
const plain = new WebAssembly.Instance(compile(bytes), {}).exports as Record<string, (n: number) => number>;
const metered = instantiateMetered(compile(instrumented.bytes), BUDGET);
const meteredFns = metered.exports as Record<string, (n: number) => number>;
const reloadVariant = rewriteModule(bytes, { maxMemoryPages: 16 }, 'reload-global');
if (!reloadVariant.ok) throw new Error(reloadVariant.message);
const reloadFns = instantiateMetered(compile(reloadVariant.value.bytes), BUDGET).exports as Record<string, (n: number) => number>;

const rows = [];
for (const c of CASES) {
  // Warm up both (lets V8 tier up to optimised code) and check they agree.
  const expect = plain[c.fn]!(c.arg);
  if (meteredFns[c.fn]!(c.arg) !== expect) throw new Error(`${c.name}: instrumented result differs`);
  if (reloadFns[c.fn]!(c.arg) !== expect) throw new Error(`${c.name}: reload-global variant differs`);
  const before = metered.fuelLeft();
  meteredFns[c.fn]!(c.arg);
  const fuelPerCall = before - metered.fuelLeft();
  const base: number[] = [];
  const inst: number[] = [];
  const reload: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    for (let i = 0; i < c.reps; i++) plain[c.fn]!(c.arg);
    base.push(performance.now() - t);
    t = performance.now();
    for (let i = 0; i < c.reps; i++) meteredFns[c.fn]!(c.arg);
    inst.push(performance.now() - t);
    t = performance.now();
    for (let i = 0; i < c.reps; i++) reloadFns[c.fn]!(c.arg);
    reload.push(performance.now() - t);
  }
  const ratio = median(inst) / median(base);
  rows.push({
    workload: c.name, baselineMs: +median(base).toFixed(2), instrumentedMs: +median(inst).toFixed(2),
    ratio: +ratio.toFixed(3), reloadGlobalMs: +median(reload).toFixed(2),
    reloadGlobalRatio: +(median(reload) / median(base)).toFixed(3), fuelPerCall: fuelPerCall.toString(),
    fuelPerMs: Math.round((Number(fuelPerCall) * c.reps) / median(inst)),
  });
}

const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, os: `${os.platform()} ${os.release()}` };
const geomean = Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / rows.length);
const result = {
  machine, date: new Date().toISOString(), rounds: ROUNDS, target: 1.5,
  sizeBytes: { original: bytes.length, instrumented: instrumented.bytes.length },
  workloads: rows, geomeanRatio: +geomean.toFixed(3),
};

const md = [
  `Fuel metering bench: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, median of ${ROUNDS} rounds`,
  '',
  '| workload | uninstrumented ms | instrumented ms | ratio | naive reload-global ratio | fuel per call | fuel per ms |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.workload} | ${r.baselineMs} | ${r.instrumentedMs} | ${r.ratio}x | ${r.reloadGlobalRatio}x | ${r.fuelPerCall} | ${r.fuelPerMs} |`),
  '',
  `geometric mean ratio ${result.geomeanRatio}x (target <= ${result.target}x); module ${bytes.length} -> ${instrumented.bytes.length} bytes`,
].join('\n');
console.log(md);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'fuel.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(dir, 'fuel.md'), `${md}\n`);
