/**
 * How failures leave the API. Expected domain failures (a Result's error) become BAD_REQUEST,
 * NOT_FOUND or CONFLICT with the domain code in `data.code`; authorisation failures stay
 * UNAUTHORIZED/FORBIDDEN; anything unexpected is INTERNAL_SERVER_ERROR with a generic message.
 * No stack trace ever leaves the server.
 */
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { Result } from '../core/result';

/** FORBIDDEN: a refusal the role allows but the license does not (server/api/license-gate.ts). */
export type DomainStatus = 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'FORBIDDEN';

/** Carried as the `cause` of a TRPCError so the formatter can put the domain code in `data.code`. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * The value of an ok Result, or a TRPCError for its error. `status` must name EVERY code of the
 * union (a closed mapping, no silent default), so a new error code is a compile error here.
 */
export function unwrap<T, C extends string>(result: Result<T, C>, status: { readonly [K in C]: DomainStatus }): T {
  if (result.ok) return result.value;
  throw new TRPCError({
    code: status[result.code],
    message: result.message,
    cause: new DomainError(result.code, result.message, result.issues),
  });
}

export interface ErrorData {
  /** The domain code (e.g. USER_EXISTS) for expected failures, else the tRPC code (e.g. FORBIDDEN). */
  readonly code: string;
  readonly trpcCode: TRPC_ERROR_CODE_KEY;
  readonly httpStatus: number;
  readonly path?: string;
  readonly issues: readonly string[];
}

interface ShapeIn {
  readonly message: string;
  readonly code: number;
  readonly data: { readonly code: TRPC_ERROR_CODE_KEY; readonly httpStatus: number; readonly path?: string };
}

/** The tRPC error formatter (pure, tested). Drops `data.stack` by building `data` from scratch. */
export function formatError({ shape, error }: { shape: ShapeIn; error: TRPCError }) {
  const domain = error.cause instanceof DomainError ? error.cause : undefined;
  const internal = error.code === 'INTERNAL_SERVER_ERROR';
  const data: ErrorData = {
    code: domain?.code ?? error.code,
    trpcCode: error.code,
    httpStatus: shape.data.httpStatus,
    ...(shape.data.path !== undefined ? { path: shape.data.path } : {}),
    issues: domain?.issues ?? inputIssues(error),
  };
  return { message: internal ? 'internal error' : shape.message, code: shape.code, data };
}

/** Zod's issues for a bad input, as "field: message" lines. */
function inputIssues(error: TRPCError): readonly string[] {
  if (error.code !== 'BAD_REQUEST') return [];
  const issues = (error.cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.map((i: { path?: unknown[]; message?: string }) => `${(i.path ?? []).join('.') || '(input)'}: ${i.message ?? 'invalid'}`);
}
