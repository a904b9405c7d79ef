/**
 * When checkpoints are written (issue 8): a fresh log has one at once, security-relevant events are
 * sealed in their own transaction, the time interval closes the window for quiet logs, and
 * checkpointIfDue() lets a timer do it without taking the write lock for nothing.
 */
import { describe, it, expect, afterEach } from 'vitest';
import type Database from 'better-sqlite3';
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { AuditLog, type AuditLogOptions } from './audit-log';
import { eventHash } from '../core/audit/hash';
import { GENESIS_HASH, type AuditEvent, type AuditEventInput } from '../core/audit/event';
import { checkpointDueAfterWrite, intervalElapsed } from '../core/audit/checkpoint-policy';
import { testEd25519Key } from '../core/audit/test-support';

const serverKey = testEd25519Key();
const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2025, 0, 1)) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

function setup(options: Partial<AuditLogOptions> = {}) {
  const handle = openMemoryDatabase();
  handles.push(handle);
  const clock = manualClock();
  const log = new AuditLog(handle.sqlite, { serverKey, now: clock.now, checkpointEvery: 1000, checkpointIntervalMs: 10_000, ...options });
  return { sqlite: handle.sqlite, log, clock };
}

const run = (i: number): AuditEventInput => ({ actor: 'user:op', action: 'run.decided', subject: `run:${i}`, payload: { i } });
const cpSeqs = (sqlite: Database.Database) => sqlite.prepare('SELECT seq FROM audit_checkpoints ORDER BY seq').pluck().all() as number[];
const rows = (sqlite: Database.Database) =>
  sqlite.prepare('SELECT seq, time, actor, action, subject, payload, prev_hash AS prevHash, hash FROM audit_events ORDER BY seq').all() as AuditEvent[];

