/**
 * Audit log throughput, measured side by side in one run on file databases (WAL) in a temp dir.
 *
 * Appending, each on a fresh database with the real schema (its four secondary indexes on
 * audit_events: action, time, actor, subject):
 *   - floors: raw better-sqlite3 INSERTs of equivalent precomputed rows (canonical payload text,
 *     64-hex hashes), in one transaction and in transactions of 1000 (appendMany's batch: the
 *     floor it is held to); and floors that say what the floor is made of: the same without the
 *     secondary indexes, without the subject index alone (the bench's 350 subjects spread each
 *     transaction's inserts over as many index leaves), and with an empty payload
 *   - AuditLog.appendMany in batches of 1000 (validation, canonical JSON, SHA-256 chain, Merkle
 *     subtrees, signed checkpoints every 1000 events), and in one batch
 *   - AuditLog.append, each event in its own transaction
 * The 1000-row floor and appendMany take turns (ROUNDS times, median), so both see the same load.
 * WAL bytes per event are counted separately, with automatic checkpoints off (a checkpoint
 * restarts the WAL and would hide frames).
 *
 * Verifying, alternated per round: raw SELECT scans of the same rows (objects and arrays), a
 * hashing floor (the three SHA-256 per event that verification cannot skip: the event's canonical
 * text, its Merkle leaf, one tree node; the texts built beforehand), AuditLog.verify and
 * AuditLog.verifyAsync (the paged path the CLI and the console use).
 *
 * Targets (issue 14): appendMany >= 100,000 events/s, verify >= 500,000 events/s. Ratios to the
 * floors matter more than absolute numbers (the machine is shared; the load average is recorded).
 *
 * Run: node bin/run-ts.mjs bench/audit.bench.ts [events]   (default 250000)
 * Writes bench/results/audit.json and bench/results/audit.md.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, platform, release, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nodeCrypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { openDatabase } from '../db/client';
import { AuditLog } from '../server/services/audit-log';
import { loadOrCreateServerKey } from '../server/services/server-key';
import { canonicalPayload } from '../server/core/audit/canonical-payload';
import { canonicalEventText } from '../server/core/audit/hash';
import { benchInput } from './audit-inputs';

const EVENTS = Number(process.argv[2] ?? 250_000);
const BATCH = 1000;
const SINGLE_APPENDS = 5000;
const ROUNDS = 3;
const WAL_EVENTS = Math.min(EVENTS, 20_000);
const TARGET_APPEND = 100_000;
const TARGET_VERIFY = 500_000;

const root = mkdtempSync(join(tmpdir(), 'nc-audit-bench-'));
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const loadAtStart = loadavg();

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const rate = (n: number, s: number) => Math.round(n / s);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let dbCount = 0;
const freshDb = () => openDatabase(join(root, `db${dbCount++}`));

const serverKey = loadOrCreateServerKey(join(root, 'key'));
const inputs = Array.from({ length: EVENTS }, (_, i) => benchInput(i));

// The floors' rows: the same columns appendMany writes (canonical payload text, 64-hex hashes).
type Row = [number, string, string, string, string, string, string, string];
const floorRows: Row[] = inputs.map((e, i) => {
  const payload = canonicalPayload(e.payload);
  if (!payload.ok) throw new Error(payload.message);
  return [i + 1, '2025-01-01T00:00:00.000Z', e.actor, e.action, e.subject, payload.value, 'f'.repeat(64), 'e'.repeat(64)];
});
const payloadBytes = Math.round(floorRows.reduce((n, r) => n + Buffer.byteLength(r[5]), 0) / EVENTS);
const SECONDARY_INDEXES = ['audit_events_action', 'audit_events_time', 'audit_events_actor', 'audit_events_subject'];

interface FloorShape {
  readonly txSize: number;
  /** secondary indexes dropped before inserting */
  readonly dropIndexes?: readonly string[];
  readonly emptyPayload?: boolean;
}
function insertRows(sqlite: Database.Database, rows: readonly Row[], shape: FloorShape): void {
  for (const name of shape.dropIndexes ?? []) sqlite.exec(`DROP INDEX ${name}`);
  const insert = sqlite.prepare('INSERT INTO audit_events (seq, time, actor, action, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const tx = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const r = rows[i]!;
      insert.run(r[0], r[1], r[2], r[3], r[4], shape.emptyPayload ? '{}' : r[5], r[6], r[7]);
    }
  });
  for (let i = 0; i < rows.length; i += shape.txSize) tx.immediate(i, Math.min(rows.length, i + shape.txSize));
}
/** Events per second of a raw INSERT floor on a fresh database. */
function floor(shape: FloorShape): number {
  const db = freshDb();
  const t = process.hrtime.bigint();
  insertRows(db.sqlite, floorRows, shape);
  const s = seconds(t);
  db.close();
  return rate(EVENTS, s);
}
function appendManyRate(batch: number, keep = false): { perSec: number; db?: ReturnType<typeof freshDb>; log?: AuditLog } {
  const db = freshDb();
  const log = new AuditLog(db.sqlite, { serverKey });
  const t = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i += batch) log.appendMany(inputs.slice(i, i + batch));
  const s = seconds(t);
  if (keep) return { perSec: rate(EVENTS, s), db, log };
  db.close();
  return { perSec: rate(EVENTS, s) };
}

