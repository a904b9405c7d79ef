/**
 * The audit route handlers (app/api/audit/verify, app/api/audit/export) as plain Request →
 * Response functions, testable without Next.js. The shared route guard runs first (method,
 * same-origin, session, permission); refusals use the shared shape and status map (./route-guard).
 */
import type { Permission } from '../core/access/rbac';
import type { SessionUser } from '../auth/session';
import type { Services } from '../services/index';
import { exportChunks, parseExportQuery, recordExport, verifyShared, type VerifyLine } from '../services/audit-stream';
import { actorForUser } from '../services/users';
import { guardRoute, NO_STORE, routeError } from './route-guard';

export interface AuditHttpDeps {
  readonly user: () => Promise<SessionUser | null>;
  /** Called only after the caller is authorised. */
  readonly services: () => Pick<Services, 'audit'>;
  readonly now?: () => Date;
  /** progress line spacing for verify (tests use small values) */
  readonly progressEvery?: number;
}

/**
 * Who may verify: the roles that may export (approver, admin). Verification re-reads the whole log
 * and writes an 'audit.verified' event, so it is bulk reading with a side effect, not something
 * every viewer should be able to trigger at will. Concurrent requests join the pass already
 * running (verifyShared) instead of starting another or being turned away.
 */
export const VERIFY_PERMISSION: Permission = 'audit.export';

/** POST: streams NDJSON lines (start, progress..., result) and records 'audit.verified'. */
export async function handleAuditVerify(request: Request, deps: AuditHttpDeps): Promise<Response> {
  const user = await guardRoute(request, { method: 'POST', permission: VERIFY_PERMISSION, user: deps.user });
  if (user instanceof Response) return user;
  const audit = deps.services().audit;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const emit = (line: VerifyLine) => controller.enqueue(encoder.encode(JSON.stringify(line) + '\n'));
      try {
        await verifyShared(audit, actorForUser(user.username), emit, deps.progressEvery);
        controller.close();
      } catch (e) {
        controller.error(e);
      }
    },
  });
  return new Response(body, { status: 200, headers: { ...NO_STORE, 'content-type': 'application/x-ndjson; charset=utf-8' } });
}

/** GET ?format=jsonl|csv[&action=&actor=&subject=]: the export as a download, audited when it ends. */
export async function handleAuditExport(request: Request, deps: AuditHttpDeps): Promise<Response> {
  const user = await guardRoute(request, { method: 'GET', permission: 'audit.export', user: deps.user });
  if (user instanceof Response) return user;
  const parsed = parseExportQuery(new URL(request.url).searchParams);
  if (!parsed.ok) return routeError(parsed.code, parsed.message);
  const audit = deps.services().audit;
  const started = exportChunks(audit, parsed.value);
  if (!started.ok) return routeError(started.code, started.message);
  const { chunks, exported } = started.value;
  const { format, filter } = parsed.value;

  let recorded = false;
  const record = (complete: boolean) => {
    if (recorded) return;
    recorded = true;
    recordExport(audit, actorForUser(user.username), { format, to: 'download', events: exported(), complete, filter });
  };
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (!next.done) {
        controller.enqueue(encoder.encode(next.value));
        return;
      }
      record(true);
      controller.close();
    },
    cancel() {
      chunks.return();
      record(false); // a partial download is still evidence that left the system
    },
  });
  const stamp = (deps.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
  return new Response(body, {
    status: 200,
    headers: { ...NO_STORE, 'content-type': type, 'content-disposition': `attachment; filename="nightcore-audit-${stamp}.${format}"` },
  });
}
