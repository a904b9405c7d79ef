/**
 * Delivery throughput per destination kind, to loopback receivers in this process, measured side by
 * side in one run with a floor for each: the same bytes sent the same way (same batch size, a
 * connection per request or batch, fsync per batch) WITHOUT the engine (no SQLite reads of the log,
 * no cursor compare-and-set, no delivery-log rows, no record formatting). The ratio is what the
 * engine costs on top of the wire.
 *
 * Run: node bin/run-ts.mjs bench/sinks.bench.ts [events]   (default 20000; webhooks use a tenth)
 * Writes bench/results/sinks.json and bench/results/sinks.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect } from 'node:net';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditEvent, AuditEventInput } from '../server/core/audit/event';
import { hecBody } from '../server/core/delivery/hec';
import { ocsfRecord } from '../server/core/delivery/ocsf';
import { syslogFrames } from '../server/core/delivery/syslog';
import { signWebhook, webhookBody } from '../server/core/delivery/webhook';
import { httpPost } from '../server/services/delivery/http-post';
import { BATCH_SIZE } from '../server/services/delivery/transports';
import { HttpReceiver, SyslogReceiver, openConsoleSide } from '../server/services/delivery/test-receivers';

const EVENTS = Number(process.argv[2] ?? 20_000);
const WEBHOOK_EVENTS = Math.max(200, Math.round(EVENTS / 10));
const root = mkdtempSync(join(tmpdir(), 'nc-sinks-bench-'));
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

function input(i: number): AuditEventInput {
  return {
    actor: `user:${i % 17}@example.com`,
    action: i % 5 === 0 ? 'module.quarantined' : 'run.decided',
    subject: `module:hello-${i % 50}@1.${i % 7}.0`,
    payload: { runId: i, decision: i % 9 === 0 ? 'deny' : 'allow', used: { fuel: (i * 7919) % 1_000_000, wallMs: 12.5 }, rules: [{ id: 'threat-score', outcome: 'pass', score: i % 40 }] },
  };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = now();
  await fn();
  return now() - start;
}

/** The floor runs before and after the engine; the faster of the two counts (the host's load drifts). */
async function floorAround(floor: () => Promise<void>, engine: () => Promise<void>): Promise<{ floorMs: number; engineMs: number }> {
  const before = await timed(floor);
  const engineMs = await timed(engine);
  const after = await timed(floor);
  return { floorMs: Math.min(before, after), engineMs };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A fresh data folder holding `n` events, and a console side over it. */
function seeded(name: string, n: number) {
  const side = openConsoleSide(join(root, name), { host: 'bench-host', timeoutMs: 30_000 });
  for (const batch of chunks(Array.from({ length: n }, (_, i) => input(i)), 1000)) side.audit.appendMany(batch);
  const events = side.handle.sqlite
    .prepare<[], AuditEvent>('SELECT seq, time, actor, action, subject, payload, prev_hash AS prevHash, hash FROM audit_events ORDER BY seq')
    .all();
  return { side, events };
}

interface Row {
  kind: string;
  events: number;
  batch: number;
  engineMs: number;
  floorMs: number;
  enginePerSec: number;
  floorPerSec: number;
  ratio: number;
}

const rows: Row[] = [];
function record(kind: string, events: number, engineMs: number, floorMs: number) {
  const row = {
    kind, events, batch: BATCH_SIZE[kind as keyof typeof BATCH_SIZE], engineMs: Math.round(engineMs), floorMs: Math.round(floorMs),
    enginePerSec: Math.round(events / (engineMs / 1000)), floorPerSec: Math.round(events / (floorMs / 1000)), ratio: Number((floorMs / engineMs).toFixed(2)),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}

async function benchWebhook() {
  const receiver = await new HttpReceiver().start();
  const { side, events } = seeded('webhook', WEBHOOK_EVENTS);
  const secret = 'whsec_' + 'b'.repeat(43);
  side.delivery.create({ name: 'hook', kind: 'webhook', config: { url: receiver.url, events: ['quarantines', 'runs'] }, fromStart: true }, 'bench');
  const { floorMs, engineMs } = await floorAround(async () => {
    for (const e of events) {
      const body = webhookBody(e);
      await httpPost(new URL(receiver.url), { body, headers: { 'content-type': 'application/json', 'Nightcore-Signature': signWebhook(secret, body, Math.floor(Date.now() / 1000)) } });
    }
  }, () => side.delivery.drain(1_000_000));
  if (receiver.requests.length !== events.length * 3) throw new Error(`webhook receiver got ${receiver.requests.length}`);
  record('webhook', events.length, engineMs, floorMs);
  await side.close();
  await receiver.stop();
}

async function benchHec() {
  const receiver = await new HttpReceiver().start();
  const { side, events } = seeded('hec', EVENTS);
  const url = new URL(`${receiver.url}/services/collector/event`);
  side.delivery.create({ name: 'hec', kind: 'hec', config: { url: receiver.url }, token: 't', fromStart: true }, 'bench');
  const { floorMs, engineMs } = await floorAround(async () => {
    for (const batch of chunks(events, BATCH_SIZE.hec)) await httpPost(url, { body: hecBody(batch, 'bench-host'), headers: { authorization: 'Splunk t' } });
  }, () => side.delivery.drain(1_000_000));
  record('hec', events.length, engineMs, floorMs);
  await side.close();
  await receiver.stop();
}

async function benchSyslog() {
  const receiver = await new SyslogReceiver().start();
  const { side, events } = seeded('syslog', EVENTS);
  side.delivery.create({ name: 'syslog', kind: 'syslog', config: { target: `tcp://127.0.0.1:${receiver.port}` }, fromStart: true }, 'bench');
  const { floorMs, engineMs } = await floorAround(async () => {
    for (const batch of chunks(events, BATCH_SIZE.syslog)) {
      const frames = syslogFrames(batch, 'bench-host');
      await new Promise<void>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: receiver.port }, () => s.end(frames));
        s.on('data', () => undefined);
        s.on('error', reject);
        s.on('close', () => resolve());
      });
    }
  }, () => side.delivery.drain(1_000_000));
  record('syslog', events.length, engineMs, floorMs);
  await side.close();
  await receiver.stop();
}

