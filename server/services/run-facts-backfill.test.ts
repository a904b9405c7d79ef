/**
 * Migration 0024 fills runs.guardian_facts for runs recorded before it, in SQL, from each run's own
 * decision record; the recorder fills it for new runs with encodeRunFacts(factsFromRecord(record)).
 * The two must write the same thing, or a simulation would judge old and new runs differently. Checked
 * on the runs of a data folder written by an earlier release (testdata/upgrade) and on records built
 * to cover every shape a fact can take: missing in older records, dry-run outcomes, a weight of 0,
 * refused calls with odd counts, a run that never executed, a wall time that is not a short decimal.
 */
import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations, loadMigrations } from '../../db/migrate';
import { decodeRunFacts, encodeRunFacts, factsFromRecord } from '../core/guardian/run-facts';
import type { DecisionRecord } from '../core/guardian/decision-record';

const ROOT = join(__dirname, '..', '..', 'testdata', 'upgrade');
const FIXTURES = readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, 'nightcore.sql')));
const BEFORE_0024 = loadMigrations().filter((m) => m.idx < 24);

const RECORD_OF = `SELECT r.id, r.guardian_facts, coalesce(rr.record, ae.payload) AS record FROM runs r
  LEFT JOIN run_records rr ON rr.run_id = r.id
  LEFT JOIN audit_events ae ON ae.seq = r.audit_seq AND ae.action = 'run.decided' AND ae.subject = 'run:' || r.id ORDER BY r.id`;

function expectBackfillMatchesEncoder(db: Database.Database): number {
  const rows = db.prepare<[], { id: string; guardian_facts: string | null; record: string | null }>(RECORD_OF).all();
  for (const row of rows) {
    if (row.record === null) {
      expect(row.guardian_facts, row.id).toBeNull();
      continue;
    }
    const expected = encodeRunFacts(factsFromRecord(JSON.parse(row.record) as DecisionRecord));
    expect(row.guardian_facts, row.id).toBe(expected);
    expect(decodeRunFacts(row.guardian_facts!), row.id).toEqual(factsFromRecord(JSON.parse(row.record) as DecisionRecord));
  }
  return rows.length;
}

describe.each(FIXTURES)('migration 0024 on the data folder written by %s', (fixture) => {
  it('gives every old run the facts the recorder would write from its record', () => {
    const db = new Database(':memory:');
    db.exec(readFileSync(join(ROOT, fixture, 'nightcore.sql'), 'utf8'));
    applyMigrations(db);
    const n = expectBackfillMatchesEncoder(db);
    expect(n).toBeGreaterThan(0);
    expect(db.prepare('SELECT count(*) FROM runs WHERE guardian_facts IS NULL').pluck().get()).toBe(0);
    db.close();
  });
});

/** A record with only what the facts read; each case below changes some of it. */
function record(change: (r: any) => void = () => {}): DecisionRecord {
  const r: any = {
    format: 'nightcore.decision/v1',
    runId: 'x',
    startedAt: '2026-01-01T00:00:00.000Z',
    module: { id: 1, name: 'm', version: '1.0.0', signers: [{ keyid: 'k1', name: 'Pub', role: 'publisher' }], legacy: null },
    verification: { ok: true, code: null, message: null },
    threat: {
      score: 15,
      band: 'low',
      signals: [
        { id: 'unknown_signer', weight: 50, fired: false, contribution: 0 },
        { id: 'first_seen_digest', weight: 10, fired: true, contribution: 10 },
        { id: 'requested_capabilities', weight: 5, fired: true, contribution: 10 },
      ],
    },
    approval: { approved: true, source: 'inbox', detail: '' },
    pre: { rules: [{ id: 'signature_trusted', outcome: 'pass' }, { id: 'quarantined', outcome: 'pass' }] },
    backend: { kind: 'worker-threads' },
    execution: {
      outcome: { kind: 'ok', exitCode: 0 },
      used: { fuel: 1234, peakMemoryPages: 17, wallMs: 1.25, outputBytes: 13 },
      outputTruncated: false,
      capabilityDenials: [],
    },
    post: { rules: [{ id: 'outcome_allowed', outcome: 'pass' }] },
    decision: 'allow',
  };
  change(r);
  return r as DecisionRecord;
}

