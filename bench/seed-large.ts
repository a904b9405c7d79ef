/**
 * Seeds a data folder at console scale for bench/console.bench.ts: ~200 signed module versions
 * imported through the real registry, N runs spread over 30 days whose decision records are
 * variations of REAL records (taken from governed runs in a throwaway harness), and a valid
 * hash-chained audit log of exactly M events written through AuditLog.appendMany in batches of 1000.
 * Runs rows go in with the pipeline's own INSERT, so the run_denied_rules trigger fills as in production.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { openServices } from '../server/services/index';
import { openHarness } from '../server/services/test-fixtures';
import { addApprover, signRelease } from '../server/services/test-inbox';
import { writeBundle } from '../server/services/bundle-files';
import { ensureInitialAdmin } from '../server/services/initial-admin';
import { verifyWithProgress } from '../server/services/audit-stream';
import { DEFAULT_WORKER_URL } from '../server/core/sandbox/worker-threads/worker-url';
import { HELLO, UNREACHABLE, OPENS_FILES, EXIT_3 } from '../server/core/sandbox/test-modules';
import { generateKeyPair } from '../server/core/crypto/ed25519';
import { createManifest, signManifest } from '../server/core/module/sign';
import { bandFor } from '../server/core/threat/bands';
import type { DecisionRecord } from '../server/core/guardian/decision-record';
import { encodeRunFacts, factsFromRecord } from '../server/core/guardian/run-facts';
import type { AuditEventInput } from '../server/core/audit/event';
import { seededRandom } from '../server/core/audit/test-support';

export interface SeedOptions {
  readonly dataDir: string;
  readonly adminPassword: string;
  readonly runs?: number;
  readonly auditEvents?: number;
  readonly moduleNames?: number;
  readonly versionsPerModule?: number;
  readonly end?: Date;
  readonly log?: (line: string) => void;
}

export interface SeedReport {
  readonly runs: number;
  readonly deniedRuns: number;
  readonly auditEvents: number;
  readonly moduleVersions: number;
  readonly quarantineActive: number;
  readonly quarantineReleased: number;
  readonly chainVerified: boolean;
  readonly ms: { readonly records: number; readonly modules: number; readonly runsAndAudit: number; readonly verify: number; readonly total: number };
}

const DAY = 86_400_000;
const CAPS = ['stdout', 'stderr', 'exit'] as const;
const WORDS = ['image', 'csv', 'pdf', 'geo', 'hash', 'mail', 'report', 'invoice', 'price', 'tax'];
const VERBS = ['resize', 'parse', 'render', 'lookup'];
const NAMES = WORDS.flatMap((w) => VERBS.map((v) => `${w}-${v}`)).concat(['risk-score', 'fx-convert', 'qr-encode', 'log-redact', 'ledger-sum', 'sku-match', 'zip-check', 'iban-check', 'ocr-lite', 'diff-text']);
const TENANTS = ['default', 'payments', 'analytics', 'ops'];
const ACTORS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'ci-bot', 'nightly'].map((u) => `user:${u}`);

/** Deterministic PRNG (mulberry32, shared with the audit tests): the same seed gives the same data set on every machine. */
const prng = seededRandom;

/** Same module plus a custom section: a distinct digest per version, identical behaviour. */
function variant(wasm: Uint8Array, tag: string): Uint8Array {
  const name = Buffer.from(tag, 'utf8');
  return new Uint8Array(Buffer.concat([wasm, Buffer.from([0, name.length + 1, name.length]), name]));
}

interface Templates {
  allow: DecisionRecord;
  postDeny: DecisionRecord; // trap
  exitDeny: DecisionRecord; // exit code 3
  preDeny: DecisionRecord; // imports not granted
}

/** Real decision records from real governed runs (a throwaway data folder, deleted after). */
async function realRecords(): Promise<Templates> {
  const h = openHarness();
  try {
    const run = async (name: string, wasm: Uint8Array) => {
      const r = await h.services.governor.run(h.install(wasm, { name, capabilities: [...CAPS] }), { seed: 7n }, 'user:alice');
      if (!r.ok) throw new Error(`template run ${name}: ${r.message}`);
      return r.value.record;
    };
    return { allow: await run('hello', HELLO), postDeny: await run('trap', UNREACHABLE), exitDeny: await run('exit3', EXIT_3), preDeny: await run('files', OPENS_FILES) };
  } finally {
    await h.services.close();
    rmSync(h.dataDir, { recursive: true, force: true });
  }
}

