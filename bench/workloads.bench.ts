/**
 * Warm governed runs of real workloads on both local backends (issue 14: "the same figures for a real
 * workload and with the process backend"):
 * `node bin/run-ts.mjs bench/workloads.bench.ts [--runs 2000] [--batch 100]` → bench/results/workloads.{json,md}
 *
 * Programs: hello world (WAT), the C `sysinfo` (wasi-libc, 8 random bytes) and the Rust `wordcount`
 * (std, 4.4 KB from stdin) from testdata/programs, with the inputs bench/cold.bench.ts gives them.
 * Backends: worker threads and jailed processes (bubblewrap), each opened as the console opens them
 * (pool = cores, executors prespawned, WAL checkpoints on their own thread), both open at once.
 *
 * For each program, in rounds, every path takes one batch in turn (the order rotating each round)
 * so load swings on the shared host hit all of them alike:
 *   - floor: the same instrumented program run in this thread by run-module.mjs (the sandbox's own
 *     WASI host, fuel and memory clamp; no thread hop, no governance): the module's own time;
 *   - sandbox alone: the services' own backend (`services.backend().run`), one run at a time;
 *   - governed: `governor.run` (verify, pre-exec, run.started, sandbox, post-exec, decision record).
 * Then the same rounds with 8 runs in flight (sandbox alone and governed), and the SQLite bytes
 * written per governed run (WAL frames × page size on a harness with no checkpointer, as
 * bench/governed.bench.ts counts them), sequentially and with 8 in flight.
 */
import os from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { BACKENDS, SETTLE_MS, consoleHarness, loadTree, type Backend, type Workload, manifestFields, requestOf, checkOut } from './cold-workloads';
import { mustInstrument } from '../server/core/sandbox/instrument/testkit';
import { runModule } from '../server/core/sandbox/run-module.mjs';
import { jobFields } from '../server/core/sandbox/run-job';
import type { Harness } from '../server/services/test-fixtures';
import type { ModuleVersionRow } from '../server/services/module-registry';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '2000' }, batch: { type: 'string', default: '100' } } });
const RUNS = Number(flags.runs);
const BATCH = Number(flags.batch);
const IN_FLIGHT = 8;
const WAL_RUNS = 300;
const CORES = os.availableParallelism();
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tree = await loadTree(ROOT);

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const q = (xs: number[], f: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor(f * xs.length))] ?? NaN;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const dist = (xs: number[]) => ({ p50: r3(q(xs, 0.5)), p95: r3(q(xs, 0.95)), p99: r3(q(xs, 0.99)), n: xs.length });
const load = () => r3(os.loadavg()[0]!);

/** Latencies of sequential calls and the wall time they took, accumulated over batches. */
class Series {
  readonly lat: number[] = [];
  ms = 0;
  runs = 0;
  get perSec(): number {
    return Math.round(this.runs / (this.ms / 1000));
  }
}

/** `n` calls one after another, each timed. */
async function batch(s: Series, n: number, fn: () => Promise<void> | void): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    s.lat.push(performance.now() - t);
  }
  s.ms += performance.now() - t0;
  s.runs += n;
}

/** `n` calls with IN_FLIGHT lanes (lane = a distinct actor, as console users would be). */
async function inFlight(s: Series, n: number, fn: (lane: number) => Promise<void>): Promise<void> {
  const t0 = performance.now();
  let issued = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async (_, lane) => { while (issued++ < n) await fn(lane); }));
  s.ms += performance.now() - t0;
  s.runs += n;
}

/** The module's own time: the instrumented program run in this thread by the sandbox's run-module.mjs. */
function floorRunner(w: Workload): () => void {
  const req = requestOf(w);
  const instrumented = mustInstrument(w.wasm, req.limits.memoryPages);
  const job = { ...jobFields(req), module: new WebAssembly.Module(instrumented.bytes as BufferSource), memoryExport: instrumented.memoryExport };
  return () => {
    const r = runModule(job);
    if (r.outcome.kind !== 'ok' || r.outcome.exitCode !== 0) throw new Error(`${w.id} floor: ${JSON.stringify(r.outcome)}`);
    checkOut(w, 'floor', r.stdout);
  };
}

