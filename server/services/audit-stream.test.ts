/** Verification with progress lines and paged export, over a real in-memory audit log. */
import { describe, it, expect, afterEach } from 'vitest';
import type Database from 'better-sqlite3';
import type { AuditEventInput } from '../core/audit/event';
import { eventToCsvRow, eventToJsonLine, CSV_COLUMNS } from '../core/audit/export';
import { memoryServices } from '../api/test-support';
import type { DbHandle } from '../../db/client';
import { exportChunks, exportToSink, parseExportQuery, verifyShared, verifyWithProgress, type VerifyLine } from './audit-stream';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function logWith(n: number) {
  const { services, handle } = memoryServices();
  handles.push(handle);
  const inputs: AuditEventInput[] = Array.from({ length: n }, (_, i) => ({
    actor: i % 2 ? 'user:bob' : 'user:alice',
    action: i % 4 === 0 ? 'key.revoked' : 'key.added',
    subject: `key:${i + 1}`,
    payload: { i: i + 1 },
  }));
  services.audit.appendMany(inputs);
  return { audit: services.audit, sqlite: handle.sqlite };
}

/** As an attacker with file access would: with the append-only triggers out of the way. */
function tamper(sqlite: Database.Database, sql: string) {
  const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
  for (const t of triggers) sqlite.exec(`DROP TRIGGER ${t.name}`);
  sqlite.prepare(sql).run();
  for (const t of triggers) sqlite.exec(t.sql);
}

const latest = (audit: ReturnType<typeof logWith>['audit'], action: 'audit.verified' | 'audit.exported') => {
  const page = audit.page({ action, limit: 1 });
  if (!page.ok) throw new Error(page.message);
  return page.value.events[0];
};

describe('verifyWithProgress', () => {
  it('emits progress lines about every N events, then the result, and records audit.verified', async () => {
    const { audit } = logWith(25_000);
    const lines: VerifyLine[] = [];
    const result = await verifyWithProgress(audit, 'user:ann', (l) => lines.push(l), 10_000);
    expect(lines).toEqual([
      { type: 'progress', events: 10_000, total: 25_000 },
      { type: 'progress', events: 20_000, total: 25_000 },
      result,
    ]);
    // 25 by count, plus the fresh log's first one (memoryServices appends nothing before)
    expect(result).toMatchObject({ type: 'result', ok: true, events: 25_000, headSeq: 25_000, uncheckpointed: 0, recorded: true });
    const event = latest(audit, 'audit.verified')!;
    expect(event).toMatchObject({ seq: 25_001, actor: 'user:ann', subject: 'audit' });
    expect(JSON.parse(event.payload)).toEqual({ ok: true, events: 25_000, checkpoints: result.ok ? result.checkpoints : -1, uncheckpointed: 0 });
  });

  it('names the first tampered seq and its code, and records the failure', async () => {
    const { audit, sqlite } = logWith(30);
    tamper(sqlite, `UPDATE audit_events SET payload = '{"i":999}' WHERE seq = 17`);
    const lines: VerifyLine[] = [];
    const result = await verifyWithProgress(audit, 'user:ann', (l) => lines.push(l));
    expect(result).toMatchObject({ type: 'result', ok: false, code: 'HASH_MISMATCH', seq: 17, events: 16, recorded: true });
    expect(lines).toEqual([result]);
    expect(JSON.parse(latest(audit, 'audit.verified')!.payload)).toEqual({ ok: false, events: 16, code: 'HASH_MISMATCH', seq: 17 });
  });

  it('reports a deleted event as a sequence gap', async () => {
    const { audit, sqlite } = logWith(10);
    tamper(sqlite, 'DELETE FROM audit_events WHERE seq = 4');
    expect(await verifyWithProgress(audit, 'user:ann', () => {})).toMatchObject({ ok: false, code: 'SEQUENCE_GAP', seq: 4 });
  });
});

describe('parseExportQuery', () => {
  it('reads the format and non-empty filters; jsonl by default', () => {
    expect(parseExportQuery(new URLSearchParams('format=csv&actor=user:bob&subject='))).toEqual({ ok: true, value: { format: 'csv', filter: { actor: 'user:bob' } } });
    expect(parseExportQuery(new URLSearchParams(''))).toMatchObject({ ok: true, value: { format: 'jsonl', filter: {} } });
  });
  it('refuses an unknown format', () => {
    expect(parseExportQuery(new URLSearchParams('format=xlsx'))).toMatchObject({ ok: false, code: 'INVALID_QUERY' });
  });
});