// 1. Appending. The 1000-row floor and appendMany(1000) take turns; the last appendMany's log is kept for verification.
const floor1000: number[] = [];
const many1000: number[] = [];
let kept: { db: ReturnType<typeof freshDb>; log: AuditLog } | undefined;
for (let round = 0; round < ROUNDS; round++) {
  floor1000.push(floor({ txSize: BATCH }));
  const r = appendManyRate(BATCH, round === ROUNDS - 1);
  many1000.push(r.perSec);
  if (r.db && r.log) kept = { db: r.db, log: r.log };
}
const floorOneTx = floor({ txSize: EVENTS });
const manyOneBatch = appendManyRate(EVENTS).perSec;
const floorNoIndexes = floor({ txSize: BATCH, dropIndexes: SECONDARY_INDEXES });
const floorNoSubjectIndex = floor({ txSize: BATCH, dropIndexes: ['audit_events_subject'] });
const floorEmptyPayload = floor({ txSize: BATCH, emptyPayload: true });

const singleDb = freshDb();
const single = new AuditLog(singleDb.sqlite, { serverKey });
let t = process.hrtime.bigint();
for (let i = 0; i < SINGLE_APPENDS; i++) single.append(inputs[i]!);
const singlePerSec = rate(SINGLE_APPENDS, seconds(t));
singleDb.close();

// WAL bytes per event: frames written with automatic checkpoints off, transactions of 1000.
function walBytesPerEvent(write: (sqlite: Database.Database) => void): number {
  const db = freshDb();
  db.sqlite.pragma('wal_autocheckpoint = 0');
  db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  write(db.sqlite);
  const pageSize = db.sqlite.pragma('page_size', { simple: true }) as number;
  const [c] = db.sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
  db.close();
  return Math.round((c!.log * (pageSize + 24)) / WAL_EVENTS);
}
const walFloor = walBytesPerEvent((sqlite) => insertRows(sqlite, floorRows.slice(0, WAL_EVENTS), { txSize: BATCH }));
const walFloorNoSubject = walBytesPerEvent((sqlite) => insertRows(sqlite, floorRows.slice(0, WAL_EVENTS), { txSize: BATCH, dropIndexes: ['audit_events_subject'] }));
const walMany = walBytesPerEvent((sqlite) => {
  const log = new AuditLog(sqlite, { serverKey });
  for (let i = 0; i < WAL_EVENTS; i += BATCH) log.appendMany(inputs.slice(i, Math.min(WAL_EVENTS, i + BATCH)));
});

