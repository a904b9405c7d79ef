/**
 * Calling the console's tRPC endpoint directly, as a script (or an attacker with a session) would:
 * plain JSON, no transformer, one procedure per request. Mutations carry an Origin equal to the
 * server's origin, because the endpoint refuses state changes without it (CSRF defence) and the
 * point of these calls is to test the ROLE check behind it, not the origin check.
 */
import type { APIRequestContext } from '@playwright/test';

export interface TrpcError {
  readonly message: string;
  readonly data?: { readonly code?: string; readonly httpStatus?: number };
}

export interface TrpcResponse<T = unknown> {
  readonly status: number;
  readonly data?: T;
  readonly error?: TrpcError;
}

async function parse<T>(response: Awaited<ReturnType<APIRequestContext['get']>>): Promise<TrpcResponse<T>> {
  const text = await response.text();
  let body: { result?: { data?: T }; error?: TrpcError };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`tRPC answered ${response.status()} with non-JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status(), data: body.result?.data, error: body.error };
}

export async function trpcMutation<T = unknown>(
  request: APIRequestContext,
  origin: string,
  path: string,
  input: unknown,
): Promise<TrpcResponse<T>> {
  const response = await request.post(`/api/trpc/${path}`, {
    headers: { Origin: origin, 'Content-Type': 'application/json' },
    data: JSON.stringify(input ?? null),
  });
  return parse<T>(response);
}

export async function trpcQuery<T = unknown>(request: APIRequestContext, path: string, input?: unknown): Promise<TrpcResponse<T>> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return parse<T>(await request.get(`/api/trpc/${path}${query}`));
}

/** The result of a call that must succeed; a failure throws with the server's message. */
export function expectData<T>(response: TrpcResponse<T>, what: string): T {
  if (response.error || response.status !== 200) {
    throw new Error(`${what} failed: ${response.status} ${response.error?.data?.code ?? ''} ${response.error?.message ?? ''}`);
  }
  return response.data as T;
}
