/** Crash recovery for runs (issue 8): a start without a decision gets a run.interrupted decision at the next open. */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { AuditLog } from './audit-log';
import { openServices } from './index';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import { INTERRUPTED_AFTER_MS, RECONCILE_LOOKBACK_MS, reconcileInterruptedRuns } from './run-reconcile';
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
