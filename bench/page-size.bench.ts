/**
 * The SQLite page size of a new data folder (db/client.ts, NEW_DATABASE_PAGE_SIZE), both ways it matters:
 *   A. writes: warm governed runs of the hello module on new folders of 4096-, 2048- and 1024-byte
 *      pages, taking turns in batches: WAL frames and bytes per run, bytes the process sent to storage
 *      per run with the checkpoint included (/proc/self/io write_bytes, counted as pages are dirtied),
 *      and runs/s;
 *   B. reads (with --data4k and --data2k, two folders seeded at console scale by seed-large.ts, one
 *      of each page size): the console bench's queries in process on both, taking turns.
 *
 * Run: node bin/run-ts.mjs bench/page-size.bench.ts [--data4k DIR --data2k DIR] [--batches N] [--rounds N]
 * Writes bench/results/page-size.json and bench/results/page-size.md.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openServices, type Services } from '../server/services/index';
import { DEFAULT_WORKER_URL } from '../server/core/sandbox/worker-threads/worker-url';
import { DEFAULT_INSTRUMENT_WORKER_URL } from '../server/services/instrument-worker-url';
import { HELLO } from '../server/core/sandbox/test-modules';
import { generateKeyPair } from '../server/core/crypto/ed25519';
import { createManifest, signManifest } from '../server/core/module/sign';
import { writeBundle } from '../server/services/bundle-files';
import { DATABASE_FILE, NEW_DATABASE_PAGE_SIZE } from '../db/client';
import type { ModuleVersionRow } from '../server/services/module-registry';
import { consoleQueries, inProcessCaller } from './console-queries';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');
const BATCHES = Number(arg('--batches') ?? 8);
const BATCH = 300;
const ROUNDS = Number(arg('--rounds') ?? 100);
const SIZES = [4096, 2048, 1024];
const loadAtStart = loadavg();
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const r2 = (x: number) => Math.round(x * 100) / 100;
const writeBytes = () => Number(/write_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);

// ---- A. writes ----------------------------------------------------------------------------------
interface Folder { size: number; dataDir: string; services: Services; module: ModuleVersionRow }
async function newFolder(size: number): Promise<Folder> {
  const dataDir = mkdtempSync(join(tmpdir(), `nightcore-page-size-${size}-`));
  // A page size is fixed by the first table written: lay one down and drop it, so the services open
  // this folder as an existing database of that page size.
  const pre = new Database(join(dataDir, DATABASE_FILE));
  pre.pragma(`page_size = ${size}`);
  pre.pragma('journal_mode = WAL');
  pre.exec('CREATE TABLE page_size_marker (x); DROP TABLE page_size_marker;');
  pre.close();
  const services = openServices({ dataDir, poolSize: cpus().length, workerUrl: DEFAULT_WORKER_URL, instrumentWorkerUrl: DEFAULT_INSTRUMENT_WORKER_URL });
  const actual = services.handle.sqlite.pragma('page_size', { simple: true });
  if (actual !== size) throw new Error(`asked for ${size}-byte pages, got ${String(actual)}`);
  const pair = generateKeyPair();
  const added = services.trust.add({ publicKey: pair.publicKey, role: 'publisher', name: 'bench publisher' }, 'bench:admin');
  if (!added.ok) throw new Error(added.message);
  const manifest = createManifest(HELLO, { name: 'hello', version: '1.0.0', capabilities: ['stdout', 'stderr', 'exit'] });
  if (!manifest.ok) throw new Error(manifest.message);
  const envelope = signManifest(manifest.value, null, pair.seed);
  if (!envelope.ok) throw new Error(envelope.message);
  const bundle = join(dataDir, 'bundle');
  writeBundle(bundle, HELLO, manifest.value, envelope.value);
  const imported = services.modules.importFolder(bundle, 'bench:operator');
  if (!imported.ok) throw new Error(imported.message);
  // Checkpoints are taken by this bench only, at the end of each batch, so each batch's WAL is its own.
  services.handle.sqlite.pragma('wal_autocheckpoint = 0');
  return { size, dataDir, services, module: imported.value };
}
async function governed(f: Folder): Promise<void> {
  const r = await f.services.governor.run(f.module, {}, 'bench');
  if (!r.ok || r.value.record.decision !== 'allow') throw new Error(`governed run failed on ${f.size}-byte pages`);
}

const folders: Folder[] = [];
for (const size of SIZES) folders.push(await newFolder(size));
for (const f of folders) for (let i = 0; i < BATCH; i++) await governed(f); // workers, caches, JIT, the first pages
const writes = Object.fromEntries(SIZES.map((s) => [s, { frames: [] as number[], storage: [] as number[], perSec: [] as number[] }]));
for (let b = 0; b < BATCHES; b++) {
  for (let k = 0; k < folders.length; k++) {
    const f = folders[(k + b) % folders.length]!; // a different folder first in each batch
    const db = f.services.handle.sqlite;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const w0 = writeBytes();
    const t0 = performance.now();
    for (let i = 0; i < BATCH; i++) await governed(f);
    const seconds = (performance.now() - t0) / 1000;
    const [ckpt] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[]; // the frames this batch wrote
    db.pragma('wal_checkpoint(TRUNCATE)'); // and its checkpoint, counted in the storage bytes
    const w = writes[f.size]!;
    w.frames.push(ckpt!.log / BATCH);
    w.storage.push((writeBytes() - w0) / BATCH);
    w.perSec.push(BATCH / seconds);
  }
}
for (const f of folders) {
  await f.services.close();
  rmSync(f.dataDir, { recursive: true, force: true });
}
const writeRows = SIZES.map((size) => {
  const w = writes[size]!;
  const frames = pct(w.frames, 50);
  return { pageSize: size, framesPerRun: r2(frames), walKbPerRun: r2((frames * (size + 24)) / 1024), storageKbPerRun: r2(pct(w.storage, 50) / 1024), runsPerSec: Math.round(pct(w.perSec, 50)) };
});
const base = writeRows[0]!;
console.table(writeRows);

// ---- B. reads at console scale ---------------------------------------------------------------------
const data4k = arg('--data4k');
const data2k = arg('--data2k');
let readRows: { query: string; p50: Record<string, number>; p95: Record<string, number>; ratioP50: number }[] = [];
let scale: { runs: number; events: number } | null = null;
if (data4k && data2k) {
  const opened = [data4k, data2k].map((dataDir) => openServices({ dataDir, workerUrl: DEFAULT_WORKER_URL }));
  const [s4, s2] = opened as [Services, Services];
  for (const [s, want] of [[s4, 4096], [s2, 2048]] as const) {
    const got = s.handle.sqlite.pragma('page_size', { simple: true });
    if (got !== want) throw new Error(`--data${want / 1024}k has ${String(got)}-byte pages`);
  }
  const runs = s4.handle.sqlite.prepare('SELECT count(*) FROM runs').pluck().get() as number;
  const runs2 = s2.handle.sqlite.prepare('SELECT count(*) FROM runs').pluck().get() as number;
  if (runs !== runs2) throw new Error(`the two folders hold different data (${runs} and ${runs2} runs): seed both alike`);
  scale = { runs, events: s4.handle.sqlite.prepare('SELECT max(seq) FROM audit_events').pluck().get() as number };
  const sides = opened.map((s) => ({ queries: consoleQueries(s, runs), call: inProcessCaller(s) }));
  const ms = sides.map(() => new Map<string, number[]>());
  for (const side of sides) for (const q of side.queries) for (let k = 0; k < 5; k++) await side.call(q); // warm caches and statements
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < sides[0]!.queries.length; i++) {
      for (const j of round % 2 ? [1, 0] : [0, 1]) {
        const q = sides[j]!.queries[i]!;
        const t0 = performance.now();
        await sides[j]!.call(q);
        const list = ms[j]!.get(q.name) ?? [];
        list.push(performance.now() - t0);
        ms[j]!.set(q.name, list);
      }
    }
  }
  readRows = sides[0]!.queries.map((q) => {
    const [a, b] = [ms[0]!.get(q.name)!, ms[1]!.get(q.name)!];
    return { query: q.name, p50: { 4096: r2(pct(a, 50)), 2048: r2(pct(b, 50)) }, p95: { 4096: r2(pct(a, 95)), 2048: r2(pct(b, 95)) }, ratioP50: r2(pct(b, 50) / pct(a, 50)) };
  });
  for (const s of opened) await s.close();
  console.table(readRows.map((r) => ({ query: r.query, '4096 p50': r.p50[4096], '2048 p50': r.p50[2048], ratio: r.ratioP50 })));
}

// ---- results ---------------------------------------------------------------------------------------
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, date: new Date().toISOString(), loadAtStart, loadAtEnd: loadavg() };
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'page-size.json'), `${JSON.stringify({ machine, newDatabasePageSize: NEW_DATABASE_PAGE_SIZE, batches: BATCHES, batch: BATCH, writes: writeRows, scale, reads: readRows }, null, 2)}\n`);
const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
writeFileSync(
  join(RESULTS, 'page-size.md'),
  [
    '# SQLite page size of a new data folder',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}, ${machine.date}. Load average at start ${la(loadAtStart)}, at end ${la(machine.loadAtEnd)}.`,
    `New folders are created with ${NEW_DATABASE_PAGE_SIZE}-byte pages (db/client.ts); a folder keeps the page size it was created with.`,
    '',
    `## A. Writes: warm governed runs of the hello module (${BATCHES} batches of ${BATCH} per page size, taking turns; medians)`,
    '',
    '| page size | WAL frames per run | WAL KB per run | KB sent to storage per run (checkpoint included) | runs/s | runs/s vs 4096 |',
    '|---:|---:|---:|---:|---:|---:|',
    ...writeRows.map((r) => `| ${r.pageSize} | ${r.framesPerRun} | ${r.walKbPerRun} | ${r.storageKbPerRun} | ${r.runsPerSec} | ${r2(r.runsPerSec / base.runsPerSec)}x |`),
    '',
    ...(scale
      ? [
          `## B. Reads: the console bench's queries in process at ${scale.runs.toLocaleString('en')} runs and ${scale.events.toLocaleString('en')} events (${ROUNDS} rounds, the two folders taking turns), ms`,
          '',
          '| query | 4096 p50 (p95) | 2048 p50 (p95) | 2048 / 4096 (p50) |',
          '|---|---:|---:|---:|',
          ...readRows.map((r) => `| ${r.query} | ${r.p50[4096]} (${r.p95[4096]}) | ${r.p50[2048]} (${r.p95[2048]}) | ${r.ratioP50}x |`),
          '',
        ]
      : ['Reads were not measured (pass --data4k and --data2k).', '']),
  ].join('\n'),
);
console.log('wrote bench/results/page-size.md');
