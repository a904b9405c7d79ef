/**
 * The module upload endpoint's request handling, framework-free (plain Request → Response) so it
 * can be tested without Next.js: session and permission, the same-origin rule, a hard cap on the
 * body while it is read, multipart parsing, then importUpload. Every answer is JSON.
 */
import { can } from '../auth/rbac';
import type { SessionUser } from '../auth/session';
import { checkSameOrigin } from './same-origin';
import type { Services } from '../services/index';
import { actorForUser } from '../services/users';
import { importUpload, UPLOAD_LIMITS, type UploadCode, type UploadedFile } from '../services/upload';
import type { ModuleVersionRow } from '../services/module-registry';

/** Sent by the console's upload form. A cross-site page cannot add it without a CORS preflight, which we never grant. */
export const UPLOAD_HEADER = 'x-nightcore-upload';

const UPLOAD_CODES: ReadonlySet<string> = new Set<UploadCode>([
  'BAD_ARCHIVE', 'UNSAFE_PATH', 'TOO_MANY_ENTRIES', 'TOO_LARGE', 'NO_FILES', 'UNEXPECTED_FILE', 'DUPLICATE_FILE', 'MIXED_UPLOAD', 'BAD_FOLDER_NAME',
]);

export interface UploadedModule {
  readonly name: string;
  readonly version: string;
  readonly tenant: string;
  readonly source: string;
  readonly wasmSha256: string;
  readonly manifestSha256: string;
  readonly sizeBytes: number;
  readonly signerKeyids: readonly string[];
  readonly importedAt: string;
}

const fail = (status: number, code: string, message: string, issues: readonly string[] = []) =>
  Response.json({ ok: false, code, message, issues }, { status });

const toWire = (m: ModuleVersionRow): UploadedModule => ({
  name: m.name,
  version: m.version,
  tenant: m.tenant,
  source: m.source,
  wasmSha256: m.wasmSha256,
  manifestSha256: m.manifestSha256,
  sizeBytes: m.sizeBytes,
  signerKeyids: m.signerKeyids,
  importedAt: m.importedAt.toISOString(),
});

/** Reads at most `cap` bytes of the body; undefined when it is longer (we stop reading there). */
async function readCapped(request: Request, cap: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > cap) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** The same-origin rule of the tRPC endpoint, for a multipart POST (which that rule alone would refuse as non-JSON). */
function checkOrigin(request: Request): string | undefined {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'multipart/form-data') return 'an upload must be sent as multipart/form-data';
  if (request.headers.get(UPLOAD_HEADER) !== '1') return `missing ${UPLOAD_HEADER} header`;
  const headers = new Headers(request.headers);
  headers.set('content-type', 'application/json');
  const verdict = checkSameOrigin(new Request(request.url, { method: request.method, headers }));
  return verdict.ok ? undefined : verdict.reason;
}

export async function handleUploadRequest(request: Request, ctx: { user: SessionUser | null; services: () => Services }): Promise<Response> {
  if (request.method !== 'POST') return fail(405, 'METHOD_NOT_ALLOWED', 'use POST');
  const origin = checkOrigin(request);
  if (origin) return fail(403, 'CSRF_REJECTED', `forbidden: ${origin}`);
  if (!ctx.user) return fail(401, 'UNAUTHORIZED', 'sign in first');
  if (!can(ctx.user.role, 'modules.upload')) return fail(403, 'FORBIDDEN', `your role (${ctx.user.role}) may not upload modules (modules.upload)`);

  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > UPLOAD_LIMITS.requestBytes) return fail(413, 'TOO_LARGE', `the upload is larger than ${UPLOAD_LIMITS.requestBytes} bytes`);
  const body = await readCapped(request, UPLOAD_LIMITS.requestBytes);
  if (!body) return fail(413, 'TOO_LARGE', `the upload is larger than ${UPLOAD_LIMITS.requestBytes} bytes`);

  let form: FormData;
  try {
    form = await new Response(new Blob([body as Uint8Array<ArrayBuffer>]), { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
  } catch {
    return fail(400, 'BAD_UPLOAD', 'the request body is not valid multipart form data');
  }
  const files: UploadedFile[] = [];
  for (const value of form.getAll('files')) {
    if (typeof value === 'string') return fail(400, 'BAD_UPLOAD', 'the "files" field must hold files, not text');
    files.push({ name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  const folder = form.get('folder');
  const folderName = typeof folder === 'string' && folder.trim() !== '' ? folder.trim() : undefined;

  // A legacy folder's name and version are unsigned: vouching for them is a trust decision, taken
  // only by those who may manage trusted keys (admins).
  const allowLegacy = can(ctx.user.role, 'keys.manage');
  const imported = importUpload(ctx.services().modules, files, actorForUser(ctx.user.username), { folderName, allowLegacy });
  if (imported.ok) {
    // Inspected, instrumented and compiled on the preparation thread while the answer goes out;
    // a run that comes first waits for the same job instead of repeating it.
    void ctx.services().prepareImported(imported.value).catch(() => undefined);
    return Response.json({ ok: true, module: toWire(imported.value) }, { status: 200 });
  }
  if (imported.code === 'WRITE_FAILED') return fail(500, 'WRITE_FAILED', 'the server could not stage the upload; try again or ask an admin');
  if (imported.code === 'LEGACY_NOT_ALLOWED') return fail(403, 'FORBIDDEN', `${imported.message}; your role (${ctx.user.role}) may not vouch for it (keys.manage)`);
  const status = UPLOAD_CODES.has(imported.code) ? 400 : 422;
  return fail(status, imported.code, imported.message, imported.issues ?? []);
}
