/**
 * Flood benchmark: `node bin/run-ts.mjs bench/flood.bench.ts` → bench/results/flood.{json,md}
 *
 * One user floods the governor with CPU-heavy runs (each ~150 ms of fuel-metered work), keeping as
 * many in flight as admission allows, while (a) the serving thread does a fixed slice of request-like
 * CPU work every 25 ms and (b) a second user starts one ordinary run every 400 ms. Measured side by side
 * in one process for two pool sizes: one worker per core (the old console default) and cores − 1 (the
 * console default now: one core stays free for serving). Reported: serving latency (p50/p95/max and
 * the share over 200 ms), the second user's run latency, and how the flood's extra runs were refused.
 */
import os from 'node:os';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openHarness } from '../server/services/test-fixtures';
import { consolePoolSize } from '../server/services/config';
import { HELLO, variant, wat } from '../server/core/sandbox/test-modules';

const CORES = os.availableParallelism();
const SECONDS = Number(process.env.FLOOD_SECONDS ?? 8);
const SPIN_ITERATIONS = Number(process.env.FLOOD_SPIN ?? 60_000_000);
const SPIN = wat(`(module (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (loop $l (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${SPIN_ITERATIONS}))))))`);

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const q = (xs: number[], f: number) => (xs.length ? sorted(xs)[Math.min(xs.length - 1, Math.floor(f * xs.length))]! : 0);
const r1 = (x: number) => Math.round(x * 10) / 10;
const dist = (xs: number[]) => ({ p50: r1(q(xs, 0.5)), p95: r1(q(xs, 0.95)), max: r1(q(xs, 1)), n: xs.length });

/** About 2 ms of request-like CPU work on the serving thread (hashing, JSON). */
function serveOnce(): void {
  const h = createHash('sha256');
  for (let i = 0; i < 64; i++) h.update(JSON.stringify({ i, rows: Array.from({ length: 50 }, (_, k) => ({ k, v: 'x'.repeat(20) })) }));
  h.digest();
}

async function scenario(poolSize: number) {
  const h = openHarness({ poolSize });
  const spin = h.install(SPIN, { name: 'spin', capabilities: [], limits: { fuel: 2_000_000_000, wallMs: 30_000 } });
  const hello = h.install(variant(HELLO, 'ada'), { name: 'ada', capabilities: ['stdout', 'stderr', 'exit'] });
  const t0 = performance.now();
  const until = t0 + SECONDS * 1000;
  const refused: Record<string, number> = {};
  let floodDone = 0;
  const single = await h.services.governor.run(spin, {}, 'user:probe');
  const spinMs = single.ok ? single.value.record.execution!.used.wallMs : NaN;

  async function flooder(): Promise<void> {
    while (performance.now() < until) {
      const r = await h.services.governor.run(spin, {}, 'user:flood');
      if (r.ok) floodDone++;
      else {
        refused[r.code] = (refused[r.code] ?? 0) + 1;
        await new Promise((res) => setTimeout(res, 5));
      }
    }
  }
  const serving: number[] = [];
  async function server(): Promise<void> {
    while (performance.now() < until) {
      const scheduled = performance.now();
      await new Promise((res) => setTimeout(res, 25));
      serveOnce();
      serving.push(performance.now() - scheduled - 25);
    }
  }
  const other: number[] = [];
  async function otherUser(): Promise<void> {
    while (performance.now() < until) {
      const t = performance.now();
      const r = await h.services.governor.run(hello, {}, 'user:ada');
      if (r.ok) other.push(performance.now() - t);
      else refused[`ada:${r.code}`] = (refused[`ada:${r.code}`] ?? 0) + 1;
      await new Promise((res) => setTimeout(res, 400));
    }
  }
  // 300 attempts at once, as in the issue, then keep the pressure up with 16 flooders.
  const burst = await Promise.all(Array.from({ length: 300 }, () => h.services.governor.run(spin, {}, 'user:flood')));
  for (const r of burst) if (!r.ok) refused[r.code] = (refused[r.code] ?? 0) + 1;
  await Promise.all([...Array.from({ length: 16 }, flooder), server(), otherUser()]);
  await h.services.close();
  return {
    poolSize,
    spinRunMs: spinMs,
    floodRunsCompleted: floodDone + burst.filter((r) => r.ok).length,
    refused,
    servingExtraMs: dist(serving),
    servingOver200ms: `${r1((100 * serving.filter((x) => x > 200).length) / Math.max(1, serving.length))} %`,
    otherUserRunMs: dist(other),
  };
}

const results = [];
for (const size of [CORES, consolePoolSize(CORES)]) results.push(await scenario(size));
const machine = { cpus: os.cpus()[0]?.model ?? 'unknown', cores: CORES, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavg: os.loadavg().map(r1) };
const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'flood.json'), JSON.stringify({ date: new Date().toISOString(), machine, seconds: SECONDS, results }, null, 2) + '\n');
const rows = results.map(
  (r) =>
    `| ${r.poolSize}${r.poolSize === consolePoolSize(CORES) ? ' (console default)' : ''} | ${r.spinRunMs} | ${r.floodRunsCompleted} | ${JSON.stringify(r.refused).replace(/"/g, '')} | ${r.servingExtraMs.p50} / ${r.servingExtraMs.p95} / ${r.servingExtraMs.max} | ${r.servingOver200ms} | ${r.otherUserRunMs.p50} / ${r.otherUserRunMs.p95} / ${r.otherUserRunMs.max} |`,
);
writeFileSync(
  join(out, 'flood.md'),
  [
    `# Flood: one user's CPU-heavy runs vs serving and another user (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${machine.cpus}, ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}, load average at the end ${machine.loadavg.join(' ')}.`,
    `${SECONDS} s per pool size; serving = ~2 ms of CPU work every 25 ms on the main thread, latency beyond the 25 ms timer.`,
    '',
    '| workers | one flood run (ms) | flood runs completed | refused | serving extra ms p50 / p95 / max | serving over 200 ms | other user run ms p50 / p95 / max |',
    '|---:|---:|---:|---|---|---:|---|',
    ...rows,
    '',
  ].join('\n'),
);
console.log(rows.join('\n'));
