/** The audit route handlers as plain Requests: CSRF, 401/403 JSON, streamed verify lines, export download. */
import { describe, it, expect, afterEach } from 'vitest';
import type { Role } from '../core/access/rbac';
import type { DbHandle } from '../../db/client';
import { handleAuditExport, handleAuditVerify, type AuditHttpDeps } from './audit-http';
import { memoryServices, sessionFor, HANDLER_REACHED } from './test-support';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function setup(role: Role | null, events = 5) {
  const { services, handle } = memoryServices();
  handles.push(handle);
  for (let i = 1; i <= events; i++) services.audit.append({ actor: 'user:alice', action: 'key.added', subject: `key:${i}`, payload: { i } });
  const deps: AuditHttpDeps = {
    user: async () => (role ? sessionFor(role, `who-${role}`) : null),
    services: () => services,
    now: () => new Date('2025-01-02T03:04:05.678Z'),
    progressEvery: 2,
  };
  return { audit: services.audit, sqlite: handle.sqlite, deps };
}

/** Deps whose services must never be reached: refusals happen before any data is touched. */
const refusingDeps = (role: Role | null): AuditHttpDeps => ({
  user: async () => (role ? sessionFor(role) : null),
  services: () => {
    throw new Error(HANDLER_REACHED);
  },
});

const sameOrigin = { host: 'localhost:3000', origin: 'http://localhost:3000', 'content-type': 'application/json' };
const verifyRequest = (headers: Record<string, string> = sameOrigin) =>
  new Request('http://localhost:3000/api/audit/verify', { method: 'POST', headers, body: '{}' });
const exportRequest = (query: string, headers: Record<string, string> = { host: 'localhost:3000' }) =>
  new Request(`http://localhost:3000/api/audit/export?${query}`, { headers });

