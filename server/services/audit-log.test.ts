import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import type Database from 'better-sqlite3';
import { openDatabase, openMemoryDatabase, type DbHandle } from '../../db/client';
import { AuditLog, AuditAppendError, type AuditLogOptions } from './audit-log';
import { eventHash } from '../core/audit/hash';
import { GENESIS_HASH, type AuditEvent, type AuditEventInput } from '../core/audit/event';
import { randomJson, seededRandom, testEd25519Key } from '../core/audit/test-support';

const serverKey = testEd25519Key();
const handles: DbHandle[] = [];
const dirs: string[] = [];
afterEach(() => {
  handles.splice(0).forEach((h) => h.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function clock(start = Date.UTC(2025, 0, 1)) {
  let t = start;
  return () => new Date((t += 1000));
}

function setup(options: Partial<AuditLogOptions> = {}) {
  const handle = openMemoryDatabase();
  handles.push(handle);
  const log = new AuditLog(handle.sqlite, { serverKey, now: clock(), checkpointEvery: 5, ...options });
  return { sqlite: handle.sqlite, log };
}

const ev = (i: number, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({
  actor: `user:${i % 3 === 0 ? 'alice' : 'bob'}`,
  action: i % 2 === 0 ? 'key.added' : 'module.imported',
  subject: `thing:${i}`,
  payload: { i, note: `event ${i}` },
  ...extra,
});

/** Runs SQL with the append-only triggers out of the way, as an attacker with file access could. */
function tamper(sqlite: Database.Database, sql: string, ...params: unknown[]) {
  const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
  for (const t of triggers) sqlite.exec(`DROP TRIGGER ${t.name}`);
  sqlite.prepare(sql).run(...params);
  for (const t of triggers) sqlite.exec(t.sql);
}

const rows = (sqlite: Database.Database) =>
  sqlite.prepare('SELECT seq, time, actor, action, subject, payload, prev_hash AS prevHash, hash FROM audit_events ORDER BY seq').all() as AuditEvent[];

describe('AuditLog append and verify', () => {
  it('round-trips: appended events are stored as returned, chained, checkpointed and verify', () => {
    const { sqlite, log } = setup();
    expect(log.head()).toEqual({ seq: 0, hash: GENESIS_HASH });
    const first = log.append(ev(1));
    expect(first).toMatchObject({ seq: 1, time: '2025-01-01T00:00:01.000Z', prevHash: GENESIS_HASH, payload: '{"i":1,"note":"event 1"}' });
    const rest = log.appendMany(Array.from({ length: 11 }, (_, i) => ev(i + 2)));
    expect(rest.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rows(sqlite)).toEqual([first, ...rest]);
    expect(log.head()).toEqual({ seq: 12, hash: rest[10]!.hash });
    // 1: a fresh log's first write; 5, 10: every 5 events; 12: the batch held key.added (security)
    expect(sqlite.prepare('SELECT seq FROM audit_checkpoints ORDER BY seq').pluck().all()).toEqual([1, 5, 10, 12]);
    const progress: number[] = [];
    expect(log.verify((n) => progress.push(n))).toEqual({ ok: true, events: 12, checkpoints: 4, headSeq: 12, headHash: rest[10]!.hash, uncheckpointed: 0 });
    expect(progress).toEqual([12]);
  });

  it('stores arbitrary Unicode payloads, actors and subjects without changing a byte', () => {
    const { log } = setup({ checkpointEvery: 50 });
    const rand = seededRandom(99);
    const inputs = Array.from({ length: 300 }, (_, i) => ev(i, { actor: `user:😀\u2028"${i}`, subject: `s\\\u0000${i}`, payload: randomJson(rand) }));
    const written = log.appendMany(inputs);
    written.forEach((e, i) => expect(e.payload).toBe(canonicalize(inputs[i]!.payload)));
    expect(log.verify()).toMatchObject({ ok: true, events: 300, checkpoints: 6, uncheckpointed: 0 });
  });

  it('checkpoint() signs the current head once; an empty log has none', () => {
    const { sqlite, log } = setup({ checkpointEvery: 1000 });
    expect(log.checkpoint()).toBeUndefined();
    log.appendMany([ev(1), ev(2), ev(3)]);
    const cp = log.checkpoint();
    expect(cp).toMatchObject({ seq: 3, hash: log.head().hash, keyid: serverKey.keyid });
    expect(log.checkpoint()).toEqual(cp);
    expect(log.latestCheckpoint()).toEqual(cp);
    expect(sqlite.prepare('SELECT COUNT(*) FROM audit_checkpoints').pluck().get()).toBe(1);
  });

  it('refuses invalid input with a typed error and writes nothing', () => {
    const { log } = setup();
    log.append(ev(1));
    const attempt = () => log.appendMany([ev(2), ev(3, { action: 'key.stolen' as never })]);
    expect(attempt).toThrow(AuditAppendError);
    try {
      attempt();
    } catch (e) {
      expect((e as AuditAppendError).code).toBe('INVALID_ACTION');
    }
    expect(log.head().seq).toBe(1);
    expect(() => new AuditLog(setup().sqlite, { serverKey, checkpointEvery: 0 })).toThrow(RangeError);
  });
});

describe('verifyAsync: long chains without blocking', () => {
  it('pauses between pages, lets other queries use the connection meanwhile, and agrees with verify()', async () => {
    const { sqlite, log } = setup({ checkpointEvery: 1000 });
    log.appendMany(Array.from({ length: 25_000 }, (_, i) => ev(i + 1)));
    const progress: number[] = [];
    let queriesDuringPauses = 0;
    const report = await log.verifyAsync(
      (events) => progress.push(events),
      async () => {
        queriesDuringPauses += log.head().seq === 25_000 ? 1 : 0; // the connection is free while paused
      },
    );
    expect(report).toEqual(log.verify());
    expect(progress).toEqual([10_000, 20_000, 25_000]);
    expect(queriesDuringPauses).toBe(2);

    tamper(sqlite, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 17000");
    const broken = await log.verifyAsync();
    expect(broken).toMatchObject({ ok: false, code: 'HASH_MISMATCH', seq: 17_000 });
  });
});

describe('tamper evidence', () => {
  it('UPDATE and DELETE through SQL are refused by the triggers', () => {
    const { sqlite, log } = setup();
    log.appendMany([ev(1), ev(2), ev(3), ev(4), ev(5)]);
    expect(() => sqlite.prepare("UPDATE audit_events SET actor = 'x' WHERE seq = 2").run()).toThrow(/append-only: UPDATE refused/);
    expect(() => sqlite.prepare('DELETE FROM audit_events WHERE seq = 5').run()).toThrow(/append-only: DELETE refused/);
    expect(() => sqlite.prepare("UPDATE audit_checkpoints SET hash = 'x'").run()).toThrow(/append-only: UPDATE refused/);
    expect(() => sqlite.prepare('DELETE FROM audit_checkpoints').run()).toThrow(/append-only: DELETE refused/);
    expect(log.verify().ok).toBe(true);
  });

  it('an edited payload or actor is named by its seq', () => {
    const { sqlite, log } = setup();
    log.appendMany(Array.from({ length: 12 }, (_, i) => ev(i + 1)));
    tamper(sqlite, "UPDATE audit_events SET payload = '{\"i\":7,\"note\":\"nothing to see\"}' WHERE seq = 7");
    expect(log.verify()).toMatchObject({ ok: false, code: 'HASH_MISMATCH', seq: 7, events: 6 });
    const other = setup();
    other.log.appendMany(Array.from({ length: 12 }, (_, i) => ev(i + 1)));
    tamper(other.sqlite, "UPDATE audit_events SET actor = 'user:nobody' WHERE seq = 3");
    expect(other.log.verify()).toMatchObject({ ok: false, code: 'HASH_MISMATCH', seq: 3 });
  });

  it('a deleted event in the middle is named as a gap', () => {
    const { sqlite, log } = setup();
    log.appendMany(Array.from({ length: 12 }, (_, i) => ev(i + 1)));
    tamper(sqlite, 'DELETE FROM audit_events WHERE seq = 8');
    expect(log.verify()).toMatchObject({ ok: false, code: 'SEQUENCE_GAP', seq: 8 });
    // stopping early closed the reading statement: the connection is not left busy
    expect(log.append(ev(13)).seq).toBe(13);
  });

  it('a full rewrite with recomputed hashes is caught by the signed checkpoint', () => {
    const { sqlite, log } = setup();
    log.appendMany(Array.from({ length: 12 }, (_, i) => ev(i + 1)));
    const original = rows(sqlite);
    tamper(sqlite, 'DELETE FROM audit_events');
    let prev = GENESIS_HASH;
    for (const r of original) {
      const forged = { ...r, payload: r.seq === 2 ? '{"i":2,"note":"forged"}' : r.payload, prevHash: prev };
      const hash = eventHash(forged);
      sqlite.prepare('INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(forged.seq, forged.time, forged.actor, forged.action, forged.subject, forged.payload, prev, hash);
      prev = hash;
    }
    const r = log.verify();
    expect(r).toMatchObject({ ok: false, code: 'CHECKPOINT_MISMATCH', seq: 5 });
    // a forged checkpoint (without the server's private key) does not help the attacker
    const forger = testEd25519Key();
    const forgedLog = new AuditLog(sqlite, { serverKey: { ...forger, keyid: serverKey.keyid }, checkpointEvery: 5 });
    tamper(sqlite, 'DELETE FROM audit_checkpoints');
    forgedLog.checkpoint();
    expect(log.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', seq: 12 });
  });

  it('truncation after a checkpoint is caught', () => {
    const { sqlite, log } = setup();
    log.appendMany(Array.from({ length: 12 }, (_, i) => ev(i + 1)));
    tamper(sqlite, 'DELETE FROM audit_events WHERE seq > 8');
    expect(log.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_MISSING_EVENT', seq: 10, events: 8 });
  });

  it('checkpoints from a former server key count only when that key is configured', () => {
    const { sqlite, log } = setup();
    log.appendMany(Array.from({ length: 6 }, (_, i) => ev(i + 1)));
    const rotated = testEd25519Key();
    expect(new AuditLog(sqlite, { serverKey: rotated }).verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', seq: 5 });
    expect(new AuditLog(sqlite, { serverKey: rotated, formerKeys: [serverKey] }).verify()).toMatchObject({ ok: true, checkpoints: 2 });
  });
});

describe('record(): the change and its event commit together', () => {
  const withTable = () => {
    const s = setup();
    s.sqlite.exec('CREATE TABLE things (name TEXT NOT NULL)');
    const insert = (name: string) => s.sqlite.prepare('INSERT INTO things (name) VALUES (?) RETURNING rowid AS id, name').get(name) as { id: number; name: string };
    const count = () => s.sqlite.prepare('SELECT COUNT(*) FROM things').pluck().get();
    return { ...s, insert, count };
  };

  it('commits both, with the event computed from the change result', () => {
    const { log, insert, count } = withTable();
    const row = log.record((r: { id: number; name: string }) => ev(1, { subject: `thing:${r.id}`, payload: { name: r.name } }), () => insert('a'));
    expect(row).toEqual({ id: 1, name: 'a' });
    expect(count()).toBe(1);
    expect(log.page({ limit: 1 })).toMatchObject({ ok: true, value: { events: [{ seq: 1, subject: 'thing:1', payload: '{"name":"a"}' }] } });
  });

  it('fails closed: when the append fails the change is rolled back', () => {
    const { sqlite, log, insert, count } = withTable();
    log.append(ev(0));
    // payload computed from the result is not JSON: the insert already ran and must be undone
    expect(() => log.record(() => ev(1, { payload: { big: 10n } as never }), () => insert('b'))).toThrow(/not JSON|bigint/);
    expect(count()).toBe(0);
    // a fixed bad input is refused before the change even starts
    let ran = false;
    expect(() => log.record(ev(2, { actor: '' }), () => ((ran = true), insert('c')))).toThrow(AuditAppendError);
    expect(ran).toBe(false);
    // a forced failure in the append (the clock breaks) rolls back too
    const flaky = new AuditLog(sqlite, { serverKey, now: () => new Date(NaN) });
    expect(() => flaky.record(ev(3), () => insert('d'))).toThrow(/invalid date/);
    expect(count()).toBe(0);
    expect(log.head().seq).toBe(1);
    expect(log.verify().ok).toBe(true);
  });

  it('a failing change appends nothing, and append() inside a caller transaction rolls back with it', () => {
    const { sqlite, log, insert, count } = withTable();
    expect(() => log.record(ev(1), () => { insert('x'); throw new Error('change failed'); })).toThrow('change failed');
    expect(log.head().seq).toBe(0);
    const outer = sqlite.transaction(() => {
      insert('y');
      log.append(ev(2));
      throw new Error('caller gives up');
    });
    expect(outer).toThrow('caller gives up');
    expect(count()).toBe(0);
    expect(log.head().seq).toBe(0);
    sqlite.transaction(() => {
      log.record(ev(3), () => insert('z'));
      log.append(ev(4));
    })();
    expect(count()).toBe(1);
    expect(log.verify()).toMatchObject({ ok: true, events: 2 });
  });
});

describe('listing and export', () => {
  it('pages forward and backward with filters', () => {
    const { log } = setup();
    log.appendMany(Array.from({ length: 20 }, (_, i) => ev(i + 1)));
    const newest = log.page({ limit: 3 });
    expect(newest.ok && newest.value.events.map((e) => e.seq)).toEqual([20, 19, 18]);
    expect(newest.ok && newest.value.more).toBe(true);
    const older = log.page({ beforeSeq: 18, limit: 3 });
    expect(older.ok && older.value.events.map((e) => e.seq)).toEqual([17, 16, 15]);
    const forward = log.page({ afterSeq: 17, limit: 5 });
    expect(forward).toMatchObject({ ok: true, value: { more: false } });
    expect(forward.ok && forward.value.events.map((e) => e.seq)).toEqual([18, 19, 20]);
    const alice = log.page({ actor: 'user:alice', action: 'key.added', limit: 100 });
    expect(alice.ok && alice.value.events.map((e) => e.seq)).toEqual([18, 12, 6]);
    expect(log.page({ subject: 'thing:4' })).toMatchObject({ ok: true, value: { events: [{ seq: 4 }], more: false } });
    expect(log.page({ limit: 0, afterSeq: -3 })).toMatchObject({ ok: false, code: 'INVALID_QUERY' });
  });

});

describe('two processes sharing one database file', () => {
  it('interleaved appends from two connections keep one valid chain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-audit-'));
    dirs.push(dir);
    const a = openDatabase(dir);
    const b = openDatabase(dir);
    handles.push(a, b);
    const logA = new AuditLog(a.sqlite, { serverKey, checkpointEvery: 7 });
    const logB = new AuditLog(b.sqlite, { serverKey, checkpointEvery: 7 });
    for (let i = 0; i < 30; i++) {
      (i % 3 === 0 ? logB : logA).append(ev(i));
      if (i % 5 === 0) logB.appendMany([ev(100 + i), ev(200 + i)]);
    }
    expect(logA.head()).toEqual(logB.head());
    const checkpointSeqs = a.sqlite.prepare('SELECT seq FROM audit_checkpoints ORDER BY seq').pluck().all() as number[];
    expect(checkpointSeqs).toEqual(expect.arrayContaining([7, 14, 21, 28, 35, 42]));
    expect(logA.verify()).toMatchObject({ ok: true, events: 42, checkpoints: checkpointSeqs.length });
    expect(logB.verify()).toMatchObject({ ok: true, events: 42 });
  });
});