/** Rewrites one event's payload and re-chains everything after it, as an attacker with the file would. */
function rechainedEdit(sqlite: Database.Database, seq: number, payload: string) {
  const original = rows(sqlite);
  const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
  for (const t of triggers) sqlite.exec(`DROP TRIGGER ${t.name}`);
  sqlite.prepare('DELETE FROM audit_events').run();
  let prev = GENESIS_HASH;
  for (const r of original) {
    const forged = { ...r, payload: r.seq === seq ? payload : r.payload, prevHash: prev };
    const hash = eventHash(forged);
    sqlite.prepare('INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(forged.seq, forged.time, forged.actor, forged.action, forged.subject, forged.payload, prev, hash);
    prev = hash;
  }
  for (const t of triggers) sqlite.exec(t.sql);
}

describe('checkpoint policy', () => {
  it('a fresh log is checkpointed at its first write, so a re-chained edit of it is caught', () => {
    const { sqlite, log } = setup();
    log.append(run(1));
    expect(cpSeqs(sqlite)).toEqual([1]);
    rechainedEdit(sqlite, 1, '{"i":"forged"}');
    expect(log.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_MISMATCH', seq: 1 });
  });

  it('a security-relevant event is sealed in its own transaction; a re-chained edit of it is caught', () => {
    const { sqlite, log } = setup();
    log.append(run(1));
    log.append(run(2));
    expect(cpSeqs(sqlite)).toEqual([1]); // routine events wait for the count or the interval
    log.append({ actor: 'user:admin', action: 'key.revoked', subject: 'key:abc', payload: { reason: 'compromised' } });
    expect(cpSeqs(sqlite)).toEqual([1, 3]);
    rechainedEdit(sqlite, 3, '{"reason":"routine"}');
    expect(log.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_MISMATCH', seq: 3 });
  });

  it('every security action seals; routine actions do not', () => {
    for (const action of ['key.added', 'key.revoked', 'user.created', 'user.disabled', 'user.role_changed', 'user.password_changed', 'auth.sessions_revoked', 'policy.loaded', 'module.quarantined', 'module.released', 'server.key_created', 'sandbox.kill_switch', 'agent.created', 'agent.revoked', 'approval.key_registered', 'license.installed'] as const) {
      const { sqlite, log } = setup();
      log.append(run(1));
      log.append({ actor: 'system', action, subject: 'x', payload: {} });
      expect([action, cpSeqs(sqlite)]).toEqual([action, [1, 2]]);
    }
    for (const action of ['run.started', 'run.decided', 'auth.login', 'audit.verified', 'module.imported'] as const) {
      const { sqlite, log } = setup();
      log.append(run(1));
      log.append({ actor: 'system', action, subject: 'x', payload: {} });
      expect([action, cpSeqs(sqlite)]).toEqual([action, [1]]);
    }
  });

  it('after the interval the next append checkpoints; before it, it does not', () => {
    const { sqlite, log, clock } = setup();
    log.append(run(1));
    clock.advance(9_999);
    log.append(run(2));
    expect(cpSeqs(sqlite)).toEqual([1]);
    clock.advance(1);
    log.append(run(3));
    expect(cpSeqs(sqlite)).toEqual([1, 3]);
  });

  it('the count still applies inside one batch', () => {
    const { sqlite, log } = setup({ checkpointEvery: 4 });
    log.appendMany(Array.from({ length: 10 }, (_, i) => run(i + 1)));
    // 4 and 8 by count (the first of them already gives the fresh log its checkpoint); 9 and 10 wait
    expect(cpSeqs(sqlite)).toEqual([4, 8]);
    log.appendMany(Array.from({ length: 3 }, (_, i) => run(i + 11)));
    expect(cpSeqs(sqlite)).toEqual([4, 8, 12]);
  });

  it('checkpointIfDue() (the timer) seals waiting events once the interval passed, and is a no-op otherwise', () => {
    const { sqlite, log, clock } = setup();
    expect(log.checkpointIfDue()).toBeUndefined(); // empty log
    log.append(run(1));
    log.append(run(2));
    expect(log.checkpointIfDue()).toBeUndefined(); // interval not over
    clock.advance(10_000);
    expect(log.checkpointIfDue()).toMatchObject({ seq: 2 });
    expect(log.checkpointIfDue()).toBeUndefined(); // nothing new
    expect(cpSeqs(sqlite)).toEqual([1, 2]);
    expect(log.verify()).toMatchObject({ ok: true, uncheckpointed: 0 });
  });

  it('verify states how many events are after the last checkpoint', () => {
    const { log } = setup();
    for (let i = 1; i <= 4; i++) log.append(run(i));
    expect(log.verify()).toMatchObject({ ok: true, events: 4, checkpoints: 1, uncheckpointed: 3 });
  });

  it('refuses a bad interval', () => {
    expect(() => setup({ checkpointIntervalMs: -1 })).toThrow(RangeError);
    expect(() => setup({ checkpointIntervalMs: 1.5 })).toThrow(RangeError);
  });
});

describe('checkpointDueAfterWrite (pure)', () => {
  const base = { headSeq: 5, time: '2025-01-01T00:00:05.000Z', actions: ['run.decided'], intervalMs: 10_000 };
  it('names the reason, and nothing when the head is already sealed', () => {
    expect(checkpointDueAfterWrite({ ...base, last: undefined })).toBe('first');
    expect(checkpointDueAfterWrite({ ...base, last: { seq: 5, time: base.time } })).toBeUndefined();
    expect(checkpointDueAfterWrite({ ...base, last: { seq: 4, time: base.time } })).toBeUndefined();
    expect(checkpointDueAfterWrite({ ...base, actions: ['run.decided', 'user.created'], last: { seq: 4, time: base.time } })).toBe('security');
    expect(checkpointDueAfterWrite({ ...base, last: { seq: 4, time: '2024-12-31T23:59:55.000Z' } })).toBe('interval');
  });
  it('a clock that went backwards counts as elapsed (never a reason to skip sealing)', () => {
    expect(intervalElapsed('2025-01-01T00:00:10.000Z', '2025-01-01T00:00:05.000Z', 10_000)).toBe(true);
    expect(intervalElapsed('2025-01-01T00:00:00.000Z', '2025-01-01T00:00:05.000Z', 10_000)).toBe(false);
  });
});
