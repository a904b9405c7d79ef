/**
 * Policy simulation at scale: `simulateOverHistory` (the CLI's and the console's path: stream the
 * runs from SQLite, judge pre- and post-exec again under a candidate) over N recorded runs (default
 * 200,000), both ways side by side in the same run:
 * - facts (the shipped path): each run's compact facts (runs.guardian_facts, migration 0024);
 * - records (the path before it, kept as the reference): each run's full decision record, parsed;
 * each with its floor: the same SELECT and JSON.parse without judging. Two candidates: the policy in
 * force (no change) and a tighter one (lower fuel, one capability withdrawn) that changes decisions.
 * Also: bytes of facts per run, and how long migration 0024's backfill takes for N runs.
 *
 * The history is seeded from real governed runs of three modules, cloned as raw rows with new ids
 * and times (the records and facts are real ones).
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
import { simulateOverHistory, type RunSource } from '../server/services/simulation';
import { loadMigrations } from '../db/migrate';

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

const WINDOW = 'ORDER BY r.started_at DESC, r.id DESC LIMIT ?';
const FLOOR_SQL: Record<RunSource, string> = {
  records: `SELECT r.id, r.decision, coalesce(rr.record, ae.payload) AS v, r.module_version_id FROM runs r LEFT JOIN run_records rr ON rr.run_id = r.id
    LEFT JOIN audit_events ae ON ae.seq = r.audit_seq AND ae.action = 'run.decided' AND ae.subject = 'run:' || r.id ${WINDOW}`,
  facts: `SELECT r.id, r.decision, r.guardian_facts AS v, r.module_version_id, r.module_name, r.module_version, r.started_at FROM runs r ${WINDOW}`,
};
/** Reading and parsing what the simulation reads, without judging anything. */
function floor(source: RunSource): number {
  const start = performance.now();
  let n = 0;
  for (const row of sqlite.prepare<[number], { v: string }>(FLOOR_SQL[source]).iterate(RUNS)) if (JSON.parse(row.v)) n++;
  if (n !== RUNS) throw new Error(`floor read ${n} runs`);
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
type Timing = { floorMs: number; simulateMs: number };
const rows: { candidate: string; records: Timing; facts: Timing; speedup: number; runsPerSecond: number; counts: unknown }[] = [];
for (const [name, policy] of Object.entries(candidates)) {
  const times: Record<RunSource, { floors: number[]; sims: number[] }> = { records: { floors: [], sims: [] }, facts: { floors: [], sims: [] } };
  const reports: Record<string, string> = {};
  let counts: unknown;
  for (let round = 0; round < ROUNDS; round++) {
    for (const source of ['records', 'facts'] as const) {
      times[source].floors.push(floor(source));
      const start = performance.now();
      const r = simulateOverHistory(h.services, policy, { last: RUNS }, source);
      times[source].sims.push(performance.now() - start);
      if (!r.ok) throw new Error(r.message);
      if (r.value.runs !== RUNS) throw new Error(`simulated ${r.value.runs} runs`);
      reports[source] = JSON.stringify(r.value);
      counts = r.value.counts;
    }
    // The two paths must agree here too, not only in the tests.
    if (reports.records !== reports.facts) throw new Error(`${name}: the facts and the records gave different reports`);
  }
  const timing = (source: RunSource): Timing => ({ floorMs: Math.round(median(times[source].floors)), simulateMs: Math.round(median(times[source].sims)) });
  const records = timing('records');
  const facts = timing('facts');
  rows.push({ candidate: name, records, facts, speedup: Number((records.simulateMs / facts.simulateMs).toFixed(1)), runsPerSecond: Math.round(RUNS / (facts.simulateMs / 1000)), counts });
  console.log(name, `records: floor ${records.floorMs} ms, simulate ${records.simulateMs} ms; facts: floor ${facts.floorMs} ms, simulate ${facts.simulateMs} ms`, counts);
}

// Bytes kept per run, and migration 0024's backfill over the same runs (the UPDATE, as shipped).
const factBytes = sqlite.prepare('SELECT avg(length(guardian_facts)) AS avg, max(length(guardian_facts)) AS max FROM runs').get() as { avg: number; max: number };
const backfill = loadMigrations().find((m) => m.tag === '0024_run_guardian_facts')!.statements.find((st) => st.includes('UPDATE'))!;
const savedFacts = sqlite.prepare('SELECT count(*) FROM runs WHERE guardian_facts IS NOT NULL').pluck().get() as number;
sqlite.prepare('UPDATE runs SET guardian_facts = NULL').run();
const backfillStart = performance.now();
sqlite.exec(backfill);
const backfillMs = Math.round(performance.now() - backfillStart);
const refilled = sqlite.prepare('SELECT count(*) FROM runs WHERE guardian_facts IS NOT NULL').pluck().get() as number;
if (refilled !== savedFacts) throw new Error(`backfill filled ${refilled} runs, expected ${savedFacts}`);
console.log(`facts: ${factBytes.avg.toFixed(1)} bytes per run on average (max ${factBytes.max}); backfill of ${refilled} runs: ${backfillMs} ms`);

const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, loadavg: loadavg().map((x) => Number(x.toFixed(1))) };
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'simulation.json'), `${JSON.stringify({ runs: RUNS, rounds: ROUNDS, machine, rows, factBytes, backfillMs }, null, 2)}\n`);
const md = [
  '# Policy simulation',
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}; load average ${machine.loadavg.join(' / ')} at the end.`,
  `${RUNS} recorded runs (real decision records of 3 modules, cloned), median of ${ROUNDS} rounds, both paths in the same run. Target: ${RUNS} runs <= 5 s.`,
  'Facts: the compact facts stored with each run (runs.guardian_facts, the shipped path). Records: every full decision record parsed (the path before migration 0024).',
  'Floor: the same SELECT and JSON.parse without judging. Both paths gave the same report in every round.',
  '',
  '| candidate | records: floor | records: simulate | facts: floor | facts: simulate | speedup | runs/s (facts) |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.candidate} | ${r.records.floorMs} ms | ${r.records.simulateMs} ms | ${r.facts.floorMs} ms | **${r.facts.simulateMs} ms** | ${r.speedup}x | ${r.runsPerSecond.toLocaleString('en')} |`),
  '',
  `Facts kept per run: ${factBytes.avg.toFixed(1)} bytes on average (at most ${factBytes.max}). Migration 0024's backfill of these ${refilled.toLocaleString('en')} runs from their records: ${(backfillMs / 1000).toFixed(1)} s.`,
  '',
].join('\n');
writeFileSync(join(resultsDir, 'simulation.md'), md);
await h.services.close();