const lines = async (res: Response) => (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('POST /api/audit/verify', () => {
  it('streams start, progress and the result as NDJSON, and records audit.verified with the user as actor', async () => {
    const { audit, deps } = setup('approver', 5);
    const res = await handleAuditVerify(verifyRequest(), deps);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    // onProgress fires every 10,000 events and at the end; 5 events → only the end call counts.
    expect(await lines(res)).toEqual([
      { type: 'start', total: 5 },
      { type: 'progress', events: 5, total: 5 },
      // every key.added is security-relevant, so each was sealed by its own checkpoint
      { type: 'result', ok: true, events: 5, checkpoints: 5, headSeq: 5, uncheckpointed: 0, recorded: true },
    ]);
    const page = audit.page({ action: 'audit.verified' });
    expect(page.ok && page.value.events[0]).toMatchObject({ actor: 'user:who-approver', subject: 'audit' });
  });

  it('a tampered log ends with a failure line naming the seq and code', async () => {
    const { sqlite, deps } = setup('admin', 6);
    const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
    for (const t of triggers) sqlite.exec(`DROP TRIGGER ${t.name}`);
    sqlite.prepare("UPDATE audit_events SET actor = 'user:mallory' WHERE seq = 3").run();
    for (const t of triggers) sqlite.exec(t.sql);
    const out = await lines(await handleAuditVerify(verifyRequest(), deps));
    expect(out.at(-1)).toMatchObject({ type: 'result', ok: false, code: 'HASH_MISMATCH', seq: 3, events: 2 });
    expect(String(out.at(-1)!.message)).toContain('seq 3');
  });

  it('403 for roles without audit.export (viewer, operator): verifying reads the whole log and writes an event', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const res = await handleAuditVerify(verifyRequest(), refusingDeps(role));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
  });

  it('a second request while one runs joins it (200, same result) instead of a global 409', async () => {
    const { audit, deps } = setup('admin', 0);
    audit.appendMany(Array.from({ length: 30_000 }, (_, i) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:${i}`, payload: {} })));
    const [a, b] = await Promise.all([handleAuditVerify(verifyRequest(), deps), handleAuditVerify(verifyRequest(), deps)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [la, lb] = await Promise.all([lines(a), lines(b)]);
    expect(la.at(-1)).toMatchObject({ type: 'result', ok: true, events: 30_000 });
    expect(lb.at(-1)).toEqual(la.at(-1));
    const page = audit.page({ action: 'audit.verified' });
    expect(page.ok && page.value.events).toHaveLength(1);
  });

  it('401 as JSON without a session; 403 for a cross-site request; 405 for GET', async () => {
    const unauth = await handleAuditVerify(verifyRequest(), refusingDeps(null));
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const cross = await handleAuditVerify(verifyRequest({ ...sameOrigin, origin: 'https://evil.example' }), refusingDeps('admin'));
    expect(cross.status).toBe(403);
    expect(await cross.json()).toMatchObject({ error: { code: 'CSRF_REJECTED' } });
    const form = await handleAuditVerify(verifyRequest({ ...sameOrigin, 'content-type': 'text/plain' }), refusingDeps('admin'));
    expect(form.status).toBe(403);
    const get = await handleAuditVerify(new Request('http://localhost:3000/api/audit/verify', { headers: { host: 'localhost:3000' } }), refusingDeps('admin'));
    expect(get.status).toBe(405);
  });
});

describe('GET /api/audit/export', () => {
  it('an approver downloads JSON Lines as an attachment; the export is audited after it completes', async () => {
    const { audit, deps } = setup('approver', 4);
    const res = await handleAuditExport(exportRequest('format=jsonl'), deps);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="nightcore-audit-2025-01-02T03-04-05-678Z.jsonl"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await lines(res);
    expect(body.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(body[0]).toMatchObject({ actor: 'user:alice', payload: { i: 1 } });
    const page = audit.page({ action: 'audit.exported' });
    const event = page.ok ? page.value.events[0]! : undefined;
    expect(event).toMatchObject({ actor: 'user:who-approver', subject: 'audit' });
    expect(JSON.parse(event!.payload)).toEqual({ format: 'jsonl', to: 'download', events: 4, complete: true, filter: {} });
  });

  it('CSV with a filter', async () => {
    const { audit, deps } = setup('admin', 3);
    audit.append({ actor: 'user:bob', action: 'key.revoked', subject: 'key:1', payload: { why: '=cmd' } });
    const res = await handleAuditExport(exportRequest('format=csv&action=key.revoked'), deps);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = (await res.text()).trim().split('\r\n');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toBe('seq,time,actor,action,subject,payload,prev_hash,hash');
    expect(rows[1]).toContain('user:bob,key.revoked,key:1');
  });

  it('a cancelled download is still audited, as incomplete', async () => {
    const { audit, deps } = setup('admin', 3);
    const res = await handleAuditExport(exportRequest('format=jsonl'), deps);
    await res.body!.cancel();
    const page = audit.page({ action: 'audit.exported' });
    expect(page.ok && JSON.parse(page.value.events[0]!.payload)).toMatchObject({ complete: false });
  });

  it('403 for roles without audit.export (viewer, operator), 401 without a session, 400 for a bad format or action', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const res = await handleAuditExport(exportRequest('format=jsonl'), refusingDeps(role));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect((await handleAuditExport(exportRequest('format=jsonl'), refusingDeps(null))).status).toBe(401);
    const cross = await handleAuditExport(exportRequest('format=jsonl', { host: 'localhost:3000', 'sec-fetch-site': 'cross-site' }), refusingDeps('admin'));
    expect(cross.status).toBe(403);
    const { deps } = setup('admin', 1);
    const badFormat = await handleAuditExport(exportRequest('format=xml'), deps);
    expect(badFormat.status).toBe(400);
    expect(await badFormat.json()).toMatchObject({ error: { code: 'INVALID_QUERY' } });
    expect((await handleAuditExport(exportRequest('action=key.stolen'), deps)).status).toBe(400);
  });
});
