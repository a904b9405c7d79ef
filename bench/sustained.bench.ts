/**
 * Sustained load: `node bin/run-ts.mjs bench/sustained.bench.ts [seconds=60] [--module hello|sysinfo|wordcount]
 * [--backend worker-threads|process]` → bench/results/sustained.{json,md} for the default (hello on worker
 * threads), bench/results/sustained-<module>-<backend>.{json,md} for any other pair.
 *
 * Eight governed runs of the module kept in flight for the whole duration (the console's setup:
 * pool = cores, WAL checkpoints on their own thread), RSS sampled every second. The programs and their
 * inputs are bench/cold.bench.ts's (testdata/programs; wordcount reads 4.4 KB from stdin). Passes when
 * RSS grows less than 10 % from the first sample after warm-up to the last, no run fails, every run
 * is recorded, and the audit chain verifies at the end. With the process backend the RSS sampled is
 * this (serving) process's; the jailed executors' memory is reported beside it (their RSS summed, from
 * /proc, at the same instants).
 */
import os from 'node:os';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openHarness } from '../server/services/test-fixtures';
import { DEFAULT_CHECKPOINT_WORKER_URL } from '../db/wal-checkpoint-url';
import { BACKENDS, loadTree, type Backend } from './cold-workloads';

const MODULES = { hello: 'hello', sysinfo: 'c-sysinfo', wordcount: 'rust-wordcount' } as const;
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { module: { type: 'string', default: 'hello' }, backend: { type: 'string', default: 'worker-threads' } },
});
if (!(flags.module in MODULES)) throw new Error(`--module must be one of ${Object.keys(MODULES).join(', ')}`);
if (!BACKENDS.includes(flags.backend as Backend)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}`);
const moduleName = flags.module as keyof typeof MODULES;
const backend = flags.backend as Backend;
const isDefault = moduleName === 'hello' && backend === 'worker-threads';
const SECONDS = Number(positionals[0] ?? 60);
const IN_FLIGHT = 8;
const WARM_UP = 500;
const workload = (await loadTree(fileURLToPath(new URL('..', import.meta.url)))).workloads.find((w) => w.id === MODULES[moduleName])!;
const h = openHarness({ poolSize: os.availableParallelism(), backend, checkpointWorkerUrl: DEFAULT_CHECKPOINT_WORKER_URL });
const module = h.install(workload.wasm, {
  name: moduleName, capabilities: workload.capabilities, ...(workload.memoryPages ? { limits: { memoryPages: workload.memoryPages } } : {}),
});
/** Summed RSS (MB) of this process's descendants (the jailed executors and their bubblewrap), from /proc. */
function childrenRssMb(): number {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      parents.set(Number(name), Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      rss.set(Number(name), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
    } catch {
      // the process ended while we looked
    }
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) if (mine.has(ppid) && !mine.has(pid)) { mine.add(pid); grew = true; }
  }
  mine.delete(process.pid);
  return Math.round(([...mine].reduce((sum, pid) => sum + (rss.get(pid) ?? 0), 0) / 1024) * 10) / 10;
}
let ok = 0;
const errors: string[] = [];
const once = async (actor: string) => {
  const r = await h.services.governor.run(module, workload.input, actor);
  if (r.ok && r.value.record.decision === 'allow' && workload.stdout.test(Buffer.from(r.value.stdout).toString())) ok++;
  else if (errors.length < 20) errors.push(r.ok ? `${r.value.record.decision}: ${r.value.record.pre.summary} ${JSON.stringify(r.value.record.execution?.outcome)}` : `${r.code}: ${r.message}`);
  else errors.push('');
};
for (let i = 0; i < WARM_UP; i++) await once('warm'); // workers, caches, JIT
ok = 0;
const r1 = (x: number) => Math.round(x * 10) / 10;
const mb = (b: number) => r1(b / 1024 / 1024);
const samples: { s: number; rssMb: number; heapMb: number; childrenRssMb: number; runs: number }[] = [];
const t0 = performance.now();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  samples.push({ s: Math.round((performance.now() - t0) / 1000), rssMb: mb(m.rss), heapMb: mb(m.heapUsed), childrenRssMb: childrenRssMb(), runs: ok });
}, 1000);
const end = t0 + SECONDS * 1000;
await Promise.all(Array.from({ length: IN_FLIGHT }, async (_, lane) => { while (performance.now() < end) await once(`sustained:${lane}`); }));
clearInterval(sampler);
const seconds = (performance.now() - t0) / 1000;
const recorded = (h.services.handle.sqlite.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
const tVerify = performance.now();
const chain = h.services.audit.verify();
const verifyMs = performance.now() - tVerify;
await h.services.close();
rmSync(h.dataDir, { recursive: true, force: true });

const first = samples[0]!;
const last = samples.at(-1)!;
const growth = (last.rssMb - first.rssMb) / first.rssMb;
// Serving process plus the executors' processes (the process backend; 0 with worker threads).
const total = (x: (typeof samples)[number]) => x.rssMb + x.childrenRssMb;
const totalGrowth = (total(last) - total(first)) / total(first);
const everyRunRecorded = recorded === WARM_UP + ok + errors.length;
const result = {
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, loadAverage1m: +os.loadavg()[0]!.toFixed(2) },
  date: new Date().toISOString(),
  module: { name: moduleName, title: workload.title, bytes: workload.wasm.length },
  backend,
  seconds: Math.round(seconds),
  inFlight: IN_FLIGHT,
  runs: ok,
  runsPerSec: Math.round(ok / seconds),
  errors: errors.length,
  firstErrors: errors.filter(Boolean).slice(0, 5),
  recordedRuns: recorded,
  chain: { ok: chain.ok, events: chain.ok ? chain.events : undefined, verifyMs: Math.round(verifyMs) },
  rss: { firstMb: first.rssMb, lastMb: last.rssMb, maxMb: Math.max(...samples.map((s) => s.rssMb)), growthPct: +(growth * 100).toFixed(1) },
  rssWithExecutors: { firstMb: r1(total(first)), lastMb: r1(total(last)), maxMb: r1(Math.max(...samples.map(total))), growthPct: +(totalGrowth * 100).toFixed(1) },
  samples,
  met: { rssGrowthUnder10Pct: growth < 0.1 && totalGrowth < 0.1, noError: errors.length === 0, everyRunRecorded, chainVerifies: chain.ok },
};
const md = [
  `# Sustained governed runs: ${workload.title}, ${backend}`,
  '',
  `${result.machine.cpu}, ${result.machine.cores} cores, node ${result.machine.node}, ${result.date}, load average ${result.machine.loadAverage1m} (at the end)`,
  '',
  `${result.seconds} s with ${IN_FLIGHT} runs in flight: ${ok} runs (${result.runsPerSec} runs/s), ${errors.length} errors, ${recorded} runs recorded (incl. ${WARM_UP} warm-up: ${everyRunRecorded ? 'every run' : 'NOT every run'}).`,
  `RSS ${first.rssMb} MB after warm-up → ${last.rssMb} MB at the end (max ${result.rss.maxMb} MB): ${result.rss.growthPct} % growth (target < 10 %).`,
  ...(backend === 'process'
    ? [`With the jailed executors' processes: ${result.rssWithExecutors.firstMb} MB → ${result.rssWithExecutors.lastMb} MB (max ${result.rssWithExecutors.maxMb} MB): ${result.rssWithExecutors.growthPct} % growth.`]
    : []),
  `Audit chain: ${chain.ok ? `verifies, ${chain.events} events in ${Math.round(verifyMs)} ms` : `DOES NOT VERIFY: ${JSON.stringify(chain)}`}.`,
  `Pass: ${Object.values(result.met).every(Boolean) ? 'yes' : `NO (${JSON.stringify(result.met)})`}.`,
  '',
  `| s | RSS MB | heap MB |${backend === 'process' ? ' executors RSS MB |' : ''} runs |`,
  `|---:|---:|---:|${backend === 'process' ? '---:|' : ''}---:|`,
  ...samples
    .filter((_, i) => i % 10 === 0 || i === samples.length - 1)
    .map((s) => `| ${s.s} | ${s.rssMb} | ${s.heapMb} |${backend === 'process' ? ` ${s.childrenRssMb} |` : ''} ${s.runs} |`),
].join('\n');
console.log(md);
const dir = join(import.meta.dirname, 'results');
const base = isDefault ? 'sustained' : `sustained-${moduleName}-${backend}`;
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `${base}.json`), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(dir, `${base}.md`), `${md}\n`);
