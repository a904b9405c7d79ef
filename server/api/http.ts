/**
 * The tRPC endpoint's request handling, framework-free so it can be tested with plain Requests:
 * the same-origin check first, then tRPC. Unexpected errors are logged here (server side only);
 * the formatter has already replaced their message for the client.
 */
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from './root';
import { checkSameOrigin } from './same-origin';
import type { Context } from './trpc';

export const TRPC_ENDPOINT = '/api/trpc';

export async function handleTRPCRequest(
  request: Request,
  createContext: () => Promise<Context>,
  logError: (message: string, error: unknown) => void = (m, e) => console.error(m, e),
): Promise<Response> {
  const verdict = checkSameOrigin(request);
  if (!verdict.ok) {
    return Response.json(
      { error: { message: `forbidden: ${verdict.reason}`, data: { code: 'CSRF_REJECTED', httpStatus: 403 } } },
      { status: 403 },
    );
  }
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: request,
    router: appRouter,
    createContext,
    // Only errors we did not expect are worth a log line; FORBIDDEN and friends are normal traffic.
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') logError(`[trpc] ${path ?? '(unknown path)'} failed`, error.cause ?? error);
    },
  });
}
