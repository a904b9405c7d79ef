/**
 * The tRPC endpoint's request handling, framework-free so it can be tested with plain Requests:
 * the same-origin check first, then tRPC. Unexpected errors are logged here (server side only);
 * the formatter has already replaced their message for the client.
 */
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from './root';
import { checkSameOrigin } from './same-origin';
import { ROUTE_ERROR_STATUS } from './route-guard';
import type { Context } from './trpc';
import { databaseBusyError, isDatabaseBusy, RETRY_AFTER_SECONDS } from './database-busy';

export const TRPC_ENDPOINT = '/api/trpc';

/**
 * The largest request body the API reads: a run's stdin (16 MiB, base64) plus its arguments. The
 * fetch adapter has no limit of its own, so without this one a client could make the server buffer
 * any amount.
 */
export const MAX_BODY_BYTES = 24 * 1024 * 1024;

/** The request with its body read into memory, or null when the body is larger than `limit`. */
async function withBoundedBody(request: Request, limit: number): Promise<Request | null> {
  if (!request.body) return request;
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(read.value);
  }
  return new Request(request, { body: Buffer.concat(chunks), duplex: 'half' } as RequestInit);
}

function trpcRefusal(code: 'CSRF_REJECTED' | 'PAYLOAD_TOO_LARGE', message: string): Response {
  const httpStatus = ROUTE_ERROR_STATUS[code];
  return Response.json({ error: { message, data: { code, httpStatus } } }, { status: httpStatus });
}

export async function handleTRPCRequest(
  request: Request,
  createContext: () => Promise<Context>,
  logError: (message: string, error: unknown) => void = (m, e) => console.error(m, e),
): Promise<Response> {
  // Refusals before tRPC keep tRPC's error envelope (the tRPC client reads it) but take their
  // status from the route handlers' one code→status map.
  const verdict = checkSameOrigin(request);
  if (!verdict.ok) return trpcRefusal('CSRF_REJECTED', `forbidden: ${verdict.reason}`);
  const bounded = await withBoundedBody(request, MAX_BODY_BYTES);
  if (!bounded) return trpcRefusal('PAYLOAD_TOO_LARGE', `request body larger than ${MAX_BODY_BYTES} bytes`);
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: bounded,
    router: appRouter,
    // The session is read from the database before any procedure runs: a lock there is a 503 too.
    createContext: async () => {
      try {
        return await createContext();
      } catch (e) {
        throw isDatabaseBusy(e) ? databaseBusyError(e) : e;
      }
    },
    responseMeta: ({ errors }) => (errors.some((e) => e.code === 'SERVICE_UNAVAILABLE') ? { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } } : {}),
    // Only errors we did not expect are worth a log line; FORBIDDEN and friends are normal traffic.
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') logError(`[trpc] ${path ?? '(unknown path)'} failed`, error.cause ?? error);
    },
  });
}
