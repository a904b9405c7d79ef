/** Verification with progress lines and paged export, over a real in-memory audit log. */
import { describe, it, expect, afterEach } from 'vitest';
import type Database from 'better-sqlite3';
import type { AuditEventInput } from '../core/audit/event';
import { eventToCsvRow, eventToJsonLine, CSV_COLUMNS } from '../core/audit/export';
import { memoryServices } from '../api/test-support';
import type { DbHandle } from '../../db/client';
import { exportChunks, parseExportQuery, verifyWithProgress, type VerifyLine } from './audit-stream';

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
    expect(result).toMatchObject({ type: 'result', ok: true, events: 25_000, checkpoints: 25, headSeq: 25_000, uncheckpointed: 0, recorded: true });
    const event = latest(audit, 'audit.verified')!;
    expect(event).toMatchObject({ seq: 25_001, actor: 'user:ann', subject: 'audit' });
    expect(JSON.parse(event.payload)).toEqual({ ok: true, events: 25_000, checkpoints: 25 });
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
