/**
 * Audit log throughput, measured side by side in one run on file databases (WAL) in a temp dir:
 *   - floor: raw better-sqlite3 INSERTs of equivalent precomputed rows in one transaction
 *   - AuditLog.appendMany in batches of 1000 (canonical JSON + SHA-256 chain + signed checkpoints)
 *   - AuditLog.append, each event in its own transaction
 *   - AuditLog.verify over the whole chain vs a raw SELECT scan of the same rows
 * Targets: appendMany >= 50,000 events/s, verify >= 300,000 events/s. Ratios matter more than
 * absolute numbers (the machine is shared).
 *
 * Run: node bin/run-ts.mjs bench/audit.bench.ts [events]   (default 250000)
 * Writes bench/results/audit.json and bench/results/audit.md.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, platform, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../db/client';
import { AuditLog } from '../server/services/audit-log';
import { loadOrCreateServerKey } from '../server/services/server-key';
import type { AuditEventInput } from '../server/core/audit/event';

const EVENTS = Number(process.argv[2] ?? 250_000);
const BATCH = 1000;
const SINGLE_APPENDS = 5000;
const VERIFY_ROUNDS = 3;

const root = mkdtempSync(join(tmpdir(), 'nc-audit-bench-'));
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** A realistic run decision: digests, ids, a few numbers and a nested verdict. */
function input(i: number): AuditEventInput {
  return {
    actor: `user:${i % 17}@example.com`,
    action: 'run.decided',
    subject: `module:hello-${i % 50}@1.${i % 7}.0`,
    payload: {
      runId: i,
      wasmSha256: 'a3f1c9'.padEnd(64, String(i % 10)),
      decision: i % 9 === 0 ? 'deny' : 'allow',
      budget: { fuel: 1_000_000, memoryPages: 16, wallMs: 2000 },
      used: { fuel: (i * 7919) % 1_000_000, memoryPages: 3, wallMs: 12.5 },
      rules: [{ id: 'signed-by-trusted-key', outcome: 'pass' }, { id: 'threat-score', outcome: 'pass', score: i % 40 }],
    },
  };
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const rate = (n: number, s: number) => Math.round(n / s);

function freshDb(name: string) {
  return openDatabase(join(root, name));
}

const serverKey = loadOrCreateServerKey(join(root, 'key'));
const inputs = Array.from({ length: EVENTS }, (_, i) => input(i));

// 1. Floor: the same row shapes (canonical payload text, 64-hex hashes), no hashing or validation.
const floorDb = freshDb('floor');
const floorRows = inputs.map((e, i) => [i + 1, '2025-01-01T00:00:00.000Z', e.actor, e.action, e.subject, JSON.stringify(e.payload), 'f'.repeat(64), 'e'.repeat(64)]);
const floorInsert = floorDb.sqlite.prepare('INSERT INTO audit_events (seq, time, actor, action, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
let t = process.hrtime.bigint();
floorDb.sqlite.transaction(() => {
  for (const r of floorRows) floorInsert.run(...r);
})();
const floorSeconds = seconds(t);
floorDb.close();

// 2. appendMany in batches of 1000.
const db = freshDb('log');
const log = new AuditLog(db.sqlite, { serverKey });
t = process.hrtime.bigint();
for (let i = 0; i < EVENTS; i += BATCH) log.appendMany(inputs.slice(i, i + BATCH));
const manySeconds = seconds(t);

// 3. Single appends, each in its own transaction (a separate log so the chain above stays as is).
const singleDb = freshDb('single');
const single = new AuditLog(singleDb.sqlite, { serverKey });
t = process.hrtime.bigint();
for (let i = 0; i < SINGLE_APPENDS; i++) single.append(inputs[i]!);
const singleSeconds = seconds(t);
singleDb.close();

// 4. Verification vs a raw scan of the same rows, alternated so both see the same machine load.
// Two floors: rows as objects (what a naive reader gets) and as arrays (what verify() reads).
const SCAN_SQL = 'SELECT seq, time, actor, action, subject, payload, prev_hash AS prevHash, hash FROM audit_events ORDER BY seq';
const scan = db.sqlite.prepare(SCAN_SQL);
const scanArrays = db.sqlite.prepare(SCAN_SQL).raw(true);
const scanTimes: number[] = [];
const arrayScanTimes: number[] = [];
const verifyTimes: number[] = [];
const countRows = (rows: Iterable<unknown>) => {
  let n = 0;
  for (const row of rows) if (row) n++;
  if (n !== EVENTS) throw new Error(`scan saw ${n} rows, expected ${EVENTS}`);
};
for (let round = 0; round < VERIFY_ROUNDS; round++) {
  t = process.hrtime.bigint();
  countRows(scan.iterate());
  scanTimes.push(seconds(t));
  t = process.hrtime.bigint();
  countRows(scanArrays.iterate());
  arrayScanTimes.push(seconds(t));
  t = process.hrtime.bigint();
  const report = log.verify();
  verifyTimes.push(seconds(t));
  if (!report.ok || report.events !== EVENTS) throw new Error(`verification failed: ${JSON.stringify(report)}`);
}
const checkpoints = db.sqlite.prepare('SELECT COUNT(*) FROM audit_checkpoints').pluck().get() as number;
db.close();
rmSync(root, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const scanS = median(scanTimes);
const arrayScanS = median(arrayScanTimes);
const verifyS = median(verifyTimes);

const results = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, os: `${platform()} ${release()}` },
  date: new Date().toISOString(),
  events: EVENTS,
  checkpointsWritten: checkpoints,
  append: {
    rawInsertFloorPerSec: rate(EVENTS, floorSeconds),
    appendManyBatch1000PerSec: rate(EVENTS, manySeconds),
    singleAppendPerSec: rate(SINGLE_APPENDS, singleSeconds),
    appendManyVsFloor: +(floorSeconds / manySeconds).toFixed(3),
    singleVsAppendMany: +(rate(SINGLE_APPENDS, singleSeconds) / rate(EVENTS, manySeconds)).toFixed(3),
    targetPerSec: 50_000,
  },
  verify: {
    rawScanObjectsPerSec: rate(EVENTS, scanS),
    rawScanArraysPerSec: rate(EVENTS, arrayScanS),
    verifyPerSec: rate(EVENTS, verifyS),
    verifyVsScan: +(scanS / verifyS).toFixed(3),
    verifyVsArrayScan: +(arrayScanS / verifyS).toFixed(3),
    rounds: VERIFY_ROUNDS,
    targetPerSec: 300_000,
  },
};

const rows: [string, number, string][] = [
  ['raw INSERT, one transaction (floor)', results.append.rawInsertFloorPerSec, '1.00 (floor)'],
  ['AuditLog.appendMany, batches of 1000', results.append.appendManyBatch1000PerSec, `${results.append.appendManyVsFloor} of floor`],
  ['AuditLog.append, one transaction each', results.append.singleAppendPerSec, `${results.append.singleVsAppendMany} of appendMany`],
  ['raw SELECT scan, rows as objects', results.verify.rawScanObjectsPerSec, '1.00 (floor)'],
  ['raw SELECT scan, rows as arrays', results.verify.rawScanArraysPerSec, `${(scanS / arrayScanS).toFixed(3)} of object scan`],
  ['AuditLog.verify (hash chain + checkpoints)', results.verify.verifyPerSec, `${results.verify.verifyVsScan} of object scan, ${results.verify.verifyVsArrayScan} of array scan`],
];
const table = [
  `Audit log bench: ${EVENTS} events, ${results.machine.cpu}, ${results.machine.cores} cores, node ${results.machine.node}`,
  '',
  '| operation | events/s | ratio |',
  '|---|---:|---|',
  ...rows.map(([name, perSec, ratio]) => `| ${name} | ${perSec.toLocaleString('en-US')} | ${ratio} |`),
  '',
  `targets: appendMany >= 50,000/s (${results.append.appendManyBatch1000PerSec >= 50_000 ? 'met' : 'MISSED'}), ` +
    `verify >= 300,000/s (${results.verify.verifyPerSec >= 300_000 ? 'met' : 'MISSED'})`,
].join('\n');

console.log(table);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'audit.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(resultsDir, 'audit.md'), table + '\n');
