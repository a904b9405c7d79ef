/**
 * A locked database on the serving thread. better-sqlite3 is synchronous: with SQLite's usual 5 s
 * busy_timeout, a write lock held by someone else (a CLI command, a backup) would freeze every
 * request for up to 5 s. The console's connection waits at most SERVING_BUSY_TIMEOUT_MS
 * (services/instance.ts), and a request that still finds the database locked ends here: a clean,
 * retryable 503 with Retry-After, never a 500 and never a long stall.
 */
import { TRPCError } from '@trpc/server';
import { DomainError } from './errors';
import { NO_STORE, type RouteError } from './route-guard';

export const DATABASE_BUSY = 'DATABASE_BUSY';
export const RETRY_AFTER_SECONDS = 1;
const MESSAGE = 'the database is busy (another process holds a write lock); try again in a moment';

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT, _RECOVERY, _TIMEOUT), wherever they sit in a cause chain. */
export function isDatabaseBusy(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  }
  return false;
}

export function databaseBusyError(cause: unknown): TRPCError {
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: MESSAGE, cause: Object.assign(new DomainError(DATABASE_BUSY, MESSAGE), { cause }) });
}

/**
 * For the route handlers: their error shape (./route-guard.ts), but 503 with Retry-After. Not in
 * ROUTE_ERROR_STATUS on purpose: that map holds refusals (4xx); this is "try again".
 */
export function databaseBusyResponse(): Response {
  const error: Omit<RouteError, 'code'> & { code: typeof DATABASE_BUSY } = { code: DATABASE_BUSY, message: MESSAGE, issues: [] };
  return Response.json({ ok: false, error }, { status: 503, headers: { ...NO_STORE, 'retry-after': String(RETRY_AFTER_SECONDS) } });
}