type Verdict = NonNullable<DecisionRecord['post']>;
/** The verdict with exactly the given rule failing (others as recorded, minus earlier failures). */
function failing(v: Verdict, rule: string, phase: string): Verdict {
  return {
    ...v,
    decision: 'deny',
    summary: `Denied ${phase}: 1 check(s) failed (${rule}).`,
    rules: v.rules.map((r) => (r.id === rule ? { ...r, outcome: 'fail' as const } : r.outcome === 'fail' ? { ...r, outcome: 'pass' as const } : r)),
  };
}

interface Planned {
  t: number;
  module: number;
  version: number;
  score: number;
  kind: 'ok' | 'pre' | 'post';
  rule: string;
  outcome: string;
}

/** What each run will be: mostly allowed, pre-exec denials (high threat, bad imports...), post-exec denials. */
function plan(n: number, start: number, span: number, rnd: () => number, versions: number): Planned[] {
  const times = Array.from({ length: n }, () => start + Math.floor(rnd() * span)).sort((a, b) => a - b);
  return times.map((t) => {
    const module = Math.floor(NAMES.length * rnd() * rnd()); // a few modules run far more often
    const version = Math.min(versions - 1, Math.floor(((t - start) / span) * versions + rnd() - 0.5));
    const r = rnd();
    const score = r < 0.7 ? 5 * Math.floor(rnd() * 5) : r < 0.9 ? 25 + 5 * Math.floor(rnd() * 7) : r < 0.98 ? 60 + 5 * Math.floor(rnd() * 5) : 85 + Math.floor(rnd() * 16);
    if (score >= 60) return { t, module, version: Math.max(0, version), score, kind: 'pre', rule: 'threat_threshold', outcome: 'denied' };
    const d = rnd();
    const pre = ['imports_allowed', 'imports_allowed', 'capabilities_allowed', 'signature_trusted', 'quarantined', 'tenant_allowed'];
    if (d < 0.06) return { t, module, version: Math.max(0, version), score, kind: 'pre', rule: pre[Math.floor(rnd() * pre.length)]!, outcome: 'denied' };
    const post: [string, string][] = [['trap', 'outcome_allowed'], ['trap', 'outcome_allowed'], ['out_of_fuel', 'outcome_allowed'], ['timeout', 'max_wall_ms'], ['memory_limit', 'outcome_allowed'], ['ok', 'exit_code'], ['ok', 'output_patterns']];
    if (d < 0.14) {
      const [outcome, rule] = post[Math.floor(rnd() * post.length)]!;
      return { t, module, version: Math.max(0, version), score, kind: 'post', rule, outcome };
    }
    return { t, module, version: Math.max(0, version), score, kind: 'ok', rule: '', outcome: 'ok' };
  });
}

