/**
 * A CLI command on a data folder at console scale: `nightcore runs list --limit 1` (open the
 * services, one indexed read, close) against `node -e 0`, and optionally another checkout's CLI on
 * its own copy of the folder, taking turns. Opening the services used to look at every run.started
 * of the last 30 days for crash recovery, under a write lock (run-reconcile.ts); this is where that shows.
 *
 * Run: node bin/run-ts.mjs bench/open-at-scale.bench.ts --data DIR [--baseline CHECKOUT --baseline-data DIR] [--n 15]
 *   DIR: a folder seeded by `console.bench.ts --keep` (upgraded to this release); the baseline needs its
 *   own copy at its own schema version.
 * Writes bench/results/open-at-scale.json and bench/results/open-at-scale.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = arg('--data');
if (!DATA) {
  // `npm run bench` runs every bench without arguments: say what this one needs instead of failing the set.
  console.log('open-at-scale: skipped (needs --data DIR, a folder seeded by console.bench.ts --keep)');
  process.exit(0);
}
const BASELINE = arg('--baseline');
const BASELINE_DATA = arg('--baseline-data');
if (BASELINE && !BASELINE_DATA) throw new Error('--baseline needs --baseline-data (a copy of the folder at its schema version)');
const N = Number(arg('--n') ?? 15);
const loadAtStart = loadavg();

const count = (dir: string, sql: string) => {
  const db = new Database(join(dir, 'nightcore.db'), { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
};
const scale = { runs: count(DATA, 'SELECT count(*) FROM runs'), events: count(DATA, 'SELECT max(seq) FROM audit_events') };

const commands: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'runs list (this checkout)': [join(ROOT, 'bin/nightcore.mjs'), 'runs', 'list', '--limit', '1', '--data', DATA],
  ...(BASELINE ? { 'runs list (baseline)': [join(BASELINE, 'bin/nightcore.mjs'), 'runs', 'list', '--limit', '1', '--data', BASELINE_DATA!] } : {}),
};
const once = (argv: string[]) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return performance.now() - t0;
};
for (const argv of Object.values(commands)) once(argv); // builds and code caches, the first open's statistics and mark

const ms: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < N; i++) for (const [name, argv] of Object.entries(commands)) ms[name]!.push(once(argv));
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = Object.entries(ms).map(([name, xs]) => ({ name, p50: Math.round(p50(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)) }));

const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, date: new Date().toISOString(), loadAtStart, loadAtEnd: loadavg() };
const results = join(ROOT, 'bench', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(join(results, 'open-at-scale.json'), `${JSON.stringify({ machine, scale, n: N, baseline: BASELINE ?? null, rows }, null, 2)}\n`);
const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
const md = [
  `# A CLI command at console scale (${scale.runs.toLocaleString('en')} runs, ${scale.events.toLocaleString('en')} audit events)`,
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}, ${machine.date}. Load average at start ${la(loadAtStart)}, at end ${la(machine.loadAtEnd)}.`,
  `${N} runs of each, taking turns; wall time in ms.${BASELINE ? ` Baseline: ${BASELINE}.` : ''}`,
  '',
  '| command | p50 | min | max |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.p50} | ${r.min} | ${r.max} |`),
  '',
].join('\n');
writeFileSync(join(results, 'open-at-scale.md'), md);
console.log(md);