describe('exportChunks', () => {
  const all = (audit: ReturnType<typeof logWith>['audit']) => {
    const page = audit.page({ afterSeq: 0, limit: 500 });
    if (!page.ok) throw new Error(page.message);
    return page.value.events;
  };

  it('pages the whole log oldest first as JSON Lines, identical to the per-event format', () => {
    const { audit } = logWith(10);
    const started = exportChunks(audit, { format: 'jsonl', filter: {} }, 3);
    if (!started.ok) throw new Error(started.message);
    const chunks = [...started.value.chunks];
    expect(chunks).toHaveLength(4); // 3 + 3 + 3 + 1
    expect(chunks.join('')).toBe(all(audit).map(eventToJsonLine).join(''));
    expect(started.value.exported()).toBe(10);
  });

  it('writes CSV with a header and applies filters', () => {
    const { audit } = logWith(12);
    const started = exportChunks(audit, { format: 'csv', filter: { action: 'key.revoked' } }, 2);
    if (!started.ok) throw new Error(started.message);
    const text = [...started.value.chunks].join('');
    const revoked = all(audit).filter((e) => e.action === 'key.revoked');
    expect(text).toBe(CSV_COLUMNS.join(',') + '\r\n' + revoked.map(eventToCsvRow).join(''));
    expect(started.value.exported()).toBe(3);
  });

  it('stops at the head seen when it started (a consistent prefix)', () => {
    const { audit } = logWith(5);
    const started = exportChunks(audit, { format: 'jsonl', filter: {} }, 2);
    if (!started.ok) throw new Error(started.message);
    const first = started.value.chunks.next();
    audit.append({ actor: 'user:late', action: 'key.added', subject: 'key:late', payload: {} });
    const rest = [...started.value.chunks];
    const text = [first.value, ...rest].join('');
    expect(text).not.toContain('user:late');
    expect(started.value.exported()).toBe(5);
  });

  it('refuses a bad filter before producing anything', () => {
    const { audit } = logWith(3);
    expect(exportChunks(audit, { format: 'jsonl', filter: { action: 'nope' } })).toMatchObject({ ok: false, code: 'INVALID_QUERY' });
  });
});

describe('verifyShared (the console: concurrent requests join one pass)', () => {
  it('a second caller joins the running pass: one pass, one audit.verified, the same result for both', async () => {
    const { audit } = logWith(25_000);
    const first: VerifyLine[] = [];
    const second: VerifyLine[] = [];
    const a = verifyShared(audit, 'user:ann', (l) => first.push(l), 10_000);
    const b = verifyShared(audit, 'user:bob', (l) => second.push(l), 10_000);
    const [ra, rb] = await Promise.all([a, b]);
    expect(rb).toBe(ra);
    expect(first[0]).toEqual({ type: 'start', total: 25_000 });
    expect(second[0]).toEqual({ type: 'start', total: 25_000 });
    expect(second.at(-1)).toEqual(ra);
    const verified = audit.page({ action: 'audit.verified', limit: 10 });
    expect(verified.ok && verified.value.events.map((e) => e.actor)).toEqual(['user:ann']);
    // once finished, the next request starts a new pass
    await verifyShared(audit, 'user:bob', () => {});
    const again = audit.page({ action: 'audit.verified', limit: 10 });
    expect(again.ok && again.value.events.map((e) => e.actor)).toEqual(['user:bob', 'user:ann']);
  });

  it('a caller whose stream fails (went away) does not stop the pass for the others', async () => {
    const { audit } = logWith(25_000);
    const kept: VerifyLine[] = [];
    const broken = verifyShared(audit, 'user:ann', () => {
      throw new Error('stream closed');
    }, 10_000);
    const joined = verifyShared(audit, 'user:bob', (l) => kept.push(l), 10_000);
    const result = await joined;
    expect(await broken).toBe(result);
    expect(result).toMatchObject({ ok: true, events: 25_000 });
    expect(kept.at(-1)).toEqual(result);
  });
});

describe('exportToSink (the CLI: one export path with the console)', () => {
  it('writes every chunk, awaiting the sink, and records a complete export', async () => {
    const { audit } = logWith(1200);
    const chunks: string[] = [];
    const done = await exportToSink(audit, { format: 'jsonl', filter: {} }, 'cli:tester', 'stdout', async (c) => {
      await new Promise((r) => setImmediate(r));
      chunks.push(c);
    });
    expect(done).toEqual({ ok: true, value: { events: 1200 } });
    expect(chunks.join('').trimEnd().split('\n')).toHaveLength(1200);
    const event = latest(audit, 'audit.exported')!;
    expect(event.actor).toBe('cli:tester');
    expect(JSON.parse(event.payload)).toEqual({ format: 'jsonl', to: 'stdout', events: 1200, complete: true, filter: {} });
  });

  it('a sink that fails part-way is recorded as an incomplete export, the error surfaces, and the log stays usable', async () => {
    const { audit } = logWith(1200);
    let calls = 0;
    await expect(
      exportToSink(audit, { format: 'csv', filter: {} }, 'cli:tester', '/tmp/x.csv', () => {
        if (++calls === 2) throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(JSON.parse(latest(audit, 'audit.exported')!.payload)).toMatchObject({ complete: false, to: '/tmp/x.csv' });
    expect(audit.append({ actor: 'system', action: 'auth.login', subject: 'x', payload: {} }).seq).toBe(1202);
    expect(audit.verify().ok).toBe(true);
  });

  it('a bad filter is refused before anything is written or recorded', async () => {
    const { audit } = logWith(3);
    const written: string[] = [];
    expect(await exportToSink(audit, { format: 'jsonl', filter: { action: 'key.stolen' } }, 'cli:t', 'stdout', (c) => void written.push(c))).toMatchObject({ ok: false, code: 'INVALID_QUERY' });
    expect(written).toEqual([]);
    expect(latest(audit, 'audit.exported')).toBeUndefined();
  });
});