const CASES: Record<string, DecisionRecord> = {
  'a plain allowed run': record(),
  'signed by several keys, or none': record((r) => (r.module.signers = [{ keyid: 'a', name: 'A', role: 'publisher' }, { keyid: 'b', name: 'B', role: 'release' }, { keyid: 'c', name: 'C', role: 'publisher' }])),
  'no trusted signer': record((r) => (r.module.signers = [])),
  'signers missing (odd record)': record((r) => delete r.module.signers),
  'verification failed with a code': record((r) => (r.verification = { ok: false, code: 'SIGNATURE_INVALID', message: 'bad' })),
  'verification failed without a code': record((r) => (r.verification = { ok: false, code: null, message: null })),
  'a legacy import': record((r) => (r.module.legacy = { format: 'nightcore.legacy-signature/v1', folderName: 'acme', unsignedManifestSha256: 'ab' })),
  'legacy field absent (records before 89b9c62; migration 0026 makes it "not recorded")': record((r) => delete r.module.legacy),
  'in quarantine (rule failed)': record((r) => (r.pre.rules[1].outcome = 'fail')),
  'in quarantine, rule in dry-run': record((r) => (r.pre.rules[1] = { id: 'quarantined', outcome: 'would_fail', dryRun: true })),
  'quarantined rule off': record((r) => (r.pre.rules[1].outcome = 'skip')),
  'quarantined rule absent': record((r) => r.pre.rules.splice(1, 1)),
  'not approved': record((r) => (r.approval.approved = false)),
  'approval not recorded': record((r) => delete r.approval),
  'backend null (nothing ran)': record((r) => (r.backend = null)),
  'backend not recorded': record((r) => delete r.backend),
  'process backend': record((r) => (r.backend = { kind: 'process' })),
  'a signal fired with weight 0': record((r) => r.threat.signals.push({ id: 'hash_drift', weight: 0, fired: true, contribution: 0 })),
  'signals in another order, one not known today': record((r) => {
    r.threat.signals = [
      { id: 'prior_capability_denials', weight: 20, fired: true, contribution: 60 },
      { id: 'retired_signal', weight: 5, fired: true, contribution: 5 },
      { id: 'unknown_signer', weight: 50, fired: true, contribution: 50 },
    ];
    r.threat.band = 'quarantine';
  }),
  'failing rules before and after, one twice, dry-run failures left out': record((r) => {
    r.pre.rules.push({ id: 'threat_threshold', outcome: 'fail' }, { id: 'approval_required', outcome: 'would_fail', dryRun: true });
    r.post = { rules: [{ id: 'exit_code', outcome: 'fail' }, { id: 'threat_threshold', outcome: 'fail' }, { id: 'denied_calls', outcome: 'fail' }] };
    r.decision = 'deny';
  }),
  'denied before running: no execution, no post': record((r) => {
    r.pre.rules.push({ id: 'capabilities_allowed', outcome: 'fail' });
    r.execution = null;
    r.post = null;
    r.backend = null;
    r.decision = 'deny';
  }),
  'a trap, output truncated': record((r) => {
    r.execution.outcome = { kind: 'trap', trap: 'unreachable' };
    r.execution.outputTruncated = true;
  }),
  'exit code 3': record((r) => (r.execution.outcome = { kind: 'ok', exitCode: 3 })),
  'refused calls with odd counts': record((r) => {
    r.execution.capabilityDenials = [
      { fn: 'path_open', capability: 'fs.read', errno: 'NOTCAPABLE', count: 3, samples: [] },
      { fn: 'sock_accept', capability: null, errno: 'NOTSUP', count: 2.5, samples: [] },
      { fn: 'fd_read', capability: 'stdin', errno: 'NOTCAPABLE', count: 0, samples: [] },
      { fn: 'fd_write', capability: 'stdout', errno: 'NOTCAPABLE', count: null, samples: [] },
    ];
  }),
  'refused calls not recorded (older record)': record((r) => delete r.execution.capabilityDenials),
  'output size not recorded': record((r) => delete r.execution.used.outputBytes),
  'a wall time that is not a short decimal': record((r) => (r.execution.used.wallMs = 0.1 + 0.2)),
  'large numbers': record((r) => {
    r.execution.used.fuel = 9_007_199_254_740_991;
    r.execution.used.wallMs = 123456.78;
  }),
};

