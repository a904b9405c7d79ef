/**
 * What saying "why denied" costs a runs-list page, at console scale: the runs.list procedure in
 * process, its denied rows' decision records read three ways, taking turns in one process on one
 * data folder:
 *   - verdicts: only how each record was decided, checked (parseDecisionVerdicts; what runs.list does);
 *   - whole records: every record read through the full schema (parseDecisionRecord; runs.list before);
 *   - cast: JSON.parse with no check at all (the November reader, before records were read through a schema);
 * and the page's query alone. The list shapes are the console bench's (bench/console.bench.ts).
 *
 * Run: node bin/run-ts.mjs bench/runs-why.bench.ts [--data DIR] [--rounds N]
 *   --data DIR  a folder seeded by `console.bench.ts --keep` (else a fresh temp folder is seeded at console scale)
 * Writes bench/results/runs-why.json and bench/results/runs-why.md.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedLarge, type SeedReport } from './seed-large';
import { openServices } from '../server/services/index';
import { DEFAULT_WORKER_URL } from '../server/core/sandbox/worker-threads/worker-url';
import { createCaller } from '../server/api/root';
import type { DecisionVerdicts } from '../server/core/guardian/decision-record';
import type { UnreadableRecord } from '../server/services/runs';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');
const ROUNDS = Number(arg('--rounds') ?? 40);
const PER_ROUND = 5;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const r2 = (x: number) => Math.round(x * 100) / 100;
const loadAtStart = loadavg();

const given = arg('--data');
const dataDir = given ?? mkdtempSync(join(tmpdir(), 'nightcore-runs-why-'));
const marker = join(dataDir, 'bench-seed.json');
let seed: SeedReport;
if (given && existsSync(marker)) seed = JSON.parse(readFileSync(marker, 'utf8')) as SeedReport;
else {
  console.log(`seeding ${dataDir} ...`);
  seed = await seedLarge({ dataDir, adminPassword: 'bench-admin-pass-0001', log: (l) => console.log(l) });
  writeFileSync(marker, JSON.stringify(seed));
}

const services = openServices({ dataDir, workerUrl: DEFAULT_WORKER_URL });
try {
  const sqlite = services.handle.sqlite;
  const mid = sqlite.prepare('SELECT id, started_at AS t FROM runs ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET ?').get(Math.floor(seed.runs / 2)) as { id: string; t: number };
  const busiest = sqlite.prepare('SELECT module_name AS m FROM runs INDEXED BY runs_module GROUP BY module_name ORDER BY count(*) DESC LIMIT 1').get() as { m: string };
  const cursor = { startedAt: new Date(mid.t), id: mid.id };
  const SHAPES: { name: string; filter: Parameters<typeof services.runs.page>[0] }[] = [
    { name: 'first page', filter: { limit: 50 } },
    { name: 'deep page (cursor)', filter: { limit: 50, cursor } },
    { name: 'deny, first page', filter: { decision: 'deny', limit: 50 } },
    { name: 'module+deny, deep page', filter: { moduleContains: busiest.m, decision: 'deny', cursor, limit: 50 } },
    { name: 'outcome trap, deep page', filter: { outcome: 'trap', cursor, limit: 50 } },
  ];

  // The record text exactly as RunQueries reads it (its kept copy, else its own run.decided payload).
  const recordTexts = (ids: readonly string[]) =>
    sqlite
      .prepare(
        `SELECT runs.id AS id, coalesce(run_records.record, audit_events.payload) AS record FROM runs
           LEFT JOIN run_records ON run_records.run_id = runs.id
           LEFT JOIN audit_events ON audit_events.seq = runs.audit_seq AND audit_events.action = 'run.decided' AND audit_events.subject = 'run:' || runs.id
         WHERE runs.id IN (${ids.map(() => '?').join(',')})`,
      )
      .all(...ids) as { id: string; record: string }[];

  type Reader = (ids: readonly string[]) => Map<string, DecisionVerdicts | UnreadableRecord>;
  const shipped: Reader = services.runs.verdicts.bind(services.runs);
  const READERS: Record<string, Reader> = {
    'verdicts (now)': shipped,
    'whole records (before)': (ids) => services.runs.records(ids),
    'cast, no check (November)': (ids) => (ids.length ? new Map(recordTexts(ids).map((r) => [r.id, JSON.parse(r.record) as DecisionVerdicts])) : new Map()),
  };
  const admin = sqlite.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: string };
  const caller = createCaller({ user: { id: admin.id, username: 'admin', role: 'admin' }, services });
  const wire = ({ filter: f }: (typeof SHAPES)[number]) => ({ ...f, since: undefined, until: undefined, outcome: f.outcome as 'trap' | undefined, cursor: f.cursor && { startedAt: f.cursor.startedAt.toISOString(), id: f.cursor.id } });
  /** The runs.list procedure in process (input and output validated), its record reader swapped for the one measured. */
  const listWith = async (shape: (typeof SHAPES)[number], read: Reader) => {
    services.runs.verdicts = read;
    try {
      return (await caller.runs.list(wire(shape))).items.filter((i) => i.why).length;
    } finally {
      services.runs.verdicts = shipped;
    }
  };
  const queryOnly = (shape: (typeof SHAPES)[number]) => services.runs.page(shape.filter).rows.length;

  // The readers explain the same rows on every shape before anything is timed (else the comparison means nothing).
  const denied: Record<string, number> = {};
  for (const shape of SHAPES) {
    const counts = await Promise.all(Object.values(READERS).map((r) => listWith(shape, r)));
    if (new Set(counts).size !== 1) throw new Error(`${shape.name}: the readers explain different rows (${counts})`);
    denied[shape.name] = counts[0]!;
  }

  const paths = ['query only', ...Object.keys(READERS)];
  const ms: Record<string, Record<string, number[]>> = Object.fromEntries(SHAPES.map((s) => [s.name, Object.fromEntries(paths.map((p) => [p, [] as number[]]))]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const shape of SHAPES) {
      // A different path goes first each round, so warm-up and load swings fall on all of them.
      for (let k = 0; k < paths.length; k++) {
        const path = paths[(k + round) % paths.length]!;
        const reader = READERS[path];
        for (let i = 0; i < PER_ROUND; i++) {
          const t0 = performance.now();
          if (reader) await listWith(shape, reader);
          else queryOnly(shape);
          ms[shape.name]![path]!.push(performance.now() - t0);
        }
      }
    }
  }

  const rows = SHAPES.map((s) => {
    const p50 = Object.fromEntries(paths.map((p) => [p, r2(pct(ms[s.name]![p]!, 50))]));
    const p95 = Object.fromEntries(paths.map((p) => [p, r2(pct(ms[s.name]![p]!, 95))]));
    const now = p50['verdicts (now)']!;
    return {
      shape: s.name,
      deniedRows: denied[s.name]!,
      p50,
      p95,
      nowVsBefore: r2(now / p50['whole records (before)']!),
      nowVsNovember: r2(now / p50['cast, no check (November)']!),
    };
  });
  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, date: new Date().toISOString(), loadAtStart, loadAtEnd: loadavg() };
  const out = { machine, seed: { runs: seed.runs, auditEvents: seed.auditEvents }, rounds: ROUNDS, perRound: PER_ROUND, rows };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'runs-why.json'), `${JSON.stringify(out, null, 2)}\n`);
  const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  writeFileSync(
    join(RESULTS, 'runs-why.md'),
    [
      `# Runs list: what explaining denied rows costs (${seed.runs.toLocaleString('en')} runs, ${seed.auditEvents.toLocaleString('en')} audit events)`,
      '',
      `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}, ${machine.date}. Load average at start ${la(loadAtStart)}, at end ${la(machine.loadAtEnd)}.`,
      `${ROUNDS} rounds × ${PER_ROUND} pages of 50 per shape and path, the paths taking turns (a different one first each round). Milliseconds per page, p50 (p95).`,
      '',
      `| shape | denied rows | ${paths.join(' | ')} | now / before | now / November |`,
      `|---|---:|${paths.map(() => '---:').join('|')}|---:|---:|`,
      ...rows.map((r) => `| ${r.shape} | ${r.deniedRows} | ${paths.map((p) => `${r.p50[p]} (${r.p95[p]})`).join(' | ')} | ${r.nowVsBefore}x | ${r.nowVsNovember}x |`),
      '',
      'Every path but "query only" is the whole runs.list procedure in process (input and output validated, rows put on the wire), with its',
      'record reader swapped: "now" reads only how each denied record was decided, through its schema (parseDecisionVerdicts); "before" read',
      'each whole record through the full schema (parseDecisionRecord); "November" cast JSON.parse with no check (the reader before issue 16).',
      '',
    ].join('\n'),
  );
  console.log(readFileSync(join(RESULTS, 'runs-why.md'), 'utf8'));
} finally {
  await services.close();
  if (!given) rmSync(dataDir, { recursive: true, force: true });
}
