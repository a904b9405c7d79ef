import { describe, it, expect, beforeEach } from 'vitest';
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { quarantine, runs } from '../../db/schema';
import { testEd25519Key } from '../core/audit/test-support';
import { AuditLog } from './audit-log';
import { WatchtowerService, FEED_LIMIT } from './watchtower';

const NOW = new Date('2026-03-10T12:30:00.000Z');
type Rule = { id: string; outcome: 'pass' | 'fail' | 'skip' };

interface Seed {
  id: string;
  at: string;
  decision: 'allow' | 'deny';
  score: number;
  module: string;
  pre?: Rule[];
  post?: Rule[] | null;
}

/** A run as the recorder writes it: its record is the payload of its run.decided event (migration 0020). */
function insertRun(handle: DbHandle, audit: AuditLog, s: Seed) {
  const verdict = (phase: 'pre' | 'post', rules: Rule[]) => ({
    phase,
    decision: rules.some((r) => r.outcome === 'fail') ? 'deny' : 'allow',
    summary: 'seeded',
    rules: rules.map((r) => ({ ...r, severity: 'high', explanation: 'seeded' })),
  });
  const record = { pre: verdict('pre', s.pre ?? [{ id: 'signature_trusted', outcome: 'pass' }]), post: s.post === null ? null : verdict('post', s.post ?? []) };
  const event = audit.append({ actor: 'user:test', action: 'run.decided', subject: `run:${s.id}`, payload: record });
  handle.db
    .insert(runs)
    .values({
      id: s.id,
      moduleVersionId: 1,
      moduleName: s.module,
      moduleVersion: '1.0.0',
      tenant: 'default',
      wasmSha256: `sha-${s.module}`,
      actor: 'user:test',
      startedAt: new Date(s.at),
      decision: s.decision,
      outcome: s.decision === 'allow' ? 'ok' : 'denied',
      exitCode: null,
      threatScore: s.score,
      fuelUsed: 0,
      wallMs: 0,
      policyName: 'default',
      policyRevision: 1,
      seed: '1',
      outputSha256: '',
      stdin: Buffer.alloc(0),
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      auditSeq: event.seq,
    })
    .run();
}

const SEEDS: Seed[] = [
  { id: 'r1', at: '2026-03-10T12:20:00.000Z', decision: 'allow', score: 5, module: 'alpha' },
  {
    id: 'r2',
    at: '2026-03-10T11:05:00.000Z',
    decision: 'deny',
    score: 95,
    module: 'bravo',
    pre: [
      { id: 'signature_trusted', outcome: 'fail' },
      { id: 'threat_threshold', outcome: 'fail' },
      { id: 'imports_allowed', outcome: 'pass' },
    ],
    post: null,
  },
  { id: 'r3', at: '2026-03-10T11:59:00.000Z', decision: 'deny', score: 60, module: 'charlie', post: [{ id: 'exit_code', outcome: 'fail' }] },
  { id: 'r4', at: '2026-03-09T13:00:00.000Z', decision: 'allow', score: 100, module: 'alpha' }, // first hour of the 24h window
  { id: 'r5', at: '2026-03-09T12:59:59.999Z', decision: 'allow', score: 42, module: 'delta' }, // 1 ms before it
  { id: 'r6', at: '2026-03-01T08:00:00.000Z', decision: 'deny', score: 70, module: 'echo', pre: [{ id: 'quarantined', outcome: 'fail' }], post: null },
  { id: 'r7', at: '2026-01-01T00:00:00.000Z', decision: 'allow', score: 99, module: 'foxtrot' }, // outside every window
  {
    id: 'r8',
    at: '2026-03-10T12:30:00.000Z', // exactly now
    decision: 'deny',
    score: 10,
    module: 'alpha',
    post: [
      { id: 'exit_code', outcome: 'fail' },
      { id: 'output_patterns', outcome: 'fail' },
      { id: 'max_fuel_used', outcome: 'pass' },
    ],
  },
];

