/**
 * Next.js proxy (formerly "middleware"): runs before every page.
 * 1. Security headers with a fresh CSP nonce per request (server/api/security-headers.ts).
 * 2. An OPTIMISTIC sign-in gate: no session cookie → redirect to /signin. This is only a
 *    convenience; the real checks (valid token, user active, current role) happen in every page
 *    (requirePageUser) and every tRPC procedure. Never rely on this file for authorisation.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { newNonce, securityHeaders } from './server/api/security-headers';

// /metrics answers scrapers with its own bearer token (server/api/metrics-http.ts), never a session.
const PUBLIC_PATHS = ['/signin', '/metrics'];
// Auth.js v5 cookie names, plain and (over https) __Secure- prefixed; large tokens are chunked (.0, .1).
const SESSION_COOKIE = /^(__Secure-)?authjs\.session-token(\.\d+)?$/;

function isHttps(request: NextRequest): boolean {
  return request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

export function proxy(request: NextRequest) {
  const headers = securityHeaders({ nonce: newNonce(), dev: process.env.NODE_ENV === 'development', https: isHttps(request) });
  const path = request.nextUrl.pathname;
  const hasSession = request.cookies.getAll().some((c) => SESSION_COOKIE.test(c.name));

  let response: NextResponse;
  if (!hasSession && !PUBLIC_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) {
    const target = new URL('/signin', request.url);
    if (path !== '/') target.searchParams.set('callbackUrl', `${path}${request.nextUrl.search}`);
    response = NextResponse.redirect(target);
  } else {
    // Next.js reads the nonce from the REQUEST's CSP header while rendering.
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set('Content-Security-Policy', headers['Content-Security-Policy']!);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: API routes answer JSON and check the session themselves; public/ assets need
      // no CSP and must load on the sign-in page. Only known asset extensions are skipped, so a
      // page path with a dot in it (/modules/x/1.2.3) still gets its headers.
      source: '/((?!api/|_next/static|_next/image|.*\\.svg$|.*\\.png$|.*\\.jpg$|.*\\.jpeg$|.*\\.gif$|.*\\.webp$|.*\\.avif$|.*\\.ico$|.*\\.txt$|.*\\.xml$|.*\\.webmanifest$|.*\\.woff$|.*\\.woff2$).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