const sandboxRunner = (h: Harness, w: Workload) => {
  const req = requestOf(w);
  return async () => {
    const r = await h.services.backend().run(req);
    if (!r.ok || r.value.outcome.kind !== 'ok') throw new Error(`${w.id} sandbox: ${JSON.stringify(r.ok ? r.value.outcome : r)}`);
    checkOut(w, 'sandbox', r.value.stdout);
  };
};

const governedRunner = (h: Harness, module: ModuleVersionRow, w: Workload) => async (lane = 0) => {
  const r = await h.services.governor.run(module, w.input, `bench:${lane}`);
  if (!r.ok) throw new Error(`${w.id} governed: ${r.code} ${r.message}`);
  if (r.value.record.decision !== 'allow') throw new Error(`${w.id} governed: ${r.value.record.decision} ${JSON.stringify(r.value.record.execution)}`);
  checkOut(w, 'governed', r.value.stdout);
};

/** SQLite bytes per governed run: WAL frames on a harness with no checkpointer (a checkpoint would hide frames). */
async function walBytes(backend: Backend, w: Workload) {
  const h = tree.openHarness({ poolSize: CORES, backend });
  try {
    const run = governedRunner(h, h.install(w.wasm, manifestFields(w)), w);
    const db = h.services.handle.sqlite;
    db.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < 50; i++) await run();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const frames = async (lanes: number) => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      let n = 0;
      await Promise.all(Array.from({ length: lanes }, async (_, lane) => { while (n++ < WAL_RUNS) await run(lane); }));
      const [c] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      return c!.log / WAL_RUNS;
    };
    const seq = await frames(1);
    const conc = await frames(IN_FLIGHT);
    return { pageSize, sequentialBytes: Math.round(seq * pageSize), inFlightBytes: Math.round(conc * pageSize) };
  } finally {
    await h.services.close();
    rmSync(h.dataDir, { recursive: true, force: true });
  }
}

const loads: number[] = [load()];
const harnesses = Object.fromEntries(BACKENDS.map((b) => [b, consoleHarness(tree, b, CORES)])) as Record<Backend, Harness>;
await sleep(SETTLE_MS);

type PathKey = 'floor' | `sandbox:${Backend}` | `governed:${Backend}`;
const results = [];
for (const w of tree.workloads) {
  const floor = floorRunner(w);
  const sandbox = Object.fromEntries(BACKENDS.map((b) => [b, sandboxRunner(harnesses[b], w)])) as Record<Backend, () => Promise<void>>;
  const governed = Object.fromEntries(BACKENDS.map((b) => [b, governedRunner(harnesses[b], harnesses[b].install(w.wasm, manifestFields(w)), w)])) as Record<Backend, (lane?: number) => Promise<void>>;
  // Warm-up: JIT tiers, compiled-module caches, verify cache, every executor.
  for (let i = 0; i < 100; i++) floor();
  for (const b of BACKENDS) for (let i = 0; i < 100; i++) { await sandbox[b](); await governed[b](i % IN_FLIGHT); }

  const seq = new Map<PathKey, Series>();
  const steps: [PathKey, () => Promise<void> | void][] = [['floor', floor], ...BACKENDS.flatMap((b) => [[`sandbox:${b}`, sandbox[b]], [`governed:${b}`, () => governed[b]()]] as [PathKey, () => Promise<void>][])];
  for (let round = 0; round < RUNS / BATCH; round++) {
    for (let j = 0; j < steps.length; j++) {
      const [key, fn] = steps[(round + j) % steps.length]!;
      const s = seq.get(key) ?? new Series();
      seq.set(key, s);
      await batch(s, BATCH, fn);
    }
  }
  const conc = new Map<PathKey, Series>();
  const concSteps: [PathKey, (lane: number) => Promise<void>][] = BACKENDS.flatMap((b) => [[`sandbox:${b}`, () => sandbox[b]()], [`governed:${b}`, (lane: number) => governed[b](lane)]] as [PathKey, (lane: number) => Promise<void>][]);
  for (let round = 0; round < RUNS / BATCH; round++) {
    for (let j = 0; j < concSteps.length; j++) {
      const [key, fn] = concSteps[(round + j) % concSteps.length]!;
      const s = conc.get(key) ?? new Series();
      conc.set(key, s);
      await inFlight(s, BATCH, fn);
    }
  }
  loads.push(load());
  const floorP50 = q(seq.get('floor')!.lat, 0.5);
  const floorRow = { ...dist(seq.get('floor')!.lat), perSec: seq.get('floor')!.perSec };
  const backends = Object.fromEntries(BACKENDS.map((b) => {
    const s = seq.get(`sandbox:${b}`)!;
    const g = seq.get(`governed:${b}`)!;
    return [b, {
      sandbox: { ...dist(s.lat), perSec: s.perSec, inFlightPerSec: conc.get(`sandbox:${b}`)!.perSec },
      governed: { ...dist(g.lat), perSec: g.perSec, inFlightPerSec: conc.get(`governed:${b}`)!.perSec },
      governedOverFloorP50: r3(q(g.lat, 0.5) / floorP50),
      governedOverSandboxP50: r3(q(g.lat, 0.5) / q(s.lat, 0.5)),
    }];
  }));
  results.push({ id: w.id, title: w.title, bytes: w.wasm.length, floor: floorRow, backends });
  console.log(`${w.id}: done at load ${load()}`);
}
for (const b of BACKENDS) {
  await harnesses[b].services.close();
  rmSync(harnesses[b].dataDir, { recursive: true, force: true });
}
// WAL bytes: after the timed part (these harnesses have no checkpointer and would skew it).
for (const r of results) {
  const w = tree.workloads.find((x) => x.id === r.id)!;
  for (const b of BACKENDS) (r.backends[b] as Record<string, unknown>).wal = await walBytes(b, w);
}
loads.push(load());

