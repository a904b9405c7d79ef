/**
 * Migration 0020 (the decision record stored once): an existing database with runs recorded the old
 * way (record in runs.record AND in the run.decided payload) upgrades without losing anything:
 * every run is still readable with the same record, the hot-path counters are backfilled, the
 * denied-rules table and the audit chain are untouched, and runs recorded after the upgrade fill
 * run_denied_rules from the audit payload.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../db/client';
import { applyMigrations, loadMigrations } from '../../db/migrate';
import { upgradeDataFolder } from './upgrade';
import { testEd25519Key } from '../core/audit/test-support';
import type { DecisionRecord } from '../core/guardian/decision-record';
import { HELLO, OPENS_FILES, EXIT_3, variant } from '../core/sandbox/test-modules';
import { AuditLog } from './audit-log';
import { RunQueries } from './runs';
import { RunHistory } from './run-history';
import { SqliteRecordedRuns, SqliteRunRecorder } from './run-recorder';
import { QuarantineService } from './quarantine';
import { openHarness, type Harness } from './test-fixtures';
import type { ModuleVersionRow } from './module-registry';

const RECORD_ONCE_WHEN = 1796300020000;

/** The pre-0020 recorder's INSERT, verbatim (runs.record was the 22nd column). */
const OLD_INSERT_RUN = `INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at,
  decision, outcome, exit_code, threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256,
  stdin, stdout, stderr, record, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

interface Planted {
  readonly id: string;
  readonly record: DecisionRecord;
  readonly module: ModuleVersionRow;
  readonly stdin: string;
}

describe('migration 0020: the decision record stored once', () => {
  let h: Harness;
  let dir: string;
  const key = testEd25519Key();
  const planted: Planted[] = [];
  let deniedRulesBefore: unknown[] = [];

  beforeAll(async () => {
    // Real decision records from real governed runs: allowed, denied after running, denied before running.
    h = openHarness();
    const hello = h.install(HELLO, { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] });
    const exit3 = h.install(variant(EXIT_3, 'exit3'), { name: 'exit3', capabilities: ['exit'] });
    const opener = h.install(variant(OPENS_FILES, 'opener'), { name: 'opener', capabilities: ['stdout', 'stderr', 'exit'] });
    for (const [module, stdin] of [[hello, 'in-a'], [exit3, ''], [opener, 'in-c'], [hello, '']] as const) {
      const r = await h.services.governor.run(module, { stdin: Buffer.from(stdin) }, 'user:alice');
      if (!r.ok) throw new Error(r.message);
      planted.push({ id: r.value.record.runId, record: r.value.record, module, stdin });
    }
    // One more allowed run whose sandbox refused two calls (the counter the hot path reads).
    const base = planted[0]!.record;
    // Whole denials, as every release that recorded them wrote them (the reader checks the shape).
    const denials = [
      { fn: 'path_open', capability: 'fs.read', errno: 'NOTCAPABLE', count: 1, samples: ['fd=3 path="x"'] },
      { fn: 'sock_accept', capability: null, errno: 'NOTSUP', count: 1, samples: [] },
    ];
    const withDenials = { ...base, runId: 'run-with-denials', execution: { ...base.execution!, capabilityDenials: denials } } as unknown as DecisionRecord;
    planted.push({ id: 'run-with-denials', record: withDenials, module: hello, stdin: '' });

    // The old database: every migration before 0020, runs written the old way.
    dir = mkdtempSync(join(tmpdir(), 'nightcore-0020-'));
    const file = join(dir, 'nightcore.db');
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    applyMigrations(sqlite, { migrations: loadMigrations().filter((m) => m.when < RECORD_ONCE_WHEN) });
    const audit = new AuditLog(sqlite, { serverKey: key, checkpointEvery: 3 });
    const insert = sqlite.prepare(OLD_INSERT_RUN);
    const write = (p: Planted, auditSeqOf: (decidedSeq: number, startedSeq: number) => number) => {
      const started = audit.append({ actor: p.record.actor, action: 'run.started', subject: `run:${p.id}`, payload: { seed: p.record.input.seed } });
      const decided = audit.append({ actor: p.record.actor, action: 'run.decided', subject: `run:${p.id}`, payload: p.record as never });
      const m = p.module;
      const ex = p.record.execution;
      insert.run(p.id, m.id, m.name, m.version, m.tenant, m.wasmSha256, p.record.actor, new Date(p.record.startedAt).getTime(), p.record.decision,
        ex?.outcome.kind ?? 'denied', ex?.outcome.kind === 'ok' ? ex.outcome.exitCode : null, p.record.threat.score, ex?.used.fuel ?? 0, 1,
        p.record.policy.name, p.record.policy.revision, p.record.input.seed, ex?.outputSha256 ?? '', Buffer.from(p.stdin), Buffer.from('out'),
        Buffer.alloc(0), JSON.stringify(p.record), auditSeqOf(decided.seq, started.seq));
    };
    for (const p of planted) write(p, (decided) => decided);
    // A run whose audit_seq points at its run.started, not its decision: its record must survive as a copy.
    const stray = { ...planted[1]!, id: 'run-stray', record: { ...planted[1]!.record, runId: 'run-stray' } };
    planted.push(stray);
    write(stray, (_decided, started) => started);
    deniedRulesBefore = sqlite.prepare('SELECT * FROM run_denied_rules ORDER BY run_id, phase, rule').all();
    expect(deniedRulesBefore.length).toBeGreaterThan(0);
    sqlite.close();
  }, 60_000);

  afterAll(async () => {
    await h.services.close();
    rmSync(h.dataDir, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('upgrades: every run reads back the same record, nothing is lost, the chain verifies', async () => {
    // The production path: backup, chain check, every pending migration (0020 among them) in one transaction.
    const report = await upgradeDataFolder(dir, { checkpointKeys: [key] });
    expect(report?.applied).toContain('0020_runs_record_once');
    const handle = openDatabase(dir);
    try {
      const columns = (handle.sqlite.prepare('PRAGMA table_info(runs)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).not.toContain('record');
      expect(columns).toContain('capability_denials');

      const queries = new RunQueries(handle.db);
      const recorded = new SqliteRecordedRuns(handle.sqlite, handle.db);
      const all = queries.records(planted.map((p) => p.id));
      expect(all.size).toBe(planted.length);
      for (const p of planted) {
        const expected = JSON.parse(JSON.stringify(p.record)) as DecisionRecord;
        expect(queries.get(p.id)?.record).toEqual(expected);
        expect(all.get(p.id)).toEqual(expected);
        const loaded = recorded.load(p.id)!;
        expect(loaded.record).toEqual(expected);
        expect(Buffer.from(loaded.stdin).toString()).toBe(p.stdin);
      }
      // Only the stray run needed its copy kept.
      expect(handle.sqlite.prepare('SELECT run_id FROM run_records').all()).toEqual([{ run_id: 'run-stray' }]);

      const denials = handle.sqlite.prepare('SELECT id, capability_denials AS n FROM runs WHERE capability_denials > 0').all();
      expect(denials).toEqual([{ id: 'run-with-denials', n: 2 }]);
      expect(new RunHistory(handle.sqlite).facts({ ...planted[0]!.module }, true).priorCapabilityDenials).toBe(1);

      expect(handle.sqlite.prepare('SELECT * FROM run_denied_rules ORDER BY run_id, phase, rule').all()).toEqual(deniedRulesBefore);
      const audit = new AuditLog(handle.sqlite, { serverKey: key });
      expect(audit.verify()).toMatchObject({ ok: true, events: planted.length * 2 });
    } finally {
      handle.close();
    }
  });

  it('after the upgrade, a denied run fills run_denied_rules from its audit payload, and its record is stored once', () => {
    const handle = openDatabase(dir);
    try {
      const audit = new AuditLog(handle.sqlite, { serverKey: key });
      const recorder = new SqliteRunRecorder(handle.sqlite, audit, new QuarantineService(handle.db, audit, () => new Date()));
      const denied = planted.find((p) => p.record.decision === 'deny' && p.record.execution === null)!;
      const record = { ...denied.record, runId: 'run-after-upgrade' };
      recorder.record({ record, module: denied.module, stdin: new Uint8Array(0), stdout: new Uint8Array(0), stderr: new Uint8Array(0), wallMs: 0 });
      const failedPre = record.pre.rules.filter((r) => r.outcome === 'fail').map((r) => r.id).sort();
      const filled = handle.sqlite.prepare("SELECT rule FROM run_denied_rules WHERE run_id = 'run-after-upgrade' AND phase = 'pre' ORDER BY rule").all();
      expect(filled).toEqual(failedPre.map((rule) => ({ rule })));
      expect(new RunQueries(handle.db).get('run-after-upgrade')?.record).toEqual(JSON.parse(JSON.stringify(record)));
      expect(handle.sqlite.prepare("SELECT count(*) AS n FROM run_records WHERE run_id = 'run-after-upgrade'").get()).toEqual({ n: 0 });
      expect(audit.verify().ok).toBe(true);
    } finally {
      handle.close();
    }
  });

  it('never reads another run\'s record through a wrong audit_seq', () => {
    const handle = openDatabase(dir);
    try {
      // Point a run at another run's decision (as corruption or a bad import would): no record, a clear error.
      handle.sqlite.prepare('UPDATE runs SET audit_seq = (SELECT audit_seq FROM runs WHERE id = ?) WHERE id = ?').run(planted[0]!.id, planted[3]!.id);
      expect(() => new RunQueries(handle.db).get(planted[3]!.id)).toThrow(/no decision record/);
      expect(() => new SqliteRecordedRuns(handle.sqlite, handle.db).load(planted[3]!.id)).toThrow(/no decision record/);
    } finally {
      handle.close();
    }
  });
});
