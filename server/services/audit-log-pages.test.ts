/**
 * verify() and verifyAsync() read the log in pages of 1000 rows (one native call per page). These
 * tests put the damage where pages meet, and below the first page, and check both paths name the
 * same first bad seq with the same report.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase, openMemoryDatabase, type DbHandle } from '../../db/client';
import { AuditLog } from './audit-log';
import { eventHash } from '../core/audit/hash';
import { GENESIS_HASH, type AuditEventInput } from '../core/audit/event';
import { testEd25519Key } from '../core/audit/test-support';

const serverKey = testEd25519Key();
const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function setup(events: number) {
  const handle = openMemoryDatabase();
  handles.push(handle);
  let t = Date.UTC(2025, 0, 1);
  const log = new AuditLog(handle.sqlite, { serverKey, now: () => new Date((t += 1000)), checkpointEvery: 1000 });
  const input = (i: number): AuditEventInput => ({ actor: `user:${i % 5}`, action: 'key.added', subject: `key:${i}`, payload: { i } });
  for (let i = 0; i < events; i += 700) log.appendMany(Array.from({ length: Math.min(700, events - i) }, (_, j) => input(i + j + 1)));
  return { sqlite: handle.sqlite, log };
}

/** SQL with the append-only triggers out of the way, as an attacker with file access could. */
function tamper(sqlite: Database.Database, sql: string, ...params: unknown[]) {
  const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
  for (const t of triggers) sqlite.exec(`DROP TRIGGER ${t.name}`);
  sqlite.prepare(sql).run(...params);
  for (const t of triggers) sqlite.exec(t.sql);
}

async function bothPaths(log: AuditLog) {
  const sync = log.verify();
  const paged = await log.verifyAsync(undefined, () => Promise.resolve());
  expect(paged).toEqual(sync);
  return sync;
}

describe('verification across pages', () => {
  it('an intact log of 2,500 events (three pages) verifies the same on both paths', async () => {
    const { log } = setup(2500);
    expect(await bothPaths(log)).toMatchObject({ ok: true, events: 2500, headSeq: 2500, headHash: log.head().hash });
  });

  it.each([
    [1000, 'the last row of the first page'],
    [1001, 'the first row of the second page'],
    [2500, 'the last row of the log'],
  ])('an edited event at seq %i (%s) is named there, after seq - 1 good events', async (seq) => {
    const { sqlite, log } = setup(2500);
    tamper(sqlite, "UPDATE audit_events SET actor = 'mallory' WHERE seq = ?", seq);
    expect(await bothPaths(log)).toMatchObject({ ok: false, code: 'HASH_MISMATCH', seq, events: seq - 1 });
  });

  it('a deleted first row of a page is a gap at its seq', async () => {
    const { sqlite, log } = setup(2500);
    tamper(sqlite, 'DELETE FROM audit_events WHERE seq = 2001');
    expect(await bothPaths(log)).toMatchObject({ ok: false, code: 'SEQUENCE_GAP', seq: 2001, events: 2000 });
  });

  it.each([
    [0, 'SEQUENCE_GAP', 1],
    [-1, 'SEQUENCE_GAP', 1],
    [-(2 ** 62), 'MALFORMED_EVENT', -(2 ** 62)], // beyond a safe integer in JS
  ])('a forged event inserted at seq %s, before the chain, is found (it would show in listings)', async (seq, code, at) => {
    const { sqlite, log } = setup(1200);
    const forged = { seq, time: '2025-01-01T00:00:00.000Z', actor: 'user:mallory', action: 'key.added', subject: 'key:x', payload: '{}', prevHash: GENESIS_HASH };
    tamper(sqlite, 'INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)', BigInt(seq), forged.time, forged.actor, forged.action, forged.subject, forged.payload, forged.prevHash, eventHash(forged));
    expect(await bothPaths(log)).toMatchObject({ ok: false, code, seq: at, events: 0 });
  });

  it('verify() reads one snapshot: events another connection appends meanwhile are left for the next check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-audit-pages-'));
    try {
      const first = openDatabase(dir);
      const second = openDatabase(dir);
      handles.push(first, second);
      const log = new AuditLog(first.sqlite, { serverKey, checkpointEvery: 1000 });
      const other = new AuditLog(second.sqlite, { serverKey, checkpointEvery: 1000 });
      const input = (i: number): AuditEventInput => ({ actor: 'user:a', action: 'key.added', subject: `key:${i}`, payload: { i } });
      log.appendMany(Array.from({ length: 12_000 }, (_, i) => input(i)));
      let appended = 0;
      const report = log.verify((events) => {
        if (events === 10_000) appended = other.appendMany([input(-1), input(-2), input(-3)]).length; // mid-verification, another writer
      });
      expect(appended).toBe(3);
      expect(report).toMatchObject({ ok: true, events: 12_000, headSeq: 12_000 });
      expect(first.sqlite.inTransaction).toBe(false);
      expect(log.verify()).toMatchObject({ ok: true, events: 12_003 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