// ── report ──────────────────────────────────────────────────────────────────────────────────────
const result = {
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: CORES, node: process.version, os: `${os.platform()} ${os.release()}`, loadAverage1m: loads },
  date: new Date().toISOString(),
  runsPerPath: RUNS, batch: BATCH, inFlight: IN_FLIGHT, walRuns: WAL_RUNS,
  workloads: results,
};
type Row = { p50: number; p95: number; p99: number; perSec: number; inFlightPerSec?: number };
const cells = (d: Row) => `${d.p50} | ${d.p95} | ${d.p99} | ${d.perSec} | ${d.inFlightPerSec ?? ''}`;
const md = [
  '# Real workloads on both backends, warm',
  '',
  `${result.machine.cpu}, ${CORES} cores, node ${result.machine.node}, ${result.machine.os}, ${result.date}, load average (1 min) ${loads.join(' → ')} (start, after each program, end)`,
  `Latencies in ms over ${RUNS} runs per path (batches of ${BATCH}, every path taking a batch in turn, order rotating). ` +
    '"floor" = the same instrumented program run in this thread by run-module.mjs (the sandbox\'s WASI host, no thread hop, no governance): the module\'s own time. ' +
    '"sandbox" = the services\' backend alone (`services.backend().run`). "governed" = `governor.run`. ' +
    `x floor / x sandbox = governed p50 over that p50. WAL = SQLite bytes written per governed run (WAL frames × page size, ${WAL_RUNS} runs, no checkpointer), sequential / ${IN_FLIGHT} in flight.`,
  '',
  `| program | backend | path | p50 | p95 | p99 | runs/s | runs/s, ${IN_FLIGHT} in flight | x floor | x sandbox | WAL bytes/run |`,
  '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.flatMap((r) => [
    `| ${r.title} | (in process) | floor | ${cells(r.floor)} | 1.00x | | |`,
    ...BACKENDS.flatMap((b) => {
      const x = r.backends[b] as (typeof r.backends)[string] & { wal: Awaited<ReturnType<typeof walBytes>> };
      return [
        `| | ${b} | sandbox alone | ${cells(x.sandbox)} | ${r3(x.sandbox.p50 / r.floor.p50)}x | 1.00x | |`,
        `| | ${b} | **governed** | ${cells(x.governed)} | ${x.governedOverFloorP50}x | ${x.governedOverSandboxP50}x | ${x.wal.sequentialBytes} / ${x.wal.inFlightBytes} |`,
      ];
    }),
  ]),
  '',
].join('\n');
console.log(md);
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'workloads.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(dir, 'workloads.md'), md);
