/**
 * The verifiable log at scale: a log of N events (default 1,000,000) written through AuditLog in
 * batches (so stored subtrees and checkpoints are made as in production), then:
 *   - inclusion proof generation for random events against the newest checkpoint (p50/p95/max)
 *   - consistency proof generation between random pairs of checkpoints (p50/p95/max)
 *   - the offline check of each proof (the auditor's side), p50/p95
 *   - checkpoint cost: one checkpoint after 1000 new events (tree extension + root + two signatures)
 * Floors in the same run: one SHA-256 of 65 bytes (node:crypto), and a primary-key row read.
 *
 * Run: node bin/run-ts.mjs bench/audit-proofs.bench.ts [events]
 * Writes bench/results/audit-proofs.json and bench/results/audit-proofs.md.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, platform, release, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { openDatabase } from '../db/client';
import { AuditLog } from '../server/services/audit-log';
import { loadOrCreateServerKey } from '../server/services/server-key';
import { proveConsistency, proveInclusion, verifierKeyOf } from '../server/services/audit-proofs';
import { verifyConsistencyBundle, verifyInclusionBundle } from '../server/core/audit/proof-bundle';
import { parseVerifierKey } from '../server/core/audit/signed-note';
import { verifyEd25519Node } from '../server/services/server-key';

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const BATCH = 1000;
const PROOFS = 500;
const CHECKPOINT_ROUNDS = 20;

const root = mkdtempSync(join(tmpdir(), 'nc-proofs-bench-'));
const loadAtStart = loadavg();
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
let seed = 42;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};

const serverKey = loadOrCreateServerKey(join(root, 'key'));
const db = openDatabase(join(root, 'log'));
const log = new AuditLog(db.sqlite, { serverKey, checkpointIntervalMs: 3_600_000 });
const input = (i: number) => ({ actor: `user:${i % 17}`, action: 'run.decided' as const, subject: `run:${i}`, payload: { runId: i, decision: i % 9 ? 'allow' : 'deny' } });
let t = process.hrtime.bigint();
for (let i = 0; i < EVENTS; i += BATCH) log.appendMany(Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, k) => input(i + k)));
log.checkpoint();
const writeSeconds = ms(t) / 1000;
const key = parseVerifierKey(verifierKeyOf(log, serverKey.publicKey));
if (!key.ok) throw new Error(key.message);
const checkpointSizes = db.sqlite.prepare('SELECT seq FROM audit_checkpoints WHERE note IS NOT NULL ORDER BY seq').pluck().all() as number[];

const inclusionMs: number[] = [];
const inclusionCheckMs: number[] = [];
let proofLength = 0;
for (let i = 0; i < PROOFS; i++) {
  const seq = 1 + rand(EVENTS);
  t = process.hrtime.bigint();
  const bundle = proveInclusion(log, seq);
  inclusionMs.push(ms(t));
  if (!bundle.ok) throw new Error(bundle.message);
  proofLength = Math.max(proofLength, bundle.value.proof.length);
  t = process.hrtime.bigint();
  const checked = verifyInclusionBundle(bundle.value, key.value, verifyEd25519Node);
  inclusionCheckMs.push(ms(t));
  if (!checked.ok) throw new Error(checked.message);
}

const consistencyMs: number[] = [];
const consistencyCheckMs: number[] = [];
for (let i = 0; i < PROOFS; i++) {
  const a = checkpointSizes[rand(checkpointSizes.length)]!;
  const b = checkpointSizes[rand(checkpointSizes.length)]!;
  t = process.hrtime.bigint();
  const bundle = proveConsistency(log, Math.min(a, b), Math.max(a, b));
  consistencyMs.push(ms(t));
  if (!bundle.ok) throw new Error(bundle.message);
  t = process.hrtime.bigint();
  const checked = verifyConsistencyBundle(bundle.value, key.value, verifyEd25519Node);
  consistencyCheckMs.push(ms(t));
  if (!checked.ok) throw new Error(checked.message);
}

// Checkpoint cost after 1000 new events, and the same 1000 events appended without one (the difference).
const checkpointMs: number[] = [];
for (let r = 0; r < CHECKPOINT_ROUNDS; r++) {
  log.appendMany(Array.from({ length: 999 }, (_, k) => input(EVENTS + r * 1000 + k)));
  t = process.hrtime.bigint();
  log.checkpoint();
  checkpointMs.push(ms(t));
}

// Floors.
const block = Buffer.alloc(65, 1);
t = process.hrtime.bigint();
for (let i = 0; i < 100_000; i++) createHash('sha256').update(block).digest();
const sha256Us = (ms(t) * 1000) / 100_000;
const rowRead = db.sqlite.prepare('SELECT hash FROM audit_events WHERE seq = ?').pluck();
t = process.hrtime.bigint();
for (let i = 0; i < 100_000; i++) rowRead.get(1 + rand(EVENTS));
const rowUs = (ms(t) * 1000) / 100_000;
db.close();
rmSync(root, { recursive: true, force: true });

const r3 = (x: number) => +x.toFixed(3);
const results = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, loadavgAtStart: loadAtStart.map((x) => +x.toFixed(2)), loadavgAtEnd: loadavg().map((x) => +x.toFixed(2)) },
  date: new Date().toISOString(),
  events: EVENTS,
  writeEventsPerSec: Math.round(EVENTS / writeSeconds),
  checkpoints: checkpointSizes.length,
  inclusion: { proofs: PROOFS, hashesMax: proofLength, p50Ms: r3(pct(inclusionMs, 50)), p95Ms: r3(pct(inclusionMs, 95)), maxMs: r3(Math.max(...inclusionMs)), checkP50Ms: r3(pct(inclusionCheckMs, 50)), checkP95Ms: r3(pct(inclusionCheckMs, 95)) },
  consistency: { proofs: PROOFS, p50Ms: r3(pct(consistencyMs, 50)), p95Ms: r3(pct(consistencyMs, 95)), maxMs: r3(Math.max(...consistencyMs)), checkP50Ms: r3(pct(consistencyCheckMs, 50)), checkP95Ms: r3(pct(consistencyCheckMs, 95)) },
  checkpoint: { rounds: CHECKPOINT_ROUNDS, after1000EventsP50Ms: r3(pct(checkpointMs, 50)), p95Ms: r3(pct(checkpointMs, 95)) },
  floors: { sha256Of65BytesUs: r3(sha256Us), primaryKeyRowReadUs: r3(rowUs) },
};

const table = [
  `Verifiable audit log bench: ${EVENTS.toLocaleString('en-US')} events (${results.checkpoints} checkpoints), ${results.machine.cpu}, ${results.machine.cores} cores, node ${results.machine.node}, ${results.date}`,
  `Load average ${results.machine.loadavgAtStart.join(' / ')} at the start, ${results.machine.loadavgAtEnd.join(' / ')} at the end (shared machine).`,
  '',
  '| operation | p50 | p95 | max |',
  '|---|---:|---:|---:|',
  `| inclusion proof, generate (${PROOFS} random events, up to ${proofLength} hashes) | ${results.inclusion.p50Ms} ms | ${results.inclusion.p95Ms} ms | ${results.inclusion.maxMs} ms |`,
  `| inclusion proof, check offline (note signature + path) | ${results.inclusion.checkP50Ms} ms | ${results.inclusion.checkP95Ms} ms | |`,
  `| consistency proof, generate (${PROOFS} random checkpoint pairs) | ${results.consistency.p50Ms} ms | ${results.consistency.p95Ms} ms | ${results.consistency.maxMs} ms |`,
  `| consistency proof, check offline (two notes + proof) | ${results.consistency.checkP50Ms} ms | ${results.consistency.checkP95Ms} ms | |`,
  `| checkpoint after 1000 new events (tree + root + 2 signatures) | ${results.checkpoint.after1000EventsP50Ms} ms | ${results.checkpoint.p95Ms} ms | |`,
  '',
  `floors in the same run: SHA-256 of 65 bytes ${results.floors.sha256Of65BytesUs} µs; primary-key row read ${results.floors.primaryKeyRowReadUs} µs. ` +
    `Writing the log: ${results.writeEventsPerSec.toLocaleString('en-US')} events/s. Target: inclusion p95 <= 10 ms at 1,000,000 events (${results.inclusion.p95Ms <= 10 ? 'met' : 'MISSED'}).`,
].join('\n');

console.log(table);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'audit-proofs.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(resultsDir, 'audit-proofs.md'), table + '\n');
