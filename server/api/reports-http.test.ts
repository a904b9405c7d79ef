/** The report download as plain Requests: who may, a bad period, a zip holding the report and a signature that verifies. */
import { describe, it, expect, afterEach } from 'vitest';
import { unzipSync } from 'fflate';
import type { Role } from '../core/access/rbac';
import type { DbHandle } from '../../db/client';
import { handleReportDownload, type ReportHttpDeps } from './reports-http';
import { memoryServices, sessionFor, HANDLER_REACHED } from './test-support';
import { verifyReport } from '../core/report/signature';
import { verifyEd25519 } from '../core/crypto/ed25519';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function setup(role: Role | null, licensed = true) {
  const { services, handle } = memoryServices();
  handles.push(handle);
  services.audit.append({ actor: 'user:alice', action: 'module.quarantined', subject: 'module:<b>evil</b>', payload: { reason: 'x' } });
  const license = {
    require: () => (licensed ? { ok: true, value: undefined } : { ok: false, code: 'LICENSE_REQUIRED', message: 'compliance reports (feature compliance_reports) need a PRO license' }),
  };
  const reportServices = { handle, audit: services.audit, serverKey: services.serverKey, witnesses: { cosignaturesOf: () => [] }, license };
  const deps: ReportHttpDeps = {
    user: async () => (role ? sessionFor(role, `who-${role}`) : null),
    services: () => reportServices as never,
    chromium: () => '/nonexistent/chromium',
  };
  return { services, deps };
}

const refusing = (role: Role | null): ReportHttpDeps => ({
  user: async () => (role ? sessionFor(role) : null),
  services: () => {
    throw new Error(HANDLER_REACHED);
  },
  chromium: () => {
    throw new Error(HANDLER_REACHED);
  },
});

const get = (query: string, headers: Record<string, string> = { host: 'localhost:3000' }) => new Request(`http://localhost:3000/api/reports?${query}`, { headers });
const today = new Date();
const range = `from=${new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10)}&to=${new Date(today.getTime() + 2 * 86_400_000).toISOString().slice(0, 10)}`;

describe('GET /api/reports', () => {
  it('refuses without a session (401) and for viewers and operators (403), before touching any data', async () => {
    expect((await handleReportDownload(get(range), refusing(null))).status).toBe(401);
    for (const role of ['viewer', 'operator'] as const) {
      const res = await handleReportDownload(get(range), refusing(role));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect((await handleReportDownload(new Request(`http://localhost:3000/api/reports?${range}`, { method: 'POST', headers: { host: 'localhost:3000', origin: 'http://localhost:3000' } }), refusing('admin'))).status).toBe(405);
  });

  it('refuses without a PRO license (403 LICENSE_REQUIRED) before any work', async () => {
    const { services, deps } = setup('admin', false);
    const head = services.audit.head().seq;
    const res = await handleReportDownload(get(range), deps);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'LICENSE_REQUIRED', message: expect.stringContaining('compliance_reports') } });
    expect(services.audit.head().seq).toBe(head);
  });

  it('names a bad period or format (400)', async () => {
    const { deps } = setup('admin');
    const bad = await handleReportDownload(get('from=2026-12-01&to=2026-11-01'), deps);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_PERIOD', message: 'from (2026-12-01T00:00:00.000Z) must be before to (2026-11-01T00:00:00.000Z)' } });
    expect((await handleReportDownload(get('to=2026-11-01'), deps)).status).toBe(400);
    const format = await handleReportDownload(get(`${range}&format=exe`), deps);
    expect(await format.json()).toMatchObject({ error: { code: 'INVALID_QUERY' } });
  });

  it('an approver downloads a zip: the report (escaped) and its .sig, which verifies; the download is audited', async () => {
    const { services, deps } = setup('approver');
    const res = await handleReportDownload(get(range), deps);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const names = Object.keys(files).sort();
    expect(names).toHaveLength(2);
    const [report, sig] = [files[names[0]!]!, files[names[1]!]!];
    expect(names[1]).toBe(`${names[0]}.sig`);
    const html = new TextDecoder().decode(report);
    expect(html).toContain('module:&lt;b&gt;evil&lt;/b&gt;');
    expect(html).not.toContain('<b>evil');
    const verified = verifyReport(report, new TextDecoder().decode(sig), services.serverKey.publicKey, verifyEd25519);
    expect(verified.ok).toBe(true);
    expect(res.headers.get('x-nightcore-report-sha256')).toBe(verified.ok ? verified.value.sha256 : '');
    const last = services.audit.event(services.audit.head().seq)!;
    expect(last).toMatchObject({ action: 'report.generated', actor: 'user:who-approver' });
  });

  it('a PDF without Chromium is a 424 naming the setting, not a crash', async () => {
    const { deps } = setup('admin');
    const res = await handleReportDownload(get(`${range}&format=pdf`), deps);
    expect(res.status).toBe(424);
    expect((await res.clone().json()).error.message).toContain('NIGHTCORE_CHROMIUM');
    expect(await res.json()).toMatchObject({ error: { code: 'PDF_FAILED' } });
  });
});