const INSERT_RUN = `INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at,
  decision, outcome, exit_code, threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256,
  stdin, stdout, stderr, audit_seq, capability_denials, guardian_facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Small everyday events between runs: sign-ins, sign-outs, exports, replays. */
function filler(rnd: () => number): AuditEventInput {
  const actor = ACTORS[Math.floor(rnd() * ACTORS.length)]!;
  const r = rnd();
  if (r < 0.45) return { actor, action: 'auth.login', subject: actor, payload: { address: `10.0.${Math.floor(rnd() * 8)}.${Math.floor(rnd() * 250)}` } };
  if (r < 0.85) return { actor, action: 'auth.logout', subject: actor, payload: {} };
  if (r < 0.9) return { actor: 'anonymous', action: 'auth.login_failed', subject: actor, payload: { reason: 'bad_password' } };
  if (r < 0.93) return { actor, action: 'audit.exported', subject: 'audit', payload: { format: 'jsonl', events: Math.floor(rnd() * 5000) } };
  return { actor, action: 'run.replayed', subject: `run:${randomUUID()}`, payload: { identical: true, differences: [] } };
}

export async function seedLarge(o: SeedOptions): Promise<SeedReport> {
  const log = o.log ?? (() => {});
  const N = o.runs ?? 200_000;
  const M = o.auditEvents ?? 1_000_000;
  const names = NAMES.slice(0, o.moduleNames ?? 50);
  const V = o.versionsPerModule ?? 4;
  const end = (o.end ?? new Date()).getTime();
  const rnd = prng(0x5eed);
  const t0 = performance.now();

  const tpl = await realRecords();
  const tRecords = performance.now();

  let clock = end - 31 * DAY;
  const services = openServices({ dataDir: o.dataDir, workerUrl: DEFAULT_WORKER_URL, now: () => new Date(clock) });
  try {
    const admin = ensureInitialAdmin(services, { NIGHTCORE_ADMIN_PASSWORD: o.adminPassword }, log);
    if (!admin.ok) throw new Error(admin.message);
    const pair = generateKeyPair();
    const key = services.trust.add({ publicKey: pair.publicKey, role: 'publisher', name: 'release signing key' }, 'user:admin');
    if (!key.ok) throw new Error(key.message);

    // Module versions through the real import path (verify signature, store bytes, audit).
    const bundles = mkdtempSync(join(tmpdir(), 'nightcore-seed-bundles-'));
    const mods = names.map((name, i) => {
      const tenant = TENANTS[i % TENANTS.length]!;
      return Array.from({ length: V }, (_, v) => {
        clock += 60_000;
        const version = `1.${v}.0`;
        const wasm = variant(HELLO, `${name}@${version}`);
        const manifest = createManifest(wasm, { name, version, tenant, description: `${name.replace('-', ' ')} for ${tenant}`, capabilities: [...CAPS] });
        if (!manifest.ok) throw new Error(manifest.message);
        const envelope = signManifest(manifest.value, null, pair.seed);
        if (!envelope.ok) throw new Error(envelope.message);
        const dir = join(bundles, `${name}-${version}`);
        writeBundle(dir, wasm, manifest.value, envelope.value);
        const row = services.modules.importFolder(dir, 'user:alice');
        if (!row.ok) throw new Error(`${row.code}: ${row.message}`);
        return row.value;
      });
    });
    rmSync(bundles, { recursive: true, force: true });
    const tModules = performance.now();

    // The timeline: runs over the last 30 days (ending 2 minutes before `end`), fillers between them.
    const runStart = end - 30 * DAY;
    const planned = plan(N, runStart, 30 * DAY - 120_000, rnd, V);
    const quarantineEvents = 12 + 4; // 12 added, 4 of them released
    const runEvents = planned.reduce((n, p) => n + (p.kind === 'pre' ? 1 : 2), 0);
    const fillers = M - services.audit.head().seq - runEvents - quarantineEvents - 1; // -1: the final audit.verified
    if (fillers < 0) throw new Error(`${M} audit events are too few for ${N} runs`);
    const perRun = fillers / N;

    const bands = services.policy.policy.threat.bands;
    const insert = services.handle.sqlite.prepare(INSERT_RUN);
    const outer = services.handle.sqlite.transaction((fn: () => void) => fn());
    let inputs: AuditEventInput[] = [];
    let rows: { p: Planned; record: DecisionRecord; decidedAt: number }[] = [];
    let fillerDebt = 0;
    let denied = 0;
    const flush = () => {
      if (inputs.length === 0) return;
      const events = services.audit.appendMany(inputs);
      for (const { p, record, decidedAt } of rows) {
        const m = mods[p.module]![p.version]!;
        const ex = record.execution;
        insert.run(record.runId, m.id, m.name, m.version, m.tenant, m.wasmSha256, record.actor, p.t, record.decision, p.kind === 'pre' ? 'denied' : p.outcome,
          p.outcome === 'ok' && ex ? (p.rule === 'exit_code' ? 3 : 0) : null, p.score, ex?.used.fuel ?? 0, ex ? Math.round(ex.used.wallMs) : 0,
          record.policy.name, record.policy.revision, record.input.seed, ex?.outputSha256 ?? '', Buffer.alloc(0),
          Buffer.from(p.outcome === 'ok' && ex ? 'hello, world\n' : ''), Buffer.alloc(0), events[decidedAt]!.seq, ex?.capabilityDenials?.length ?? 0,
          encodeRunFacts(factsFromRecord(record))); // as the recorder writes them
      }
      inputs = [];
      rows = [];
    };
    outer(() => {
      for (let i = 0; i < planned.length; i++) {
        const p = planned[i]!;
        for (fillerDebt += perRun; fillerDebt >= 1; fillerDebt--) inputs.push(filler(rnd));
        const m = mods[p.module]![p.version]!;
        const base = p.kind === 'ok' ? tpl.allow : p.kind === 'pre' ? tpl.preDeny : p.rule === 'exit_code' ? tpl.exitDeny : tpl.postDeny;
        const ex = base.execution;
        const record: DecisionRecord = {
          ...base,
          runId: randomUUID(),
          actor: ACTORS[Math.floor(rnd() * ACTORS.length)]!,
          startedAt: new Date(p.t).toISOString(),
          module: { ...base.module, id: m.id, name: m.name, version: m.version, tenant: m.tenant, wasmSha256: m.wasmSha256, manifestSha256: m.manifestSha256 },
          threat: { ...base.threat, score: p.score, band: bandFor(p.score, bands) },
          input: { ...base.input, seed: String(Math.floor(rnd() * 2 ** 52)) },
          pre: p.kind === 'pre' ? failing(base.pre, p.rule, 'before running') : base.pre,
          execution: ex && { ...ex, outcome: p.outcome === 'ok' ? { kind: 'ok', exitCode: p.rule === 'exit_code' ? 3 : 0 } : p.outcome === 'trap' ? { kind: 'trap', trap: 'unreachable' } : ({ kind: p.outcome } as never), used: { ...ex.used, fuel: 200 + Math.floor(rnd() * 5_000_000), wallMs: +(0.3 + rnd() * 12).toFixed(2) } },
          post: p.kind === 'post' && base.post ? failing(base.post, p.rule, 'after running') : base.post,
          decision: p.kind === 'ok' ? 'allow' : 'deny',
        };
        if (record.decision === 'deny') denied++;
        if (p.kind !== 'pre') inputs.push({ actor: record.actor, action: 'run.started', subject: `run:${record.runId}`, payload: { module: `${m.name}@${m.version}`, wasmSha256: m.wasmSha256, granted: record.granted, seed: record.input.seed } });
        rows.push({ p, record, decidedAt: inputs.length });
        inputs.push({ actor: record.actor, action: 'run.decided', subject: `run:${record.runId}`, payload: record as never });
        if (inputs.length >= 1000) {
          clock = p.t; // one clock reading per appendMany: the batch's newest run
          flush();
        }
        if (i % 20_000 === 19_999) log(`  ${i + 1} runs, ${services.audit.head().seq + inputs.length} events`);
      }
      clock = planned.at(-1)?.t ?? clock;
      for (let k = 0; services.audit.head().seq + inputs.length < M - quarantineEvents - 1; k++) inputs.push(filler(rnd));
      flush();
    });
    const tRuns = performance.now();

    // Quarantine: 12 versions, 4 later released (each change with its audit event).
    clock = end - 60_000;
    const targets = Array.from({ length: 12 }, (_, i) => mods[(i * 7) % mods.length]![i % V]!);
    for (const [i, m] of targets.entries()) {
      services.quarantine.add({ moduleName: m.name, wasmSha256: m.wasmSha256, reason: i % 2 ? 'post-exec failure: trap' : 'threat score in quarantine band', source: i % 2 ? 'post_exec' : 'threat' }, 'guardian');
    }
    // Released the only way there is: a signed release statement (the default policy's quorum is one approver).
    const onCall = addApprover(services, 'on-call-carol', 'approver', new Date(clock));
    for (const m of targets.slice(0, 4)) {
      const released = signRelease(services, onCall, m.wasmSha256, 'false positive, reviewed by on-call');
      if (!released.ok || !released.value.released) throw new Error(released.ok ? 'not released' : released.message);
    }
    clock = end - 30_000;
    const result = await verifyWithProgress(services.audit, 'user:admin', () => {}, 100_000);
    const tVerify = performance.now();
    const auditEvents = services.audit.head().seq;
    return {
      runs: planned.length,
      deniedRuns: denied,
      auditEvents,
      moduleVersions: mods.length * V,
      quarantineActive: services.quarantine.listActive().length,
      quarantineReleased: 4,
      chainVerified: result.type === 'result' && result.ok,
      ms: { records: tRecords - t0, modules: tModules - tRecords, runsAndAudit: tRuns - tModules, verify: tVerify - tRuns, total: tVerify - t0 },
    };
  } finally {
    await services.close();
  }
}

/** Size of the database file after the seed (the WAL is checkpointed away on close). */
export function dbBytes(dataDir: string): number {
  return statSync(join(dataDir, 'nightcore.db')).size;
}
