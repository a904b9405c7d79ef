import { describe, it, expect } from 'vitest';
import { contentSecurityPolicy, newNonce, securityHeaders } from './security-headers';

const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

describe('security headers', () => {
  it('production CSP: nonce scripts, no unsafe-inline/eval, no framing', () => {
    const nonce = newNonce();
    const csp = directives(contentSecurityPolicy({ nonce, dev: false, https: false }));
    expect(csp.get('script-src')).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(csp.get('style-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    for (const values of csp.values()) {
      expect(values).not.toContain("'unsafe-inline'");
      expect(values).not.toContain("'unsafe-eval'");
    }
  });

  it('development adds only eval for scripts and inline styles', () => {
    const csp = directives(contentSecurityPolicy({ nonce: newNonce(), dev: true, https: false }));
    expect(csp.get('script-src')).toContain("'unsafe-eval'");
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
    expect(csp.get('style-src')).toContain("'unsafe-inline'");
  });

  it('the other headers, and HSTS + upgrade only over https', () => {
    const plain = securityHeaders({ nonce: newNonce(), dev: false, https: false });
    expect(plain).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    expect(plain['Strict-Transport-Security']).toBeUndefined();
    const tls = securityHeaders({ nonce: newNonce(), dev: false, https: true });
    expect(tls['Strict-Transport-Security']).toMatch(/^max-age=\d+/);
    expect(tls['Content-Security-Policy']).toContain('upgrade-insecure-requests');
  });

  it('fresh, well-formed nonces; a malformed one is refused', () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(a).not.toBe(newNonce());
    expect(() => contentSecurityPolicy({ nonce: "x'; script-src *", dev: false, https: false })).toThrow();
  });
});
