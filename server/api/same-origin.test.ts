import { describe, it, expect } from 'vitest';
import { checkSameOrigin } from './same-origin';

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

  it('uses the proxy-forwarded host when present', () => {
    const r = req('POST', { ...JSON_, origin: 'https://nightcore.corp', 'x-forwarded-host': 'nightcore.corp' });
    expect(checkSameOrigin(r).ok).toBe(true);
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
