/**
 * CSRF defence for the tRPC endpoint. Session cookies are SameSite=Lax, and on top of that every
 * state-changing request must be a POST with `Content-Type: application/json` (a cross-site HTML
 * form cannot send that without a CORS preflight) AND come from this site: `Sec-Fetch-Site:
 * same-origin` when the browser sends it, and an `Origin` whose host is the request's host. A
 * request with neither header is refused (fail closed): browsers always send one on POST.
 */
import { guardedRequestInfo } from '../auth/forwarded-headers';

export type OriginVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The host the client addressed: what the forwarded-header guard resolved (X-Forwarded-Host only
 * from a trusted proxy, see NIGHTCORE_TRUSTED_PROXIES), else the Host header. A client-sent
 * X-Forwarded-Host is never believed here: it would let any page claim to be this site.
 */
function requestHost(headers: Headers): string | undefined {
  const resolved = guardedRequestInfo(headers)?.host;
  return (resolved || headers.get('host') || undefined)?.toLowerCase();
}

export function checkSameOrigin(request: Request): OriginVerdict {
  const h = request.headers;
  const site = h.get('sec-fetch-site');
  // Even reads refuse an explicit cross-site fetch (e.g. an <img> or link to a query URL).
  if (site === 'cross-site' || site === 'same-site') return { ok: false, reason: `cross-site request (Sec-Fetch-Site: ${site})` };
  if (SAFE_METHODS.has(request.method)) return { ok: true };
  if (request.method !== 'POST') return { ok: false, reason: `method ${request.method} not allowed` };

  const type = h.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { ok: false, reason: 'a mutation must be sent as application/json' };

  const origin = h.get('origin');
  if (origin === null) {
    return site === 'same-origin' ? { ok: true } : { ok: false, reason: 'missing Origin and Sec-Fetch-Site headers' };
  }
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return { ok: false, reason: 'malformed Origin header' }; // includes the literal "null" origin
  }
  const host = requestHost(h);
  if (!host || originHost !== host) return { ok: false, reason: `Origin ${origin} does not match this site` };
  return { ok: true };
}
