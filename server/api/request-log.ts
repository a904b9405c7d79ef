/**
 * One structured log line per HTTP request of the route handlers: request id, route, method, path
 * (never the query, which may carry filters people consider private), status and duration. The
 * request id also goes back in the X-Request-Id response header, so a user's report can be matched
 * to the line.
 */
import { performance } from 'node:perf_hooks';
import { requestIdOf, REQUEST_ID_HEADER } from '../auth/forwarded-headers';
import { logger as processLogger, type Logger } from '../services/logger';

export function withRequestLog<A extends unknown[]>(
  route: string,
  handler: (request: Request, ...rest: A) => Promise<Response> | Response,
  log: Logger = processLogger,
): (request: Request, ...rest: A) => Promise<Response> {
  return async (request, ...rest) => {
    const requestId = requestIdOf(request.headers);
    const start = performance.now();
    const base = { requestId, route, method: request.method, path: new URL(request.url).pathname };
    try {
      const response = await handler(request, ...rest);
      try {
        response.headers.set(REQUEST_ID_HEADER, requestId);
      } catch {
        // immutable headers (a fetched Response): the log line still has the id
      }
      log.info('request', { ...base, status: response.status, ms: Math.round((performance.now() - start) * 10) / 10 });
      return response;
    } catch (e) {
      log.error('request failed', { ...base, ms: Math.round((performance.now() - start) * 10) / 10, error: e });
      throw e;
    }
  };
}
