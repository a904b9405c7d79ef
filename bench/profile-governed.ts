/**
 * Profiling driver (not a bench): warm governed runs of the hello module, for
 * `node --cpu-prof --cpu-prof-dir=DIR bin/run-ts.mjs bench/profile-governed.ts [runs] [inFlight]`.
 * Prints where a run's time goes by stage (the governor's RunStage hook: p50 / p90 per stage) next
 * to the rate. The top costs it showed are recorded in bench/README.md ("Issue 14").
 */
import os from 'node:os';
import { rmSync } from 'node:fs';
import { HELLO } from '../server/core/sandbox/test-modules';
import { openHarness } from '../server/services/test-fixtures';
import { DEFAULT_CHECKPOINT_WORKER_URL } from '../db/wal-checkpoint-url';
import type { RunStage } from '../server/core/run';

const runs = Number(process.argv[2] ?? 3000);
const inFlight = Number(process.argv[3] ?? 1);
const stages = new Map<RunStage, number[]>();
let measuring = false;
const h = openHarness({
  poolSize: os.availableParallelism(),
  checkpointWorkerUrl: DEFAULT_CHECKPOINT_WORKER_URL,
  observeRunStage: (stage, ms) => {
    if (!measuring) return;
    let list = stages.get(stage);
    if (!list) stages.set(stage, (list = []));
    list.push(ms);
  },
});
const module = h.install(HELLO, { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] });
const once = async (actor: string) => {
  const r = await h.services.governor.run(module, {}, actor);
  if (!r.ok || r.value.record.decision !== 'allow') throw new Error(`run failed: ${JSON.stringify(r.ok ? [r.value.record.pre.summary, r.value.record.execution, r.value.record.post] : r)}`);
};
for (let i = 0; i < 300; i++) await once('warm');
measuring = true;
let issued = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: inFlight }, async (_, lane) => { while (issued++ < runs) await once(`p:${lane}`); }));
const s = (performance.now() - t0) / 1000;
console.log(`${runs} runs, ${inFlight} in flight: ${Math.round(runs / s)} runs/s (${((s * 1000) / runs).toFixed(3)} ms per run), load average ${os.loadavg()[0]!.toFixed(2)}`);
const us = (xs: number[], f: number) => Math.round(xs[Math.min(xs.length - 1, Math.floor(f * xs.length))]! * 1000);
for (const [stage, xs] of stages) {
  xs.sort((a, b) => a - b);
  console.log(`  ${stage.padEnd(8)} p50 ${String(us(xs, 0.5)).padStart(5)} µs   p90 ${String(us(xs, 0.9)).padStart(5)} µs`);
}
await h.services.close();
rmSync(h.dataDir, { recursive: true, force: true });
