/**
 * The one guard and the one error shape of the HTTP route handlers that are not tRPC
 * (server/api/*-http.ts behind app/api/**\/route.ts). Checks run in one order for all of them:
 * method (405), same-origin (403 CSRF_REJECTED), session (401), permission (403 FORBIDDEN), so an
 * unauthorised caller learns nothing about what the endpoint expects.
 *
 * Every refusal is `{ ok: false, error: { code, message, issues } }`, and its HTTP status comes
 * from ROUTE_ERROR_STATUS: a closed map over a closed union of codes. A code added anywhere in the
 * union is a compile error here until someone decides its status; nothing falls back to 500.
 */
import { can, type Permission } from '../core/access/rbac';
import type { VerifyCode } from '../core/module/verify';
import type { SessionUser } from '../auth/session';
import type { FolderCode } from '../services/module-registry';
import type { UploadCode } from '../services/upload';
import { checkSameOrigin, type OriginVerdict } from './same-origin';

/** Refusals of the guard itself and of request reading, shared by every handler. */
export type GuardCode = 'METHOD_NOT_ALLOWED' | 'CSRF_REJECTED' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'PAYLOAD_TOO_LARGE' | 'BAD_REQUEST';
/** The audit endpoints: a bad export query, and a second verification while one runs. */
export type AuditRouteCode = 'INVALID_QUERY' | 'VERIFY_IN_PROGRESS';
/** The upload endpoint: what the upload checks, the folder reader and the verifier refuse. */
export type UploadRouteCode = UploadCode | FolderCode | VerifyCode;

/** The agent submission API (server/api/submissions-http.ts). */
export type SubmissionRouteCode = 'UNSUPPORTED_MEDIA_TYPE' | 'NOT_WASM' | 'SUBMISSION_INVALID' | 'RATE_LIMITED' | 'NOT_FOUND';

/** The compliance report download (server/api/reports-http.ts). */
export type ReportRouteCode = 'INVALID_PERIOD' | 'PDF_FAILED' | 'LICENSE_REQUIRED';

export type RouteErrorCode = GuardCode | AuditRouteCode | UploadRouteCode | SubmissionRouteCode | ReportRouteCode;

export const ROUTE_ERROR_STATUS = {
  METHOD_NOT_ALLOWED: 405,
  CSRF_REJECTED: 403,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  BAD_REQUEST: 400,
  INVALID_QUERY: 400,
  VERIFY_IN_PROGRESS: 409,
  // The upload is malformed: the client has to send something else.
  BAD_ARCHIVE: 400,
  UNSAFE_PATH: 400,
  TOO_MANY_ENTRIES: 400,
  TOO_LARGE: 413,
  NO_FILES: 400,
  UNEXPECTED_FILE: 400,
  DUPLICATE_FILE: 400,
  MIXED_UPLOAD: 400,
  BAD_FOLDER_NAME: 400,
  NOT_A_MODULE_FOLDER: 400,
  READ_FAILED: 400,
  // Well-formed, but the module does not pass verification.
  MANIFEST_INVALID: 422,
  ENVELOPE_INVALID: 422,
  DIGEST_MISMATCH: 422,
  SIGNATURE_INVALID: 422,
  UNTRUSTED_KEY: 422,
  KEY_REVOKED: 422,
  WASM_INVALID: 422,
  ROLLBACK: 422,
  VERSION_REUSED: 422,
  NOT_APPROVED: 422,
  CODE_REUSED: 422,
  // Agent submissions: wrong media type or bytes that are not wasm; a module or manifest with bad fields; over the agent's rate.
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_WASM: 415,
  SUBMISSION_INVALID: 422,
  RATE_LIMITED: 429,
  NOT_FOUND: 404,
  // Reports: a bad period; the PDF renderer the request depends on (Chromium) failed: 424, the HTML
  // report still works (a refusal on purpose, never a 500); the PRO feature is not licensed (as tRPC's FORBIDDEN).
  INVALID_PERIOD: 400,
  PDF_FAILED: 424,
  LICENSE_REQUIRED: 403,
} as const satisfies Record<RouteErrorCode, number>;

/** Responses of these handlers are never cached and never sniffed into another type. */
export const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export interface RouteError {
  readonly code: RouteErrorCode;
  readonly message: string;
  readonly issues: readonly string[];
}

/** The one error shape. */
export function routeError(code: RouteErrorCode, message: string, issues: readonly string[] = []): Response {
  const error: RouteError = { code, message, issues };
  return Response.json({ ok: false, error }, { status: ROUTE_ERROR_STATUS[code], headers: NO_STORE });
}

export interface RouteGuard {
  readonly method: 'GET' | 'POST';
  readonly permission: Permission;
  /** The session user, read only after the origin check passed. */
  readonly user: () => Promise<SessionUser | null>;
  /** The same-origin rule for this endpoint (default: the tRPC endpoint's, for JSON and GET). */
  readonly origin?: (request: Request) => OriginVerdict;
}

/** The signed-in user allowed to call this endpoint, or the refusal to send back. */
export async function guardRoute(request: Request, guard: RouteGuard): Promise<SessionUser | Response> {
  if (request.method !== guard.method) return routeError('METHOD_NOT_ALLOWED', `use ${guard.method}`);
  const origin = (guard.origin ?? checkSameOrigin)(request);
  if (!origin.ok) return routeError('CSRF_REJECTED', `forbidden: ${origin.reason}`);
  const user = await guard.user();
  if (!user) return routeError('UNAUTHORIZED', 'sign in first');
  if (!can(user.role, guard.permission)) return routeError('FORBIDDEN', `your role (${user.role}) may not do this (${guard.permission})`);
  return user;
}
