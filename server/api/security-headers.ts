/**
 * Security headers for every page, built per request because the CSP carries a fresh nonce
 * (Next.js reads the nonce from the request's CSP header and puts it on its own scripts; see
 * node_modules/next/dist/docs/01-app/02-guides/content-security-policy.md). No 'unsafe-inline'
 * for scripts; 'strict-dynamic' lets nonce-trusted scripts load the chunks they need.
 */
export interface SecurityHeaderOptions {
  readonly nonce: string;
  /** next dev needs eval (React debug stacks) and inline styles (hot reloading). */
  readonly dev: boolean;
  /** Served over https: add HSTS and upgrade-insecure-requests (which would break plain-http LAN use). */
  readonly https: boolean;
}

const NONCE = /^[A-Za-z0-9+/=_-]{16,128}$/;

export function contentSecurityPolicy({ nonce, dev, https }: SecurityHeaderOptions): string {
  if (!NONCE.test(nonce)) throw new Error('a CSP nonce must be 16+ base64 characters'); // never splice odd text into the policy
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' ${dev ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY', // for browsers that predate frame-ancestors
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(options.https ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/** 128 random bits, base64. Web Crypto, so it works in any runtime the proxy may run in. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
