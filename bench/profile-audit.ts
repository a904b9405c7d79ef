/**
 * Profiling driver (not a bench) for the audit log's two bulk paths, for
 * `node --cpu-prof --cpu-prof-dir=DIR bin/run-ts.mjs bench/profile-audit.ts append|verify [events]`,
 * then `node bench/cpu-profile-top.mjs DIR/*.cpuprofile` for the top costs. `append` writes the
 * events with appendMany in batches of 1000 (bench/audit.bench.ts's inputs); `verify` writes them
 * first, outside the measured part, then verifies the chain three times. The top costs it showed are
 * recorded in bench/README.md ("Issue 14: the audit log").
 */
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import { openDatabase } from '../db/client';
import { AuditLog } from '../server/services/audit-log';
import { loadOrCreateServerKey } from '../server/services/server-key';
import { benchInput } from './audit-inputs';

const phase = process.argv[2];
const events = Number(process.argv[3] ?? 200_000);
if (phase !== 'append' && phase !== 'verify') throw new Error('usage: profile-audit.ts append|verify [events]');
const root = mkdtempSync(join(os.tmpdir(), 'nc-audit-profile-'));
const db = openDatabase(join(root, 'db'));
const log = new AuditLog(db.sqlite, { serverKey: loadOrCreateServerKey(join(root, 'key')) });
const inputs = Array.from({ length: events }, (_, i) => benchInput(i));
const write = () => {
  for (let i = 0; i < events; i += 1000) log.appendMany(inputs.slice(i, i + 1000));
};

// --cpu-prof covers the whole process; in verify mode the writing would dominate it, so the
// profile is taken with the inspector around the measured part only.
const session = new Session();
session.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));

if (phase === 'verify') write();
await post('Profiler.enable');
await post('Profiler.setSamplingInterval', { interval: 100 });
await post('Profiler.start');
const t0 = performance.now();
if (phase === 'append') write();
else for (let r = 0; r < 3; r++) if (!log.verify().ok) throw new Error('chain did not verify');
const s = (performance.now() - t0) / 1000;
const { profile } = (await post('Profiler.stop')) as { profile: unknown };
const { writeFileSync } = await import('node:fs');
const out = process.env.PROFILE_OUT ?? join(os.tmpdir(), `audit-${phase}.cpuprofile`);
writeFileSync(out, JSON.stringify(profile));
const n = phase === 'append' ? events : 3 * events;
console.log(`${phase}: ${n} events in ${s.toFixed(2)} s = ${Math.round(n / s)} events/s, load average ${os.loadavg()[0]!.toFixed(2)}; profile ${out}`);
db.close();
rmSync(root, { recursive: true, force: true });
