/**
 * The client address used to rate-limit sign-ins and recorded in the audit log. Route handlers do
 * not see the socket, and X-Forwarded-For is whatever the client sent unless a trusted proxy set
 * it, so the address comes ONLY from the forwarded-header guard (server/auth/forwarded-headers.ts),
 * which resolved it from the socket (and from proxy headers only when NIGHTCORE_TRUSTED_PROXIES
 * says so). A request without the guard's stamp gets the one shared "unknown" bucket: the limiter
 * still limits it (fail closed), and no header can move it to a fresh bucket.
 */
import { guardedRequestInfo } from './forwarded-headers';
import { UNKNOWN_CLIENT } from './trusted-proxies';

const MAX_ADDRESS_CHARS = 64;
export const UNKNOWN_ADDRESS = UNKNOWN_CLIENT;

export function clientAddress(headers: Headers): string {
  const candidate = guardedRequestInfo(headers)?.client;
  if (!candidate || candidate.length > MAX_ADDRESS_CHARS || !/^[0-9a-f.:]+$/.test(candidate)) return UNKNOWN_ADDRESS;
  return candidate;
}
