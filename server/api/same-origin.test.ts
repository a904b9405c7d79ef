import { describe, it, expect } from 'vitest';
import { checkSameOrigin } from './same-origin';
import { guardedHeaders } from './test-support';
import { parseTrustedProxies } from '../auth/trusted-proxies';

const URL_ = 'http://console.example:3000/api/trpc/users.create';
function req(method: string, headers: Record<string, string>) {
  return new Request(URL_, { method, headers: { host: 'console.example:3000', ...headers }, body: method === 'POST' ? '{}' : undefined });
}
const JSON_ = { 'content-type': 'application/json' };

describe('checkSameOrigin', () => {
  it('accepts a same-origin JSON POST (by Origin, by Sec-Fetch-Site, or both)', () => {
    expect(checkSameOrigin(req('POST', { ...JSON_, origin: 'http://console.example:3000' })).ok).toBe(true);
    expect(checkSameOrigin(req('POST', { ...JSON_, 'sec-fetch-site': 'same-origin' })).ok).toBe(true);
    expect(checkSameOrigin(req('POST', { 'content-type': 'application/json; charset=utf-8', origin: 'http://console.example:3000', 'sec-fetch-site': 'same-origin' })).ok).toBe(true);
  });

  it('a forged X-Forwarded-Host fails the check: by default the real Host decides', () => {
    const forged = { ...JSON_, origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' };
    // Straight to the handler (no guard stamp): the header is ignored.
    expect(checkSameOrigin(req('POST', forged))).toEqual({ ok: false, reason: 'Origin https://evil.example does not match this site' });
    // Through the guard with no trusted proxy (the default): deleted, and still the Host decides.
    const guarded = guardedHeaders('198.51.100.9', { host: 'console.example:3000', ...forged });
    expect(guarded.get('x-forwarded-host')).toBeNull();
    expect(checkSameOrigin(new Request(URL_, { method: 'POST', headers: guarded, body: '{}' })).ok).toBe(false);
    // Even "through" a trusted proxy, the peer must BE that proxy.
    const notTheProxy = guardedHeaders('198.51.100.9', { host: 'console.example:3000', ...forged }, parseTrustedProxies('10.0.0.0/8'));
    expect(checkSameOrigin(new Request(URL_, { method: 'POST', headers: notTheProxy, body: '{}' })).ok).toBe(false);
  });

  it('uses X-Forwarded-Host from a configured reverse proxy', () => {
    const viaProxy = { host: 'internal:3000', ...JSON_, origin: 'https://nightcore.corp', 'x-forwarded-host': 'nightcore.corp', 'x-forwarded-for': '203.0.113.4' };
    const headers = guardedHeaders('10.0.0.2', viaProxy, parseTrustedProxies('10.0.0.0/8'));
    expect(checkSameOrigin(new Request(URL_, { method: 'POST', headers, body: '{}' }))).toEqual({ ok: true });
    const byHops = guardedHeaders('10.0.0.2', viaProxy, parseTrustedProxies('1'));
    expect(checkSameOrigin(new Request(URL_, { method: 'POST', headers: byHops, body: '{}' }))).toEqual({ ok: true });
  });

  it.each([
    ['another origin', { ...JSON_, origin: 'https://evil.example' }],
    ['same host, other port', { ...JSON_, origin: 'http://console.example:4000' }],
    ['a look-alike host', { ...JSON_, origin: 'http://console.example:3000.evil.example' }],
    ['Sec-Fetch-Site cross-site', { ...JSON_, origin: 'http://console.example:3000', 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site (a sibling subdomain)', { ...JSON_, 'sec-fetch-site': 'same-site' }],
    ['the opaque "null" origin', { ...JSON_, origin: 'null' }],
    ['neither Origin nor Sec-Fetch-Site', { ...JSON_ }],
    ['a form post (urlencoded)', { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://console.example:3000' }],
    ['text/plain (a CORS "simple" request)', { 'content-type': 'text/plain', origin: 'http://console.example:3000' }],
    ['no content type', { origin: 'http://console.example:3000' }],
  ])('refuses a POST with %s', (_name, headers) => {
    const verdict = checkSameOrigin(req('POST', headers));
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason.length).toBeGreaterThan(0);
  });

  it('allows reads, but not explicit cross-site ones, and refuses other methods', () => {
    expect(checkSameOrigin(req('GET', {})).ok).toBe(true);
    expect(checkSameOrigin(req('GET', { 'sec-fetch-site': 'cross-site' })).ok).toBe(false);
    expect(checkSameOrigin(req('PUT', { ...JSON_, origin: 'http://console.example:3000' })).ok).toBe(false);
  });
});