// 2. Verification vs raw scans of the same rows and the hashing floor, alternated so all see the same load.
const { db, log } = kept!;
const SCAN_SQL = 'SELECT seq, time, actor, action, subject, payload, prev_hash AS prevHash, hash FROM audit_events ORDER BY seq';
const scan = db.sqlite.prepare(SCAN_SQL);
const scanArrays = db.sqlite.prepare(SCAN_SQL).raw(true);
const countRows = (rows: Iterable<unknown>) => {
  let n = 0;
  for (const row of rows) if (row) n++;
  if (n !== EVENTS) throw new Error(`scan saw ${n} rows, expected ${EVENTS}`);
};
const stored = scan.all() as { seq: number; time: string; actor: string; action: string; subject: string; payload: string; prevHash: string; hash: string }[];
const texts = stored.map((e) => canonicalEventText(e));
const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65);
function hashingFloor(): void {
  const hash = (nodeCrypto as unknown as { hash: (alg: string, data: string | Uint8Array, enc: string) => string }).hash;
  let bad = 0;
  for (let i = 0; i < texts.length; i++) {
    if (hash('sha256', texts[i]!, 'hex') !== stored[i]!.hash) bad++;
    hash('sha256', leafInput, 'latin1');
    hash('sha256', nodeInput, 'latin1');
  }
  if (bad !== 0) throw new Error('hashing floor: stored hashes differ');
}
const times = { scan: [] as number[], arrays: [] as number[], hashing: [] as number[], verify: [] as number[], verifyAsync: [] as number[] };
const expectOk = (report: ReturnType<AuditLog['verify']>) => {
  if (!report.ok || report.events !== EVENTS) throw new Error(`verification failed: ${JSON.stringify(report)}`);
};
for (let round = 0; round < ROUNDS; round++) {
  t = process.hrtime.bigint();
  countRows(scan.iterate());
  times.scan.push(seconds(t));
  t = process.hrtime.bigint();
  countRows(scanArrays.iterate());
  times.arrays.push(seconds(t));
  t = process.hrtime.bigint();
  hashingFloor();
  times.hashing.push(seconds(t));
  t = process.hrtime.bigint();
  expectOk(log.verify());
  times.verify.push(seconds(t));
  t = process.hrtime.bigint();
  expectOk(await log.verifyAsync());
  times.verifyAsync.push(seconds(t));
}
const checkpoints = db.sqlite.prepare('SELECT COUNT(*) FROM audit_checkpoints').pluck().get() as number;
db.close();
rmSync(root, { recursive: true, force: true });

const perSec = (xs: number[]) => rate(EVENTS, median(xs));
const ratio = (a: number, b: number) => +(a / b).toFixed(3);
const append = {
  rawInsertOneTxPerSec: floorOneTx,
  rawInsertTx1000PerSec: median(floor1000),
  rawInsertTx1000Rounds: floor1000,
  rawInsertTx1000NoSecondaryIndexesPerSec: floorNoIndexes,
  rawInsertTx1000NoSubjectIndexPerSec: floorNoSubjectIndex,
  rawInsertTx1000EmptyPayloadPerSec: floorEmptyPayload,
  appendManyBatch1000PerSec: median(many1000),
  appendManyBatch1000Rounds: many1000,
  appendManyOneBatchPerSec: manyOneBatch,
  singleAppendPerSec: singlePerSec,
  appendManyVsFloorTx1000: ratio(median(many1000), median(floor1000)),
  appendManyOneBatchVsFloorOneTx: ratio(manyOneBatch, floorOneTx),
  walBytesPerEventFloorTx1000: walFloor,
  walBytesPerEventAppendMany1000: walMany,
  walBytesPerEventFloorTx1000NoSubjectIndex: walFloorNoSubject,
  payloadBytesAverage: payloadBytes,
  targetPerSec: TARGET_APPEND,
};
const verify = {
  rawScanObjectsPerSec: perSec(times.scan),
  rawScanArraysPerSec: perSec(times.arrays),
  hashingFloorPerSec: perSec(times.hashing),
  verifyPerSec: perSec(times.verify),
  verifyAsyncPerSec: perSec(times.verifyAsync),
  verifyVsArrayScan: ratio(perSec(times.verify), perSec(times.arrays)),
  verifyVsHashingFloor: ratio(perSec(times.verify), perSec(times.hashing)),
  verifyAsyncVsVerify: ratio(perSec(times.verifyAsync), perSec(times.verify)),
  rounds: ROUNDS,
  targetPerSec: TARGET_VERIFY,
};
const results = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, loadavgAtStart: loadAtStart.map((x) => +x.toFixed(2)), loadavgAtEnd: loadavg().map((x) => +x.toFixed(2)) },
  date: new Date().toISOString(),
  events: EVENTS,
  checkpointsWritten: checkpoints,
  append,
  verify,
};