describe('migration 0024 on records of every shape', () => {
  it('writes exactly what the recorder writes, and reads back as the same facts', () => {
    const db = new Database(':memory:');
    applyMigrations(db, { migrations: BEFORE_0024 });
    const insertRun = db.prepare(`INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at,
      decision, outcome, exit_code, threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256, stdin, stdout, stderr, audit_seq)
      VALUES (?, 1, 'm', '1.0.0', 'default', 'aa', 'test', 0, 'allow', 'ok', 0, 0, 0, 0, 'default', 1, '1', '', x'', x'', x'', 0)`);
    const insertRecord = db.prepare('INSERT INTO run_records (run_id, record) VALUES (?, ?)');
    for (const [name, r] of Object.entries(CASES)) {
      insertRun.run(name);
      insertRecord.run(name, JSON.stringify(r));
    }
    insertRun.run('a run whose record is gone');
    applyMigrations(db);
    expect(expectBackfillMatchesEncoder(db)).toBe(Object.keys(CASES).length + 1);
    db.close();
  });

  it('keeps what the rules decide on, and says "not recorded" where the record did not hold a fact', () => {
    expect(factsFromRecord(CASES['a plain allowed run']!)).toEqual({
      verification: { ok: true, code: null },
      signerRoles: ['publisher'],
      legacy: false,
      quarantined: false,
      approved: true,
      backend: 'worker-threads',
      band: 'low',
      signals: [['first_seen_digest', 1], ['requested_capabilities', 2]],
      failing: [],
      execution: { outcome: 'ok', exitCode: 0, fuel: 1234, peakMemoryPages: 17, wallMs: 1.25, outputBytes: 13, outputTruncated: false, deniedCalls: 0 },
    });
    expect(factsFromRecord(CASES['approval not recorded']!).approved).toBeNull();
    expect(factsFromRecord(CASES['quarantined rule off']!).quarantined).toBeNull();
    expect(factsFromRecord(CASES['in quarantine, rule in dry-run']!).quarantined).toBe(true);
    expect(factsFromRecord(CASES['backend not recorded']!).backend).toBeNull();
    // Tenant folders could be imported from the first release on: an old record without the field does not say "a bundle".
    expect(factsFromRecord(CASES['legacy field absent (records before 89b9c62; migration 0026 makes it "not recorded")']!).legacy).toBeNull();
    expect(factsFromRecord(CASES['a signal fired with weight 0']!).signals).toContainEqual(['hash_drift', null]);
    expect(factsFromRecord(CASES['output size not recorded']!).execution?.outputBytes).toBeNull();
    expect(factsFromRecord(CASES['refused calls with odd counts']!).execution?.deniedCalls).toBe(3 + 3 + 1 + 1);
    expect(factsFromRecord(CASES['failing rules before and after, one twice, dry-run failures left out']!).failing).toEqual(['threat_threshold', 'exit_code', 'denied_calls']);
  });

  it('a damaged or unknown stored value is refused (the simulation then reads the record), never half-read', () => {
    const good = encodeRunFacts(factsFromRecord(record()));
    expect(decodeRunFacts(good)).toBeDefined();
    for (const bad of ['', '{', '[]', '[2]', good.replace(/^\[1,/, '[2,'), good.replace('"low"', '"lowish"'), good.replace('"ok"', '"fine"'), good.replace('"worker-threads"', '"vm"'), good.replace('[1,1,4,2]', '[1,1,4]'), good.replace('[1,1,4,2]', '[1,1,99,2]'), good.replace(',13,', ',"13",')]) {
      expect(decodeRunFacts(bad), bad).toBeUndefined();
    }
  });
});
