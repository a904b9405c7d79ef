/**
 * The console's runs.list query (RunQueries.page: filters + keyset cursor on (startedAt, id)) over
 * N runs (default 200,000; rows inserted raw; since migration 0020 the record lives only in the run.decided audit payload, which lists never read),
 * p50/p95 per filter shape. Target p95 <= 50 ms.
 *
 * Run: node bin/run-ts.mjs bench/runs-list.bench.ts [runs]
 * Writes bench/results/runs-list.json and bench/results/runs-list.md.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openMemoryDatabase } from '../db/client';
import { RunQueries } from '../server/services/runs';

const RUNS = Number(process.argv[2] ?? 200_000);
const ROUNDS = 40;
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

const OUTCOMES = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'denied', 'out_of_fuel', 'trap', 'timeout'];

function fill(sqlite: ReturnType<typeof openMemoryDatabase>['sqlite']) {
  const ins = sqlite.prepare(`INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at,
    decision, outcome, exit_code, threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256, stdin, stdout, stderr, audit_seq)
    VALUES (?, 1, ?, '1.0.0', 't', ?, 'user:op', ?, ?, ?, 0, ?, 1000, 3, 'default', 1, '1', '', x'', x'68656c6c6f', x'', ?)`);
  sqlite.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      // A rare outcome (crashed) and a rare module, to catch filters that scan.
      const outcome = i % 50_000 === 11 ? 'crashed' : OUTCOMES[i % OUTCOMES.length]!;
      const module = i % 40_000 === 5 ? 'rare' : `m${i % 200}`;
      const decision = outcome === 'ok' ? 'allow' : 'deny';
      // Several runs per millisecond, so the id tie-break is exercised.
      ins.run(`run-${String(i).padStart(8, '0')}`, module, `d${i % 200}`, T0 + Math.floor(i / 3), decision, outcome, i % 100, i + 1); // the record is the run.decided payload (not seeded: lists never read it)
    }
  })();
}

const mid = new Date(T0 + Math.floor(RUNS / 6));
const QUERIES: Record<string, Parameters<RunQueries['page']>[0]> = {
  'newest page': { limit: 50 },
  'deep page (cursor mid-table)': { limit: 50, cursor: { startedAt: mid, id: 'run-00100000' } },
  'module, common': { module: 'm7', limit: 50 },
  'module, rare': { module: 'rare', limit: 50 },
  'decision deny': { decision: 'deny', limit: 50 },
  'outcome, common (out_of_fuel)': { outcome: 'out_of_fuel', limit: 50 },
  'outcome, rare (crashed)': { outcome: 'crashed', limit: 50 },
  'outcome, absent (memory_limit)': { outcome: 'memory_limit', limit: 50 },
  'time range (1 minute)': { since: new Date(T0 + 60_000), until: new Date(T0 + 120_000), limit: 50 },
  'module + outcome': { module: 'm7', outcome: 'trap', limit: 50 },
  'module + deny + deep cursor': { module: 'm7', decision: 'deny', cursor: { startedAt: mid, id: 'run-00100000' }, limit: 50 },
};

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const h = openMemoryDatabase();
const t = performance.now();
fill(h.sqlite);
console.log(`filled ${RUNS} runs in ${Math.round(performance.now() - t)} ms`);
// As every open of a data folder does (db/client.ts): the planner's statistics, or it picks by index shape alone.
const tStats = performance.now();
h.sqlite.pragma('optimize = 0x10002');
const statsMs = Math.round(performance.now() - tStats);
console.log(`planner statistics (PRAGMA optimize) in ${statsMs} ms`);
const q = new RunQueries(h.db);
// The SQL each shape runs (Drizzle prepares it through the client), for its query plan: every shape
// must stay on an index at 1,000,000 rows ("SCAN runs" without an index would be a full table scan).
let lastSql = '';
let lastParams: unknown[] = [];
const prepare = h.sqlite.prepare.bind(h.sqlite);
(h.sqlite as { prepare: unknown }).prepare = (source: string) => {
  const statement = prepare(source);
  const all = statement.all.bind(statement);
  (statement as { all: unknown }).all = (...params: unknown[]) => ((lastSql = source), (lastParams = params), all(...params));
  return statement;
};
const planOf = (sql: string) =>
  (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...lastParams) as { detail: string }[]).map((r) => r.detail).join('; ');
const rows: { query: string; p50: number; p95: number; rows: number; plan: string }[] = [];
for (const [name, filter] of Object.entries(QUERIES)) {
  const ts: number[] = [];
  let n = 0;
  for (let k = 0; k < ROUNDS; k++) {
    const s = performance.now();
    n = q.page(filter).rows.length;
    ts.push(performance.now() - s);
  }
  const plan = planOf(lastSql);
  rows.push({ query: name, p50: +pct(ts, 50).toFixed(3), p95: +pct(ts, 95).toFixed(3), rows: n, plan });
  console.log(`${name.padEnd(36)} p50 ${pct(ts, 50).toFixed(2)} ms  p95 ${pct(ts, 95).toFixed(2)} ms  (${n} rows)  ${plan}`);
}

const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, loadAverage1m: +loadavg()[0]!.toFixed(2) };
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'runs-list.json'), `${JSON.stringify({ runs: RUNS, rounds: ROUNDS, machine, plannerStatisticsMs: statsMs, rows }, null, 2)}\n`);
const md = [
  `# runs.list (RunQueries.page) over ${RUNS.toLocaleString()} runs`,
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}, load average ${machine.loadAverage1m}. ${ROUNDS} rounds per query; target p95 <= 50 ms.`,
  '',
  `With the query planner's statistics, as every open of a data folder keeps them (PRAGMA optimize, ${statsMs} ms here).`,
  '',
  '| query | p50 ms | p95 ms | rows | query plan |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.query} | ${r.p50} | ${r.p95} | ${r.rows} | ${r.plan} |`),
  '',
].join('\n');
writeFileSync(join(resultsDir, 'runs-list.md'), md);
h.close();
