/**
 * The console's modules.list and modules.get (server/api/routers/module-views.ts) with M module
 * names (default 200, two versions each) and R runs (default 200,000, raw rows): p50/p95. Every list
 * row carries a live threat assessment (RunPipeline.assess), so this is the query to watch.
 * Target p95 <= 50 ms.
 *
 * Run: node bin/run-ts.mjs bench/modules-list.bench.ts [modules] [runs]
 * Writes bench/results/modules-list.json and bench/results/modules-list.md.
 */
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openHarness } from '../server/services/test-fixtures';
import { HELLO } from '../server/core/sandbox/test-modules';
import { listModules, moduleDetail } from '../server/api/routers/module-views';

const MODULES = Number(process.argv[2] ?? 200);
const RUNS = Number(process.argv[3] ?? 200_000);
const ROUNDS = 30;
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

const tagged = (tag: string) => {
  const name = Buffer.from(tag);
  return new Uint8Array(Buffer.concat([HELLO, Buffer.from([0, name.length + 1, name.length]), name]));
};

const h = openHarness();
const s = h.services;
let t = performance.now();
for (let i = 0; i < MODULES; i++) {
  h.install(tagged(`m${i}-a`), { name: `mod-${i}`, version: '1.0.0', capabilities: ['stdout'] });
  h.install(tagged(`m${i}-b`), { name: `mod-${i}`, version: '1.1.0', capabilities: ['stdout'] });
}
console.log(`installed ${MODULES * 2} versions in ${Math.round(performance.now() - t)} ms`);
t = performance.now();
const ins = s.handle.sqlite.prepare(`INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at,
  decision, outcome, exit_code, threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256, stdin, stdout, stderr, audit_seq)
  VALUES (?, 1, ?, '1.0.0', 'default', ?, 'user:op', ?, ?, ?, 0, 10, 1000, 3, 'default', 1, '1', '', x'', x'', x'', ?)`);
s.handle.sqlite.transaction(() => {
  for (let i = 0; i < RUNS; i++) {
    const deny = i % 10 === 0;
    ins.run(`run-${i}`, `mod-${i % MODULES}`, `digest-${i % 1000}`, Date.now() - RUNS + i, deny ? 'deny' : 'allow', deny ? 'trap' : 'ok', i + 1);
  }
})();
console.log(`filled ${RUNS} runs in ${Math.round(performance.now() - t)} ms`);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const CASES: Record<string, () => unknown> = {
  'modules.list (all names)': () => listModules(s, {}, 'bench'),
  'modules.list (search "mod-1")': () => listModules(s, { search: 'mod-1' }, 'bench'),
  'modules.get (2 versions, drift, recent runs)': () => moduleDetail(s, 'mod-7', 'bench'),
};
const rows: { query: string; p50: number; p95: number }[] = [];
for (const [name, fn] of Object.entries(CASES)) {
  fn(); // first call fills the verification and inspection caches, as the first page view would
  const ts: number[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    const start = performance.now();
    fn();
    ts.push(performance.now() - start);
  }
  rows.push({ query: name, p50: +pct(ts, 50).toFixed(3), p95: +pct(ts, 95).toFixed(3) });
  console.log(`${name.padEnd(46)} p50 ${pct(ts, 50).toFixed(2)} ms  p95 ${pct(ts, 95).toFixed(2)} ms`);
}

const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}` };
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'modules-list.json'), `${JSON.stringify({ modules: MODULES, runs: RUNS, rounds: ROUNDS, machine, rows }, null, 2)}\n`);
writeFileSync(
  join(resultsDir, 'modules-list.md'),
  [
    `# modules.list / modules.get with ${MODULES} names (x2 versions) and ${RUNS.toLocaleString()} runs`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}. ${ROUNDS} rounds after one warm-up call; target p95 <= 50 ms.`,
    '',
    '| query | p50 ms | p95 ms |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.query} | ${r.p50} | ${r.p95} |`),
    '',
  ].join('\n'),
);
await s.close();
rmSync(h.dataDir, { recursive: true, force: true });