const n = (x: number) => x.toLocaleString('en-US');
const rows: [string, number, string][] = [
  ['raw INSERT, one transaction (floor for one batch)', append.rawInsertOneTxPerSec, '1.00'],
  ['AuditLog.appendMany, one batch', append.appendManyOneBatchPerSec, `${append.appendManyOneBatchVsFloorOneTx} of its floor`],
  ['raw INSERT, transactions of 1000 (floor for batches of 1000)', append.rawInsertTx1000PerSec, '1.00'],
  ['  the same without the 4 secondary indexes', append.rawInsertTx1000NoSecondaryIndexesPerSec, `${ratio(floorNoIndexes, append.rawInsertTx1000PerSec)} of the floor`],
  ['  the same without audit_events_subject alone', append.rawInsertTx1000NoSubjectIndexPerSec, `${ratio(floorNoSubjectIndex, append.rawInsertTx1000PerSec)} of the floor`],
  ['  the same with an empty payload', append.rawInsertTx1000EmptyPayloadPerSec, `${ratio(floorEmptyPayload, append.rawInsertTx1000PerSec)} of the floor`],
  ['AuditLog.appendMany, batches of 1000', append.appendManyBatch1000PerSec, `${append.appendManyVsFloorTx1000} of its floor`],
  ['AuditLog.append, one transaction each', append.singleAppendPerSec, `${ratio(singlePerSec, append.appendManyBatch1000PerSec)} of appendMany`],
  ['raw SELECT scan, rows as objects', verify.rawScanObjectsPerSec, ''],
  ['raw SELECT scan, rows as arrays (floor)', verify.rawScanArraysPerSec, '1.00'],
  ['hashing floor: 3 SHA-256 per event, no scan', verify.hashingFloorPerSec, `${ratio(verify.hashingFloorPerSec, verify.rawScanArraysPerSec)} of the array scan`],
  ['AuditLog.verify (chain, Merkle tree, checkpoints)', verify.verifyPerSec, `${verify.verifyVsArrayScan} of the array scan, ${verify.verifyVsHashingFloor} of the hashing floor`],
  ['AuditLog.verifyAsync (paged; the CLI and console)', verify.verifyAsyncPerSec, `${verify.verifyAsyncVsVerify} of verify`],
];
const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
const table = [
  `Audit log bench: ${n(EVENTS)} events (payload ${payloadBytes} bytes on average), ${results.machine.cpu}, ${results.machine.cores} cores, node ${results.machine.node}, ${results.date}`,
  `Load average ${la(results.machine.loadavgAtStart)} at the start, ${la(results.machine.loadavgAtEnd)} at the end (shared machine). Medians of ${ROUNDS} rounds where rounds are listed.`,
  '',
  '| operation | events/s | ratio |',
  '|---|---:|---|',
  ...rows.map(([name, x, r]) => `| ${name} | ${n(x)} | ${r} |`),
  '',
  `rounds, transactions of 1000: floor ${floor1000.map(n).join(', ')}; appendMany ${many1000.map(n).join(', ')}`,
  `WAL bytes per event, transactions of 1000, first ${n(WAL_EVENTS)} events: floor ${n(walFloor)} (${n(walFloorNoSubject)} without audit_events_subject), appendMany ${n(walMany)} (checkpoints and Merkle subtrees included)`,
  `targets: appendMany >= ${n(TARGET_APPEND)}/s (${append.appendManyBatch1000PerSec >= TARGET_APPEND ? 'met' : 'MISSED'}), ` +
    `verify >= ${n(TARGET_VERIFY)}/s (${verify.verifyPerSec >= TARGET_VERIFY ? 'met' : 'MISSED'})`,
].join('\n');

console.log(table);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'audit.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(resultsDir, 'audit.md'), table + '\n');
