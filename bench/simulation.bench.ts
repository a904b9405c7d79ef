/**
 * Policy simulation at scale: `simulateOverHistory` (the CLI's and the console's path: stream the
 * runs from SQLite, parse each decision record, judge pre- and post-exec again under a candidate)
 * over N recorded runs (default 200,000), side by side in the same run with the floor: the same
 * SELECT and JSON.parse of every record without judging. Two candidates: the policy in force (no
 * change) and a tighter one (lower fuel, one capability withdrawn) that changes decisions.
 *
 * The history is seeded from real governed runs of three modules, cloned as raw rows with new ids
 * and times (the records are real decision records).
 *
 * Run: node bin/run-ts.mjs bench/simulation.bench.ts [runs]
 * Writes bench/results/simulation.json and bench/results/simulation.md. Target: 200,000 runs <= 5 s.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELLO, variant } from '../server/core/sandbox/test-modules';
import { parsePolicyText, type TPolicy } from '../server/core/guardian/schema';
import { defaultPolicyPath } from '../server/services/policy-store';
import { openHarness } from '../server/services/test-fixtures';
import { installProLicense } from '../server/services/test-license';
import { simulateOverHistory } from '../server/services/simulation';

const RUNS = Number(process.argv[2] ?? 200_000);
const ROUNDS = 3;
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

const h = openHarness();
installProLicense(h.services);
const modules = [
  h.install(variant(HELLO, 'b1'), { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] }),
  h.install(variant(HELLO, 'b2'), { name: 'clocky', capabilities: ['stdout', 'stderr', 'exit', 'clock'] }),
  h.install(variant(HELLO, 'b3'), { name: 'randy', capabilities: ['stdout', 'stderr', 'exit', 'random'] }),
];
let fuelUsed = 0;
for (const m of modules) {
  const r = await h.services.governor.run(m, {}, 'bench');
  if (!r.ok) throw new Error(r.message);
  fuelUsed = r.value.record.execution!.used.fuel;
}

// Clone the real rows: same record shape, new ids and times (one run per 10 ms going back).
const sqlite = h.services.handle.sqlite;
const templates = sqlite
  .prepare("SELECT r.*, ae.payload AS record FROM runs r JOIN audit_events ae ON ae.seq = r.audit_seq AND ae.action = 'run.decided'")
  .all() as Record<string, unknown>[];
const columns = Object.keys(templates[0]!).filter((c) => c !== 'record');
// Cloned runs keep their record in run_records (where a run's record lives when its event does not match).
const insertRecord = sqlite.prepare('INSERT INTO run_records (run_id, record) VALUES (?, ?)');
const insert = sqlite.prepare(`INSERT INTO runs (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
const t0 = Date.now();
sqlite.transaction(() => {
  for (let i = templates.length; i < RUNS; i++) {
    const t = templates[i % templates.length]!;
    const at = new Date(t0 - i * 10);
    const record = JSON.parse(t.record as string) as { runId: string; startedAt: string };
    record.runId = `bench-${i}`;
    record.startedAt = at.toISOString();
    insert.run(...columns.map((c) => (c === 'id' ? `bench-${i}` : c === 'started_at' ? at.getTime() : t[c])));
    insertRecord.run(`bench-${i}`, JSON.stringify(record));
  }
})();

const base = JSON.parse(readFileSync(defaultPolicyPath(), 'utf8')) as Record<string, any>;
const parse = (p: unknown): TPolicy => {
  const r = parsePolicyText(JSON.stringify(p));
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const candidates: Record<string, TPolicy> = {
  'policy in force (no change)': h.services.policy.policy,
  'tighter (fuel below use, clock withdrawn)': parse({ ...base, revision: base.revision + 1, limits: { ...base.limits, fuel: fuelUsed - 1 }, capabilities: base.capabilities.filter((c: string) => c !== 'clock') }),
};

function floor(): number {
  const start = performance.now();
  let n = 0;
  const sql = `SELECT r.id, r.decision, coalesce(rr.record, ae.payload) AS record, r.module_version_id FROM runs r LEFT JOIN run_records rr ON rr.run_id = r.id
    LEFT JOIN audit_events ae ON ae.seq = r.audit_seq AND ae.action = 'run.decided' AND ae.subject = 'run:' || r.id ORDER BY r.started_at DESC, r.id DESC LIMIT ?`;
  for (const row of sqlite.prepare<[number], { record: string }>(sql).iterate(RUNS)) {
    if ((JSON.parse(row.record) as { decision: string }).decision) n++;
  }
  if (n !== RUNS) throw new Error(`floor read ${n} runs`);
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: { candidate: string; floorMs: number; simulateMs: number; ratio: number; runsPerSecond: number; counts: unknown }[] = [];
for (const [name, policy] of Object.entries(candidates)) {
  const floors: number[] = [];
  const sims: number[] = [];
  let counts: unknown;
  for (let round = 0; round < ROUNDS; round++) {
    floors.push(floor());
    const start = performance.now();
    const r = simulateOverHistory(h.services, policy, { last: RUNS });
    sims.push(performance.now() - start);
    if (!r.ok) throw new Error(r.message);
    if (r.value.runs !== RUNS) throw new Error(`simulated ${r.value.runs} runs`);
    counts = r.value.counts;
  }
  const f = median(floors);
  const s = median(sims);
  rows.push({ candidate: name, floorMs: Math.round(f), simulateMs: Math.round(s), ratio: Number((s / f).toFixed(2)), runsPerSecond: Math.round(RUNS / (s / 1000)), counts });
  console.log(name, `floor ${f.toFixed(0)} ms, simulate ${s.toFixed(0)} ms (${(s / f).toFixed(2)}x)`, counts);
}

const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, loadavg: loadavg().map((x) => Number(x.toFixed(1))) };
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'simulation.json'), `${JSON.stringify({ runs: RUNS, rounds: ROUNDS, machine, rows }, null, 2)}\n`);
const md = [
  '# Policy simulation',
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}; load average ${machine.loadavg.join(' / ')} at the end.`,
  `${RUNS} recorded runs (real decision records of 3 modules, cloned), median of ${ROUNDS} rounds. Floor: the same SELECT and JSON.parse of every record. Target: ${RUNS} runs <= 5 s.`,
  '',
  '| candidate | floor (read + parse) | simulate | ratio | runs/s |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.candidate} | ${r.floorMs} ms | ${r.simulateMs} ms | ${r.ratio}x | ${r.runsPerSecond.toLocaleString('en')} |`),
  '',
].join('\n');
writeFileSync(join(resultsDir, 'simulation.md'), md);
await h.services.close();
