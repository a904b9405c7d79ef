import { describe, it, expect } from 'vitest';
import { normalizeAddress, parseTrustedProxies, resolveForwarded, NO_PROXIES } from './trusted-proxies';

describe('parseTrustedProxies (NIGHTCORE_TRUSTED_PROXIES)', () => {
  it('trusts nothing by default', () => {
    for (const text of [undefined, '', '  ', '0']) expect(parseTrustedProxies(text)).toEqual(NO_PROXIES);
  });

  it('reads a hop count or a list of addresses, ranges and "loopback"', () => {
    expect(parseTrustedProxies('2')).toEqual({ kind: 'hops', hops: 2 });
    const list = parseTrustedProxies(' 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32, loopback');
    expect(list.kind).toBe('list');
    const trusted = (a: string) => resolveForwarded(list, { peer: a }).proxied;
    expect(['10.1.2.3', '192.0.2.7', '2001:db8::5', '127.0.0.1', '::1', '::ffff:10.9.9.9'].map(trusted)).toEqual([true, true, true, true, true, true]);
    expect(['11.0.0.1', '192.0.2.8', '2001:db9::1', '::2'].map(trusted)).toEqual([false, false, false, false]);
  });

  it.each(['17', 'proxy.example', '10.0.0.0/33', '::1/129', '10.0.0.1/8/1', '10.0.0.256', '1.2.3.4, nope', '-1', '10.0.0.0/-8'])('refuses %j, naming it', (text) => {
    expect(() => parseTrustedProxies(text)).toThrow(/NIGHTCORE_TRUSTED_PROXIES/);
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['192.0.2.1:8080', '192.0.2.1'],
    ['[2001:DB8::1]:443', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['unknown', undefined],
    ['<script>', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (input, expected) => expect(normalizeAddress(input)).toBe(expected));
});

describe('resolveForwarded', () => {
  const sprayed = { peer: '::ffff:198.51.100.20', forwardedFor: '203.0.113.77', forwardedHost: 'evil.example', forwardedProto: 'https' };

  it('by default: the socket address, never the headers', () => {
    expect(resolveForwarded(NO_PROXIES, sprayed)).toEqual({ client: '198.51.100.20', proxied: false });
    expect(resolveForwarded(NO_PROXIES, { peer: undefined })).toEqual({ client: 'unknown', proxied: false });
  });

  it('hop count: the Nth address from the right; what the client prepended is ignored', () => {
    const chain = { peer: '10.0.0.2', forwardedFor: '6.6.6.6, 203.0.113.4', forwardedHost: 'forged.example, nightcore.corp', forwardedProto: 'http, https' };
    expect(resolveForwarded(parseTrustedProxies('1'), chain)).toEqual({ client: '203.0.113.4', proxied: true, host: 'nightcore.corp', proto: 'https' });
    expect(resolveForwarded(parseTrustedProxies('2'), chain).client).toBe('6.6.6.6');
    // Fewer hops than configured: the furthest address there is.
    expect(resolveForwarded(parseTrustedProxies('5'), chain).client).toBe('6.6.6.6');
    expect(resolveForwarded(parseTrustedProxies('1'), { peer: '10.0.0.2' })).toEqual({ client: '10.0.0.2', proxied: true });
  });

  it('address list: skips trusted proxies from the right; a direct client is not a proxy', () => {
    const trust = parseTrustedProxies('10.0.0.0/8');
    const via = { peer: '10.0.0.2', forwardedFor: '6.6.6.6, 203.0.113.4, 10.0.0.9', forwardedHost: 'nightcore.corp' };
    expect(resolveForwarded(trust, via)).toEqual({ client: '203.0.113.4', proxied: true, host: 'nightcore.corp' });
    // The same headers sent straight from the internet: the peer is the client, headers ignored.
    expect(resolveForwarded(trust, { ...via, peer: '198.51.100.20' })).toEqual({ client: '198.51.100.20', proxied: false });
    // Garbage where the client should be: the shared "unknown" bucket, never a fresh one.
    expect(resolveForwarded(trust, { peer: '10.0.0.2', forwardedFor: 'not-an-ip' }).client).toBe('unknown');
  });

  it('a trusted proxy\'s host and proto are used only when well-formed', () => {
    const trust = parseTrustedProxies('loopback');
    for (const forwardedHost of ['evil.example/path', 'a b', 'host:99999999', '-bad.example', '']) {
      expect(resolveForwarded(trust, { peer: '127.0.0.1', forwardedHost }).host).toBeUndefined();
    }
    expect(resolveForwarded(trust, { peer: '127.0.0.1', forwardedHost: 'Console.Example:8443' }).host).toBe('console.example:8443');
    expect(resolveForwarded(trust, { peer: '127.0.0.1', forwardedProto: 'gopher' }).proto).toBeUndefined();
  });
});
