/** Crash recovery for runs (issue 8): a start without a decision gets a run.interrupted decision at the next open. */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { AuditLog } from './audit-log';
import { openServices } from './index';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import Database from 'better-sqlite3';
import { openDatabase } from '../../db/client';
import { INTERRUPTED_AFTER_MS, RECONCILE_LOOKBACK_MS, WATERMARK_STEP, reconcileInterruptedRuns } from './run-reconcile';
import { testEd25519Key } from '../core/audit/test-support';
import type { AuditEventInput, JsonValue } from '../core/audit/event';

const handles: DbHandle[] = [];
const dirs: string[] = [];
afterEach(() => {
  handles.splice(0).forEach((h) => h.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const T0 = Date.UTC(2025, 5, 1);

function setup() {
  const handle = openMemoryDatabase();
  handles.push(handle);
  let t = T0;
  const log = new AuditLog(handle.sqlite, { serverKey: testEd25519Key(), now: () => new Date(t) });
  return { sqlite: handle.sqlite, log, at: (ms: number) => (t = ms) };
}

const start = (id: string, payload: JsonValue = { module: 'hello@1.0.0', wasmSha256: 'ab'.repeat(32) }) =>
  ({ actor: 'user:op', action: 'run.started', subject: `run:${id}`, payload }) satisfies AuditEventInput;
const interrupted = (sqlite: import('better-sqlite3').Database) =>
  sqlite.prepare("SELECT subject, actor, payload FROM audit_events WHERE action = 'run.interrupted' ORDER BY seq").all() as { subject: string; actor: string; payload: string }[];

describe('reconcileInterruptedRuns', () => {
  it('decides an old start without a decision as interrupted (deny), naming the start', () => {
    const { sqlite, log, at } = setup();
    log.append(start('crashed'));
    log.append(start('finished'));
    log.append({ actor: 'user:op', action: 'run.decided', subject: 'run:finished', payload: { decision: 'allow' } });
    at(T0 + INTERRUPTED_AFTER_MS + 1);
    expect(reconcileInterruptedRuns(sqlite, log, new Date(T0 + INTERRUPTED_AFTER_MS + 1))).toBe(1);
    const [only] = interrupted(sqlite);
    expect(only).toMatchObject({ subject: 'run:crashed', actor: 'system' });
    expect(JSON.parse(only!.payload)).toMatchObject({ decision: 'deny', outcome: 'interrupted', startedSeq: 1, startedBy: 'user:op', module: 'hello@1.0.0', wasmSha256: 'ab'.repeat(32) });
    expect(log.verify().ok).toBe(true);
  });

  it('leaves a start that may still be running in another process alone, and never reconciles twice', () => {
    const { sqlite, log, at } = setup();
    log.append(start('live'));
    expect(reconcileInterruptedRuns(sqlite, log, new Date(T0 + INTERRUPTED_AFTER_MS - 1))).toBe(0);
    const later = T0 + INTERRUPTED_AFTER_MS + 5;
    at(later);
    expect(reconcileInterruptedRuns(sqlite, log, new Date(later))).toBe(1);
    expect(reconcileInterruptedRuns(sqlite, log, new Date(later + 1))).toBe(0);
    expect(interrupted(sqlite)).toHaveLength(1);
  });

  it('a start with an odd payload is still reconciled, with unknown fields as null', () => {
    const { sqlite, log } = setup();
    log.append(start('odd', [1, 2] as never));
    expect(reconcileInterruptedRuns(sqlite, log, new Date(T0 + INTERRUPTED_AFTER_MS + 1))).toBe(1);
    expect(JSON.parse(interrupted(sqlite)[0]!.payload)).toMatchObject({ module: null, wasmSha256: null });
  });

  it('looks back only over the lookback window', () => {
    const { sqlite, log } = setup();
    log.append(start('ancient'));
    expect(reconcileInterruptedRuns(sqlite, log, new Date(T0 + RECONCILE_LOOKBACK_MS + 1))).toBe(0);
  });
});

const mark = (sqlite: Database.Database) => sqlite.prepare('SELECT checked_through_seq FROM run_reconcile').pluck().get() as number | undefined;
const head = (sqlite: Database.Database) => sqlite.prepare('SELECT max(seq) FROM audit_events').pluck().get() as number;
const finished = (id: string) => [start(id), { actor: 'user:op', action: 'run.decided', subject: `run:${id}`, payload: { decision: 'allow' } }] satisfies AuditEventInput[];

describe('the reconcile watermark (only the starts after it are read)', () => {
  it('moves to the head after reconciling, and stops just before a start that may still be running', () => {
    const { sqlite, log, at } = setup();
    log.append(start('crashed'));
    at(T0 + INTERRUPTED_AFTER_MS);
    const live = log.append(start('live'));
    log.appendMany(finished('done'));
    expect(reconcileInterruptedRuns(sqlite, log, new Date(T0 + INTERRUPTED_AFTER_MS + 1))).toBe(1);
    expect(mark(sqlite)).toBe(live.seq - 1);

    // Fifteen minutes later "live" never decided either: it is reconciled, and the mark passes it.
    const later = T0 + 2 * INTERRUPTED_AFTER_MS + 1;
    at(later);
    const before = head(sqlite);
    expect(reconcileInterruptedRuns(sqlite, log, new Date(later))).toBe(1);
    expect(interrupted(sqlite).map((e) => e.subject)).toEqual(['run:crashed', 'run:live']);
    expect(mark(sqlite)).toBe(before);
    expect(log.verify().ok).toBe(true);
  });

  it('finds a start after the mark even when its clock reads earlier than starts below it (a clock stepped back)', () => {
    const { sqlite, log, at } = setup();
    at(T0 + 2 * INTERRUPTED_AFTER_MS);
    for (let i = 0; i < WATERMARK_STEP; i++) log.appendMany(finished(`ok-${i}`));
    reconcileInterruptedRuns(sqlite, log, new Date(T0 + 3 * INTERRUPTED_AFTER_MS));
    expect(mark(sqlite)).toBe(head(sqlite));
    at(T0); // the clock stepped back by half an hour
    log.append(start('stepped-back'));
    expect(reconcileInterruptedRuns(sqlite, log, new Date(T0 + 3 * INTERRUPTED_AFTER_MS))).toBe(1);
    expect(interrupted(sqlite).map((e) => e.subject)).toEqual(['run:stepped-back']);
  });

  it('reads the starts after the mark through the action index, never the whole window', () => {
    const { sqlite } = setup();
    const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN SELECT s.seq FROM audit_events s WHERE s.action = 'run.started' AND s.seq > 5 AND s.time >= '2025'`).all() as { detail: string }[]).map((r) => r.detail);
    expect(plan.join('\n')).toMatch(/SEARCH s USING INDEX audit_events_action \(action=\? AND rowid>\?\)/);
  });

  it('an open with nothing to reconcile takes no write lock, even while another process holds one', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nc-reconcile-lock-'));
    dirs.push(dataDir);
    const a = openDatabase(dataDir);
    handles.push(a);
    const log = new AuditLog(a.sqlite, { serverKey: testEd25519Key(), now: () => new Date(T0) });
    for (let i = 0; i < 10; i++) log.appendMany(finished(`ok-${i}`));
    const other = new Database(join(dataDir, 'nightcore.db'));
    try {
      other.pragma('busy_timeout = 0');
      a.sqlite.pragma('busy_timeout = 0');
      other.exec('BEGIN IMMEDIATE'); // another process is writing
      expect(reconcileInterruptedRuns(a.sqlite, log, new Date(T0 + INTERRUPTED_AFTER_MS + 1))).toBe(0);
      expect(mark(a.sqlite)).toBeUndefined(); // 21 events past a mark of 0: not worth a write yet
      other.exec('ROLLBACK');

      // With a crashed start to decide, it does need the lock: it waits for it (here, with no wait, it is refused).
      log.append(start('crashed'));
      other.exec('BEGIN IMMEDIATE');
      expect(() => reconcileInterruptedRuns(a.sqlite, log, new Date(T0 + INTERRUPTED_AFTER_MS + 1))).toThrow(/locked|busy/i);
      other.exec('ROLLBACK');
      expect(reconcileInterruptedRuns(a.sqlite, log, new Date(T0 + INTERRUPTED_AFTER_MS + 1))).toBe(1);
    } finally {
      other.close();
    }
  });

  it('the mark is only a shortcut: without it an open looks over the whole window again; there is one row at most', () => {
    // Not evidence of anything: whoever can write the database can move it, as they can delete rows.
    const { sqlite, log } = setup();
    log.append(start('crashed'));
    sqlite.prepare('INSERT INTO run_reconcile (id, checked_through_seq) VALUES (1, ?)').run(head(sqlite));
    expect(reconcileInterruptedRuns(sqlite, log, new Date(T0 + INTERRUPTED_AFTER_MS + 1))).toBe(0);
    sqlite.prepare('DELETE FROM run_reconcile').run();
    expect(reconcileInterruptedRuns(sqlite, log, new Date(T0 + INTERRUPTED_AFTER_MS + 1))).toBe(1);
    expect(() => sqlite.prepare('INSERT INTO run_reconcile (id, checked_through_seq) VALUES (2, 0)').run()).toThrow(/CHECK constraint/);
  });
});

describe('openServices reconciles at start', () => {
  it('a run.started left by a crashed process is decided interrupted when the services open again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nc-reconcile-'));
    dirs.push(dataDir);
    const first = openServices({ dataDir, workerUrl: DEFAULT_WORKER_URL, now: () => new Date(T0) });
    first.audit.append(start('cut-off'));
    await first.close(); // the "crash": no run.decided was ever written
    const second = openServices({ dataDir, workerUrl: DEFAULT_WORKER_URL, now: () => new Date(T0 + INTERRUPTED_AFTER_MS + 1000) });
    try {
      expect(interrupted(second.handle.sqlite).map((e) => e.subject)).toEqual(['run:cut-off']);
      expect(second.audit.verify().ok).toBe(true);
    } finally {
      await second.close();
    }
  });
});