async function benchOcsf() {
  const { side, events } = seeded('ocsf', EVENTS);
  const floorDir = join(root, 'ocsf-floor');
  mkdirSync(floorDir);
  side.delivery.create({ name: 'ocsf', kind: 'ocsf', config: { dir: join(root, 'ocsf-out'), maxBytes: 1024 * 1024 * 1024, keep: 2 }, fromStart: true }, 'bench');
  const { floorMs, engineMs } = await floorAround(async () => {
    for (const batch of chunks(events, BATCH_SIZE.ocsf)) {
      const handle = await open(join(floorDir, 'floor.jsonl'), 'a');
      await handle.write(batch.map((e) => ocsfRecord(e, 'bench-host')).join(''));
      await handle.datasync();
      await handle.close();
    }
  }, () => side.delivery.drain(1_000_000));
  record('ocsf', events.length, engineMs, floorMs);
  await side.close();
}

try {
  await benchWebhook();
  await benchHec();
  await benchSyslog();
  await benchOcsf();
} finally {
  rmSync(root, { recursive: true, force: true });
}

const results = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, loadavg: loadavg().map((l) => Number(l.toFixed(2))) },
  date: new Date().toISOString(),
  events: EVENTS,
  webhookEvents: WEBHOOK_EVENTS,
  rows,
};
const table = [
  `Sinks bench: ${EVENTS} events (webhooks ${WEBHOOK_EVENTS}, one request each), ${results.machine.cpu}, ${results.machine.cores} cores, node ${results.machine.node}, load ${results.machine.loadavg.join(' ')}`,
  '',
  '| kind | batch | engine events/s | floor events/s (same bytes, no engine) | engine / floor |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.kind} | ${r.batch} | ${r.enginePerSec.toLocaleString('en')} | ${r.floorPerSec.toLocaleString('en')} | ${r.ratio}x |`),
].join('\n');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'sinks.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(resultsDir, 'sinks.md'), table + '\n');
console.log(table);
