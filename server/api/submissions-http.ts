/**
 * The agent submission API, framework-free (Request → Response), behind app/api/v1/submissions.
 * Agents are not console users: they authenticate with a Bearer token (no cookies, so no CSRF),
 * and every check runs before the body is read: token (401), scope (403), rate (429), media type
 * (415), declared size (413). The body is then read with a hard cap and refused the moment it
 * passes it (413), so an oversized upload is never buffered. Refusals use the shared error shape.
 */
import { NO_STORE, routeError } from './route-guard';
import { readCapped } from './upload-http';
import type { Services } from '../services/index';
import type { AgentScope, PublicAgent } from '../services/agents';
import type { SubmissionView } from '../services/inbox';

export const SUBMISSION_LIMITS = {
  /** The largest module accepted (the default policy's max_module_size). */
  wasmBytes: 16 * 1024 * 1024,
  /** The whole multipart body: the module plus room for the manifest, the purpose and the framing. */
  requestBytes: 16 * 1024 * 1024 + 256 * 1024,
} as const;

export interface SubmissionHttpDeps {
  readonly services: () => Pick<Services, 'agents' | 'inbox'>;
  readonly limits?: { readonly wasmBytes: number; readonly requestBytes: number };
}

/** What an agent sees of its submission: never the bytes, never who decided by key. */
export interface SubmissionWire {
  readonly id: string;
  readonly state: string;
  readonly name: string;
  readonly version: string;
  readonly wasmSha256: string;
  readonly manifestSha256: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly decidedAt: string | null;
  readonly detail: string | null;
}

const toWire = (s: SubmissionView): SubmissionWire => ({
  id: s.id,
  state: s.state,
  name: s.name,
  version: s.version,
  wasmSha256: s.wasmSha256,
  manifestSha256: s.manifestSha256,
  createdAt: s.createdAt.toISOString(),
  expiresAt: s.expiresAt.toISOString(),
  decidedAt: s.decidedAt?.toISOString() ?? null,
  detail: s.detail,
});

function withHeader(res: Response, name: string, value: string): Response {
  res.headers.set(name, value);
  return res;
}

function authenticate(request: Request, deps: SubmissionHttpDeps, scope: AgentScope): PublicAgent | Response {
  const header = request.headers.get('authorization') ?? '';
  const token = /^Bearer ([^\s]+)$/.exec(header)?.[1];
  const agent = deps.services().agents.authenticate(token, scope);
  if (agent.ok) return agent.value;
  if (agent.code === 'SCOPE_MISSING') return routeError('FORBIDDEN', agent.message);
  return withHeader(routeError('UNAUTHORIZED', 'a valid agent token is required (Authorization: Bearer nca_...)'), 'www-authenticate', 'Bearer');
}

const mediaType = (request: Request) => request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();

/** POST /api/v1/submissions: multipart with `module` (file), optional `manifest` (JSON text) and `purpose`. */
export async function handleSubmit(request: Request, deps: SubmissionHttpDeps): Promise<Response> {
  if (request.method !== 'POST') return routeError('METHOD_NOT_ALLOWED', 'use POST');
  const agent = authenticate(request, deps, 'submissions:write');
  if (agent instanceof Response) return agent;
  const { agents, inbox } = deps.services();
  const rateLimited = () =>
    withHeader(routeError('RATE_LIMITED', `agent ${agent.name} may submit ${agent.ratePerHour} modules per hour`), 'retry-after', '3600');
  if (agents.recentSubmissions(agent.id) >= agent.ratePerHour) return rateLimited();
  if (mediaType(request) !== 'multipart/form-data') {
    return routeError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with a "module" file, an optional "manifest" and a "purpose"');
  }
  const limits = deps.limits ?? SUBMISSION_LIMITS;
  const tooLarge = () => routeError('PAYLOAD_TOO_LARGE', `the request is larger than ${limits.requestBytes} bytes`);
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (!(declared <= limits.requestBytes)) return tooLarge(); // NaN from a lying header is refused too
  const body = await readCapped(request, limits.requestBytes);
  if (!body) return tooLarge();

  let form: FormData;
  try {
    form = await new Response(new Blob([body as Uint8Array<ArrayBuffer>]), { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
  } catch {
    return routeError('BAD_REQUEST', 'the request body is not valid multipart form data');
  }
  const part = form.get('module');
  if (part === null || typeof part === 'string') return routeError('SUBMISSION_INVALID', 'the submission has 1 problem(s)', ['module: must be a file']);
  if (part.size > limits.wasmBytes) return routeError('PAYLOAD_TOO_LARGE', `the module is larger than ${limits.wasmBytes} bytes`);
  const wasm = new Uint8Array(await part.arrayBuffer());

  const manifestText = form.get('manifest');
  let manifest: unknown;
  if (manifestText !== null) {
    if (typeof manifestText !== 'string') return routeError('SUBMISSION_INVALID', 'the submission has 1 problem(s)', ['manifest: must be JSON text']);
    try {
      manifest = JSON.parse(manifestText);
    } catch {
      return routeError('SUBMISSION_INVALID', 'the submission has 1 problem(s)', ['manifest: is not valid JSON']);
    }
  }
  const submitted = inbox.submit(agent, { wasm, manifest, purpose: form.get('purpose') ?? undefined }, () => agents.recentSubmissions(agent.id));
  if (!submitted.ok) {
    if (submitted.code === 'RATE_LIMITED') return rateLimited();
    return routeError(submitted.code, submitted.message, submitted.issues ?? []);
  }
  const headers = { ...NO_STORE, location: `/api/v1/submissions/${submitted.value.id}` };
  return Response.json({ ok: true, submission: toWire(submitted.value) }, { status: 202, headers });
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** GET /api/v1/submissions/:id: an agent reads the state of its own submissions (another agent's reads as not found). */
export async function handleGetSubmission(request: Request, id: string, deps: SubmissionHttpDeps): Promise<Response> {
  if (request.method !== 'GET') return routeError('METHOD_NOT_ALLOWED', 'use GET');
  const agent = authenticate(request, deps, 'submissions:read');
  if (agent instanceof Response) return agent;
  const found = UUID_RE.test(id) ? deps.services().inbox.get(id) : undefined;
  if (!found || found.agentId !== agent.id) return routeError('NOT_FOUND', `no submission ${id.slice(0, 64)} of this agent`);
  return Response.json({ ok: true, submission: toWire(found) }, { status: 200, headers: NO_STORE });
}
