/**
 * Audit listing queries at scale, and what the actor/subject indexes (migration 0007) cost writers.
 *   1. audit.page (the tRPC audit.page query's SQL) over N events (default 1,000,000; rows inserted
 *      raw, hashes not needed for listing): p50/p95 per filter shape. Target p95 <= 50 ms.
 *   2. AuditLog.appendMany throughput on two file databases side by side, one with the actor and
 *      subject indexes dropped: the ratio is the write cost of the indexes.
 *
 * Run: node bin/run-ts.mjs bench/audit-page.bench.ts [events]
 * Writes bench/results/audit-page.json and bench/results/audit-page.md.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, platform, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, openMemoryDatabase } from '../db/client';
import { AuditLog } from '../server/services/audit-log';
import { testEd25519Key } from '../server/core/audit/test-support';
import type { AuditEventInput } from '../server/core/audit/event';

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = 40;
const APPEND_EVENTS = 100_000;
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const key = testEd25519Key();

function fillRaw(sqlite: ReturnType<typeof openMemoryDatabase>['sqlite'], n: number) {
  const ins = sqlite.prepare('INSERT INTO audit_events (seq, time, actor, action, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const actions = ['run.started', 'run.decided', 'module.imported', 'auth.login'];
  sqlite.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const actor = i % 100_000 === 7 ? 'user:rare' : `user:u${i % 50}`;
      const action = i % 250_000 === 3 ? 'key.revoked' : actions[i % 4]!;
      ins.run(i, '2025-01-01T00:00:00.000Z', actor, action, `module:m${i % 1000}@1.0.0`, `{"runId":${i}}`, 'a'.repeat(64), 'b'.repeat(64));
    }
  })();
}

const QUERIES: Record<string, object> = {
  'newest page': { limit: 50 },
  'older page (beforeSeq mid-log)': { beforeSeq: Math.floor(EVENTS / 2), limit: 50 },
  'newer page (afterSeq mid-log)': { afterSeq: Math.floor(EVENTS / 2), limit: 50 },
  'action, common': { action: 'run.started', limit: 50 },
  'action, rare': { action: 'key.revoked', limit: 50 },
  'actor, common': { actor: 'user:u3', limit: 50 },
  'actor, rare': { actor: 'user:rare', limit: 50 },
  'subject, common': { subject: 'module:m5@1.0.0', limit: 50 },
  'subject, absent': { subject: 'module:none', limit: 50 },
  'action + actor': { action: 'run.decided', actor: 'user:u3', limit: 50 },
};

function measureQueries() {
  const h = openMemoryDatabase();
  fillRaw(h.sqlite, EVENTS);
  const audit = new AuditLog(h.sqlite, { serverKey: key });
  const rows: { query: string; p50: number; p95: number }[] = [];
  for (const [name, q] of Object.entries(QUERIES)) {
    const ts: number[] = [];
    for (let k = 0; k < ROUNDS; k++) {
      const t = performance.now();
      const r = audit.page(q);
      ts.push(performance.now() - t);
      if (!r.ok) throw new Error(r.message);
    }
    ts.sort((a, b) => a - b);
    rows.push({ query: name, p50: ts[Math.floor(ROUNDS * 0.5)]!, p95: ts[Math.floor(ROUNDS * 0.95)]! });
  }
  h.close();
  return rows;
}

const input = (i: number): AuditEventInput => ({ actor: `user:u${i % 17}`, action: 'run.decided', subject: `module:hello-${i % 50}@1.0.0`, payload: { runId: i, decision: 'allow' } });

function appendRate(dropIndexes: boolean): number {
  const dir = mkdtempSync(join(tmpdir(), 'nc-audit-page-bench-'));
  const h = openDatabase(dir);
  if (dropIndexes) h.sqlite.exec('DROP INDEX audit_events_actor; DROP INDEX audit_events_subject;');
  const audit = new AuditLog(h.sqlite, { serverKey: key });
  const t = performance.now();
  for (let i = 0; i < APPEND_EVENTS; i += 1000) audit.appendMany(Array.from({ length: 1000 }, (_, j) => input(i + j)));
  const rate = APPEND_EVENTS / ((performance.now() - t) / 1000);
  h.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

const queries = measureQueries();
// Alternate the two variants so drift on a shared machine hits both alike.
const withIdx: number[] = [];
const without: number[] = [];
for (let r = 0; r < 3; r++) {
  without.push(appendRate(true));
  withIdx.push(appendRate(false));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const append = { withIndexes: median(withIdx), withoutIndexes: median(without), ratio: median(withIdx) / median(without) };
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}` };

console.log(`audit.page over ${EVENTS.toLocaleString()} events (${ROUNDS} rounds each)`);
for (const q of queries) console.log(`  ${q.query.padEnd(34)} p50 ${q.p50.toFixed(3)} ms   p95 ${q.p95.toFixed(3)} ms`);
console.log(`appendMany: ${append.withIndexes.toFixed(0)} ev/s with actor+subject indexes, ${append.withoutIndexes.toFixed(0)} without (ratio ${append.ratio.toFixed(2)})`);

mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'audit-page.json'), JSON.stringify({ events: EVENTS, rounds: ROUNDS, queries, append, machine, at: new Date().toISOString() }, null, 2) + '\n');
const md = [
  `# audit.page at ${EVENTS.toLocaleString()} events`,
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}`,
  '',
  '| query | p50 ms | p95 ms |',
  '|---|---|---|',
  ...queries.map((q) => `| ${q.query} | ${q.p50.toFixed(3)} | ${q.p95.toFixed(3)} |`),
  '',
  `appendMany (batches of 1000, file DB, WAL): ${append.withIndexes.toFixed(0)} events/s with the actor and subject indexes vs ${append.withoutIndexes.toFixed(0)} without: ratio ${append.ratio.toFixed(2)}.`,
  '',
].join('\n');
writeFileSync(join(resultsDir, 'audit-page.md'), md);
