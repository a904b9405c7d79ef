/**
 * The module upload endpoint's request handling, framework-free (plain Request → Response) so it
 * can be tested without Next.js: the shared route guard (method, same-origin for multipart,
 * session, modules.upload), a hard cap on the body while it is read, multipart parsing, then
 * importUpload. Every answer is JSON; refusals use the shared shape and status map (./route-guard).
 */
import type { SessionUser } from '../auth/session';
import { checkSameOrigin, type OriginVerdict } from './same-origin';
import { guardRoute, NO_STORE, routeError } from './route-guard';
import { can } from '../core/access/rbac';
import type { Services } from '../services/index';
import { actorForUser } from '../services/users';
import { importUpload, UPLOAD_LIMITS, type UploadedFile } from '../services/upload';
import type { ModuleVersionRow } from '../services/module-registry';
import { databaseBusyResponse, isDatabaseBusy } from './database-busy';

/** Sent by the console's upload form. A cross-site page cannot add it without a CORS preflight, which we never grant. */
export const UPLOAD_HEADER = 'x-nightcore-upload';

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
export async function readCapped(request: Request, cap: number): Promise<Uint8Array | undefined> {
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
export function checkUploadOrigin(request: Request): OriginVerdict {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'multipart/form-data') return { ok: false, reason: 'an upload must be sent as multipart/form-data' };
  if (request.headers.get(UPLOAD_HEADER) !== '1') return { ok: false, reason: `missing ${UPLOAD_HEADER} header` };
  const headers = new Headers(request.headers);
  headers.set('content-type', 'application/json');
  return checkSameOrigin(new Request(request.url, { method: request.method, headers }));
}

export interface UploadHttpDeps {
  readonly user: () => Promise<SessionUser | null>;
  /** Called only after the caller is authorised. */
  readonly services: () => Pick<Services, 'modules'> & Partial<Pick<Services, 'prepareImported'>>;
}

export async function handleUploadRequest(request: Request, deps: UploadHttpDeps): Promise<Response> {
  const user = await guardRoute(request, { method: 'POST', permission: 'modules.upload', user: deps.user, origin: checkUploadOrigin });
  if (user instanceof Response) return user;

  const tooLarge = () => routeError('TOO_LARGE', `the upload is larger than ${UPLOAD_LIMITS.requestBytes} bytes`);
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > UPLOAD_LIMITS.requestBytes) return tooLarge();
  const body = await readCapped(request, UPLOAD_LIMITS.requestBytes);
  if (!body) return tooLarge();

  let form: FormData;
  try {
    form = await new Response(new Blob([body as Uint8Array<ArrayBuffer>]), { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
  } catch {
    return routeError('BAD_REQUEST', 'the request body is not valid multipart form data');
  }
  const files: UploadedFile[] = [];
  for (const value of form.getAll('files')) {
    if (typeof value === 'string') return routeError('BAD_REQUEST', 'the "files" field must hold files, not text');
    files.push({ name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  const folder = form.get('folder');
  const folderName = typeof folder === 'string' && folder.trim() !== '' ? folder.trim() : undefined;

  // A legacy folder's name and version are unsigned: vouching for them is a trust decision, taken
  // only by those who may manage trusted keys (admins).
  const allowLegacy = can(user.role, 'keys.manage');
  let imported: ReturnType<typeof importUpload>;
  try {
    imported = importUpload(deps.services().modules, files, actorForUser(user.username), { folderName, allowLegacy });
  } catch (e) {
    if (isDatabaseBusy(e)) return databaseBusyResponse(); // the import rolled back: nothing half-written
    throw e;
  }
  if (imported.ok) {
    // Inspected, instrumented and compiled on the preparation thread while the answer goes out;
    // a run that comes first waits for the same job instead of repeating it.
    void deps.services().prepareImported?.(imported.value).catch(() => undefined);
    return Response.json({ ok: true, module: toWire(imported.value) }, { status: 200, headers: NO_STORE });
  }
  if (imported.code === 'LEGACY_NOT_ALLOWED') {
    return routeError('FORBIDDEN', `${imported.message}; your role (${user.role}) may not vouch for it (keys.manage)`);
  }
  return routeError(imported.code, imported.message, imported.issues ?? []);
}
