/**
 * The audit route handlers (app/api/audit/verify, app/api/audit/export) as plain Request →
 * Response functions, testable without Next.js. Order of checks: same-origin (CSRF), then a
 * session (401), then the permission (403); refusals are JSON and say what was wrong.
 */
import { can, type Permission } from '../core/access/rbac';
import type { SessionUser } from '../auth/session';
import type { Services } from '../services/index';
import { exportChunks, parseExportQuery, verifyWithProgress, type VerifyLine } from '../services/audit-stream';
import { actorForUser } from '../services/users';
import { checkSameOrigin } from './same-origin';

export interface AuditHttpDeps {
  readonly user: () => Promise<SessionUser | null>;
  /** Called only after the caller is authorised. */
  readonly services: () => Pick<Services, 'audit'>;
  readonly now?: () => Date;
  /** progress line spacing for verify (tests use small values) */
  readonly progressEvery?: number;
}

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function refuse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status, headers: NO_STORE });
}

async function authorize(request: Request, deps: AuditHttpDeps, permission: Permission): Promise<SessionUser | Response> {
  const origin = checkSameOrigin(request);
  if (!origin.ok) return refuse(403, 'CSRF_REJECTED', `forbidden: ${origin.reason}`);
  const user = await deps.user();
  if (!user) return refuse(401, 'UNAUTHORIZED', 'sign in first');
  if (!can(user.role, permission)) return refuse(403, 'FORBIDDEN', `your role (${user.role}) may not do this (${permission})`);
  return user;
}

/**
 * Verification is synchronous and takes seconds on a long log; one at a time per process, so a
 * burst of clicks cannot queue up minutes of blocked server.
 */
let verifying = false;

/** POST: streams NDJSON lines (start, progress..., result) and records 'audit.verified'. */
export async function handleAuditVerify(request: Request, deps: AuditHttpDeps): Promise<Response> {
  if (request.method !== 'POST') return refuse(405, 'METHOD_NOT_ALLOWED', 'use POST');
  const user = await authorize(request, deps, 'audit.read');
  if (user instanceof Response) return user;
  if (verifying) return refuse(409, 'VERIFY_IN_PROGRESS', 'a verification is already running; try again when it finishes');
  const audit = deps.services().audit;
  verifying = true;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const emit = (line: VerifyLine) => controller.enqueue(encoder.encode(JSON.stringify(line) + '\n'));
      try {
        emit({ type: 'start', total: audit.head().seq });
        await verifyWithProgress(audit, actorForUser(user.username), emit, deps.progressEvery);
        controller.close();
      } catch (e) {
        controller.error(e);
      } finally {
        verifying = false;
      }
    },
  });
  return new Response(body, { status: 200, headers: { ...NO_STORE, 'content-type': 'application/x-ndjson; charset=utf-8' } });
}

/** GET ?format=jsonl|csv[&action=&actor=&subject=]: the export as a download, audited when it ends. */
export async function handleAuditExport(request: Request, deps: AuditHttpDeps): Promise<Response> {
  if (request.method !== 'GET') return refuse(405, 'METHOD_NOT_ALLOWED', 'use GET');
  const user = await authorize(request, deps, 'audit.export');
  if (user instanceof Response) return user;
  const parsed = parseExportQuery(new URL(request.url).searchParams);
  if (!parsed.ok) return refuse(400, parsed.code, parsed.message);
  const audit = deps.services().audit;
  const started = exportChunks(audit, parsed.value);
  if (!started.ok) return refuse(400, started.code, started.message);
  const { chunks, exported } = started.value;
  const { format, filter } = parsed.value;

  let recorded = false;
  const record = (complete: boolean) => {
    if (recorded) return;
    recorded = true;
    audit.append({
      actor: actorForUser(user.username),
      action: 'audit.exported',
      subject: 'audit',
      payload: { format, to: 'download', events: exported(), complete, filter: { ...filter } },
    });
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
