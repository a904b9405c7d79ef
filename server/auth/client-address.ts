/**
 * The client address used to rate-limit sign-ins. Route handlers do not see the socket; Next.js
 * fills X-Forwarded-For with the socket address only when the header is absent. We take the LAST
 * entry: a reverse proxy that appends (nginx $proxy_add_x_forwarded_for, Caddy, Traefik) puts the
 * real client there, whatever the client itself sent. Exposed directly without a proxy, a client
 * can choose this value; the per-account limit still holds then (see the report/README).
 */
const MAX_ADDRESS_CHARS = 64;
export const UNKNOWN_ADDRESS = 'unknown';

export function clientAddress(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for');
  const last = forwarded?.split(',').map((s) => s.trim()).filter(Boolean).pop();
  const candidate = last ?? headers.get('x-real-ip')?.trim();
  // Unknown or odd-looking addresses share ONE bucket: the limiter still limits them (fail closed).
  if (!candidate || candidate.length > MAX_ADDRESS_CHARS || !/^[0-9A-Fa-f.:[\]%a-zA-Z]+$/.test(candidate)) return UNKNOWN_ADDRESS;
  return candidate.toLowerCase();
}
