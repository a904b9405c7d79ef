/**
 * Sustained load: `node bin/run-ts.mjs bench/sustained.bench.ts [seconds=60]` → bench/results/sustained.{json,md}
 *
 * Eight governed runs of the hello module kept in flight for the whole duration (the console's
 * setup: pool = cores, WAL checkpoints on their own thread), RSS sampled every second. Passes when
 * RSS grows less than 10 % from the first sample after warm-up to the last, no run fails, every run
 * is recorded, and the audit chain verifies at the end.
 */
import os from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HELLO } from '../server/core/sandbox/test-modules';
import { openHarness } from '../server/services/test-fixtures';
import { DEFAULT_CHECKPOINT_WORKER_URL } from '../db/wal-checkpoint-url';

const SECONDS = Number(process.argv[2] ?? 60);
const IN_FLIGHT = 8;
const h = openHarness({ poolSize: os.availableParallelism(), checkpointWorkerUrl: DEFAULT_CHECKPOINT_WORKER_URL });
const module = h.install(HELLO, { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] });
let ok = 0;
const errors: string[] = [];
const once = async (actor: string) => {
  const r = await h.services.governor.run(module, {}, actor);
  if (r.ok && r.value.record.decision === 'allow') ok++;
  else if (errors.length < 20) errors.push(r.ok ? `denied: ${r.value.record.pre.summary}` : `${r.code}: ${r.message}`);
  else errors.push('');
};
for (let i = 0; i < 500; i++) await once('warm'); // workers, caches, JIT
ok = 0;
const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
const samples: { s: number; rssMb: number; heapMb: number; runs: number }[] = [];
const t0 = performance.now();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  samples.push({ s: Math.round((performance.now() - t0) / 1000), rssMb: mb(m.rss), heapMb: mb(m.heapUsed), runs: ok });
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
const result = {
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, loadAverage1m: +os.loadavg()[0]!.toFixed(2) },
  date: new Date().toISOString(),
  seconds: Math.round(seconds),
  inFlight: IN_FLIGHT,
  runs: ok,
  runsPerSec: Math.round(ok / seconds),
  errors: errors.length,
  firstErrors: errors.filter(Boolean).slice(0, 5),
  recordedRuns: recorded,
  chain: { ok: chain.ok, events: chain.ok ? chain.events : undefined, verifyMs: Math.round(verifyMs) },
  rss: { firstMb: first.rssMb, lastMb: last.rssMb, maxMb: Math.max(...samples.map((s) => s.rssMb)), growthPct: +(growth * 100).toFixed(1) },
  samples,
  met: { rssGrowthUnder10Pct: growth < 0.1, noError: errors.length === 0, chainVerifies: chain.ok },
};
const md = [
  '# Sustained governed runs',
  '',
  `${result.machine.cpu}, ${result.machine.cores} cores, node ${result.machine.node}, ${result.date}, load average ${result.machine.loadAverage1m} (at the end)`,
  '',
  `${result.seconds} s with ${IN_FLIGHT} runs in flight: ${ok} runs (${result.runsPerSec} runs/s), ${errors.length} errors, ${recorded} runs recorded (incl. 500 warm-up).`,
  `RSS ${first.rssMb} MB after warm-up → ${last.rssMb} MB at the end (max ${result.rss.maxMb} MB): ${result.rss.growthPct} % growth (target < 10 %).`,
  `Audit chain: ${chain.ok ? `verifies, ${chain.events} events in ${Math.round(verifyMs)} ms` : `DOES NOT VERIFY: ${JSON.stringify(chain)}`}.`,
  '',
  '| s | RSS MB | heap MB | runs |',
  '|---:|---:|---:|---:|',
  ...samples.filter((_, i) => i % 10 === 0 || i === samples.length - 1).map((s) => `| ${s.s} | ${s.rssMb} | ${s.heapMb} | ${s.runs} |`),
].join('\n');
console.log(md);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'sustained.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(dir, 'sustained.md'), `${md}\n`);