describe('WatchtowerService', () => {
  let handle: DbHandle;
  let audit: AuditLog;
  let watchtower: WatchtowerService;

  beforeEach(() => {
    handle = openMemoryDatabase();
    audit = new AuditLog(handle.sqlite, { serverKey: testEd25519Key() });
    watchtower = new WatchtowerService(handle.sqlite, audit, () => NOW);
  });

  it('answers with zeros and nulls on an empty database', () => {
    const s = watchtower.summary({ window: '24h' });
    expect(s.runs).toEqual({ total: 0, allowed: 0, denied: 0, allowRate: null, perHour: 0 });
    expect(s.threat.average).toBeNull();
    expect(s.threat.histogram.every((b) => b.count === 0)).toBe(true);
    expect(s.topDeniedRules).toEqual([]);
    expect(s.riskyModules).toEqual([]);
    expect(s.series).toHaveLength(24);
    expect(s.pendingInbox).toBe(0);
    expect(s.inboxAvailable).toBe(true);
    expect(s.audit.lastVerification).toBeNull();
    expect(watchtower.feed()).toEqual([]);
  });

  describe('with seeded runs', () => {
    beforeEach(() => SEEDS.forEach((s) => insertRun(handle, audit, s)));

    it('24h: totals, rate, hourly series aligned to UTC hours', () => {
      const s = watchtower.summary({ window: '24h' });
      expect(s.from).toBe('2026-03-09T13:00:00.000Z');
      expect(s.to).toBe(NOW.toISOString());
      expect(s.bucket).toBe('hour');
      expect(s.runs.total).toBe(5);
      expect(s.runs.allowed).toBe(2);
      expect(s.runs.denied).toBe(3);
      expect(s.runs.allowRate).toBeCloseTo(0.4, 10);
      expect(s.runs.perHour).toBeCloseTo(5 / 23.5, 4);
      expect(s.series).toHaveLength(24);
      expect(s.series[0]).toEqual({ start: '2026-03-09T13:00:00.000Z', allowed: 1, denied: 0 });
      expect(s.series[22]).toEqual({ start: '2026-03-10T11:00:00.000Z', allowed: 0, denied: 2 });
      expect(s.series[23]).toEqual({ start: '2026-03-10T12:00:00.000Z', allowed: 1, denied: 1 });
      expect(s.series.slice(1, 22).every((b) => b.allowed === 0 && b.denied === 0)).toBe(true);
    });

    it('24h: threat histogram in 10-point buckets (100 in the last) and the average', () => {
      const s = watchtower.summary({ window: '24h' });
      expect(s.threat.histogram.map((b) => b.count)).toEqual([1, 1, 0, 0, 0, 0, 1, 0, 0, 2]);
      expect(s.threat.histogram[9]).toEqual({ from: 90, to: 100, count: 2 });
      expect(s.threat.histogram[0]).toEqual({ from: 0, to: 9, count: 1 });
      expect(s.threat.average).toBe((5 + 95 + 60 + 100 + 10) / 5);
    });

    it('24h: top denied rules from the pre and post verdicts, most frequent first', () => {
      expect(watchtower.summary({ window: '24h' }).topDeniedRules).toEqual([
        { rule: 'exit_code', phase: 'post', count: 2 },
        { rule: 'output_patterns', phase: 'post', count: 1 },
        { rule: 'signature_trusted', phase: 'pre', count: 1 },
        { rule: 'threat_threshold', phase: 'pre', count: 1 },
      ]);
    });

    it('24h: riskiest modules by their highest score, with their run counts', () => {
      expect(watchtower.summary({ window: '24h' }).riskyModules).toEqual([
        { name: 'alpha', maxScore: 100, runs: 3 },
        { name: 'bravo', maxScore: 95, runs: 1 },
        { name: 'charlie', maxScore: 60, runs: 1 },
      ]);
    });

    it('7d and 30d: daily buckets; older runs join as the window widens', () => {
      const week = watchtower.summary({ window: '7d' });
      expect(week.from).toBe('2026-03-04T00:00:00.000Z');
      expect(week.series).toHaveLength(7);
      expect(week.runs).toMatchObject({ total: 6, allowed: 3, denied: 3 });
      expect(week.series[5]).toEqual({ start: '2026-03-09T00:00:00.000Z', allowed: 2, denied: 0 });
      expect(week.series[6]).toEqual({ start: '2026-03-10T00:00:00.000Z', allowed: 1, denied: 3 });

      const month = watchtower.summary({ window: '30d' });
      expect(month.from).toBe('2026-02-09T00:00:00.000Z');
      expect(month.series).toHaveLength(30);
      expect(month.runs).toMatchObject({ total: 7, allowed: 3, denied: 4 });
      expect(month.topDeniedRules.find((r) => r.rule === 'quarantined')).toEqual({ rule: 'quarantined', phase: 'pre', count: 1 });
      expect(month.riskyModules.map((m) => m.name)).toEqual(['alpha', 'bravo', 'echo', 'charlie', 'delta']);
    });

    it('complete buckets are kept between calls, yet a run inserted late into one is counted on the next call', () => {
      const before = watchtower.summary({ window: '7d' });
      // Started yesterday (a complete bucket), recorded only now: the kept totals must not hide it.
      insertRun(handle, audit, { id: 'late', at: '2026-03-09T23:59:59.000Z', decision: 'deny', score: 80, module: 'golf', pre: [{ id: 'tenant_allowed', outcome: 'fail' }], post: null });
      insertRun(handle, audit, { id: 'live', at: '2026-03-10T12:25:00.000Z', decision: 'allow', score: 0, module: 'alpha' });
      const after = watchtower.summary({ window: '7d' });
      expect(after.runs.total).toBe(before.runs.total + 2);
      expect(after.series[5]).toEqual({ start: '2026-03-09T00:00:00.000Z', allowed: 2, denied: 1 });
      expect(after.series[6]).toEqual({ start: '2026-03-10T00:00:00.000Z', allowed: 2, denied: 3 });
      expect(after.topDeniedRules).toContainEqual({ rule: 'tenant_allowed', phase: 'pre', count: 1 });
      // Same answer as a service that never kept anything.
      expect(after).toEqual(new WatchtowerService(handle.sqlite, audit, () => NOW).summary({ window: '7d' }));
    });

    it('counts only active quarantine entries', () => {
      const base = { moduleName: 'bravo', reason: 'seeded', source: 'manual' as const, since: NOW, by: 'user:test' };
      handle.db.insert(quarantine).values({ ...base, wasmSha256: 'a' }).run();
      handle.db.insert(quarantine).values({ ...base, wasmSha256: 'b', releasedAt: NOW, releasedBy: 'user:x', releaseReason: 'ok' }).run();
      expect(watchtower.summary({ window: '24h' }).quarantinedActive).toBe(1);
    });

    it('feed: newest first, then only what is newer than the cursor', () => {
      const all = watchtower.feed();
      expect(all.map((r) => r.id)).toEqual(['r8', 'r1', 'r3', 'r2', 'r4', 'r5', 'r6', 'r7']);
      expect(all[0]).toEqual({
        id: 'r8',
        moduleName: 'alpha',
        moduleVersion: '1.0.0',
        startedAt: '2026-03-10T12:30:00.000Z',
        decision: 'deny',
        outcome: 'denied',
        threatScore: 10,
      });
      expect(watchtower.feed({ afterStartedAt: new Date('2026-03-10T11:05:00.000Z'), afterId: 'r2' }).map((r) => r.id)).toEqual(['r8', 'r1', 'r3']);
      expect(watchtower.feed({ afterStartedAt: new Date(all[0]!.startedAt), afterId: all[0]!.id })).toEqual([]);
      // Same millisecond, later id: still newer than the cursor.
      insertRun(handle, audit, { id: 'r9', at: '2026-03-10T12:30:00.000Z', decision: 'allow', score: 0, module: 'alpha' });
      expect(watchtower.feed({ afterStartedAt: new Date(all[0]!.startedAt), afterId: 'r8' }).map((r) => r.id)).toEqual(['r9']);
    });

    it('feed returns at most FEED_LIMIT items', () => {
      for (let i = 0; i < FEED_LIMIT + 5; i++) {
        insertRun(handle, audit, { id: `bulk-${String(i).padStart(3, '0')}`, at: '2026-03-10T12:00:00.000Z', decision: 'allow', score: 1, module: 'bulk' });
      }
      expect(watchtower.feed()).toHaveLength(FEED_LIMIT);
    });
  });

  it('audit status: head, latest checkpoint, last recorded verification', () => {
    audit.append({ actor: 'system', action: 'server.key_created', subject: 'key:x', payload: {} });
    let status = watchtower.auditStatus();
    expect(status.headSeq).toBe(1);
    expect(status.headHash).toBe(audit.head().hash);
    expect(status.checkpoint).toMatchObject({ seq: 1 }); // a fresh log is sealed at its first event (issue 8)
    expect(status.lastVerification).toBeNull();

    const cp = audit.checkpoint()!;
    audit.append({ actor: 'user:alice', action: 'audit.verified', subject: 'audit', payload: { ok: true, events: 1 } });
    status = watchtower.auditStatus();
    expect(status.checkpoint).toEqual({ seq: cp.seq, time: cp.time });
    expect(status.lastVerification).toMatchObject({ seq: 2, actor: 'user:alice', ok: true, events: 1, code: null });

    audit.append({ actor: 'user:bob', action: 'audit.verified', subject: 'audit', payload: { ok: false, code: 'HASH_MISMATCH', events: 0 } });
    expect(watchtower.auditStatus().lastVerification).toMatchObject({ seq: 3, actor: 'user:bob', ok: false, code: 'HASH_MISMATCH' });
  });
});
