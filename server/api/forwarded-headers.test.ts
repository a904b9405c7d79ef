/**
 * The forwarded-header guard on a real HTTP server on loopback, in front of the real Auth.js
 * handler and the same-origin check: what an attacker can do with lying proxy headers.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Auth } from '@auth/core';
import { CredentialsSignin } from '@auth/core/errors';
import { createAuthConfig } from '../auth/config';
import { rateLimitedErrorFrom } from '../auth/credentials';
import { LoginRateLimiter } from '../auth/rate-limit';
import { usersOf } from '../services/users';
import { memoryServices } from './test-support';
import { checkSameOrigin } from './same-origin';
import { clientAddress } from '../auth/client-address';
import { guardIncoming, guardedRequestInfo, installForwardedHeaderGuard, GUARD_HEADER } from '../auth/forwarded-headers';
import { NO_PROXIES, parseTrustedProxies } from '../auth/trusted-proxies';
import type { DbHandle } from '../../db/client';

async function toRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
  return new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body });
}

describe('forwarded-header guard on a loopback server', () => {
  let server: Server;
  let base: string;
  let handle: DbHandle;
  let limiter: LoginRateLimiter;

  beforeAll(async () => {
    installForwardedHeaderGuard(NO_PROXIES);
    const { services, handle: h } = memoryServices();
    handle = h;
    const users = usersOf(services);
    const config = {
      ...createAuthConfig({ users, limiter: (limiter = new LoginRateLimiter()), rateLimited: rateLimitedErrorFrom(CredentialsSignin), secret: 's'.repeat(40) }),
      basePath: '/api/auth',
    };
    server = createServer((req, res) => {
      void (async () => {
        const request = await toRequest(req);
        let response: Response;
        if (req.url === '/probe') {
          response = Response.json({ client: clientAddress(request.headers), info: guardedRequestInfo(request.headers) ?? null, forwardedFor: request.headers.get('x-forwarded-for'), forwardedHost: request.headers.get('x-forwarded-host') });
        } else if (req.url === '/api/trpc/users.create') {
          response = Response.json(checkSameOrigin(request));
        } else {
          response = await Auth(request, config);
        }
        const headers: [string, string][] = [];
        response.headers.forEach((v, k) => k !== 'set-cookie' && headers.push([k, v]));
        for (const c of response.headers.getSetCookie()) headers.push(['set-cookie', c]);
        res.writeHead(response.status, headers);
        res.end(Buffer.from(await response.arrayBuffer()));
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    handle.close();
  });

  it('25 sign-in attempts, each with a new X-Forwarded-For and a new username, are rate limited after 20', async () => {
    const jar = new Map<string, string>();
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const keep = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const at = pair!.indexOf('=');
        jar.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
    };
    const csrfRes = await fetch(`${base}/api/auth/csrf`);
    keep(csrfRes);
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const outcomes: string[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await fetch(`${base}/api/auth/callback/credentials`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie(), 'x-forwarded-for': `203.0.113.${i + 1}`, 'x-real-ip': `198.51.100.${i + 1}` },
        body: new URLSearchParams({ username: `sprayed${i}`, password: 'Winter2025!-guess', csrfToken }).toString(),
      });
      outcomes.push(new URL(res.headers.get('location')!, base).searchParams.get('code') ?? 'none');
    }
    // One address (the socket's) for all 25: 20 evaluated, then refused without checking a password.
    expect(outcomes.slice(0, 20)).toEqual(Array(20).fill('credentials'));
    expect(outcomes.slice(20)).toEqual(Array(5).fill('rate_limited'));
    expect(limiter.check('someone-else', '127.0.0.1').allowed).toBe(false);
    expect(limiter.check('someone-else', '203.0.113.1').allowed).toBe(true); // the sprayed values were never used
  });

  it('a forged X-Forwarded-Host fails the origin check; the real Host passes', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/api/trpc/users.create`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' }).then((r) => r.json());
    expect(await post({ origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' })).toMatchObject({ ok: false });
    expect(await post({ origin: base })).toEqual({ ok: true });
  });

  it('strips client-sent proxy headers and forged guard stamps; a trusted proxy is believed', async () => {
    const probe = (headers: Record<string, string>) => fetch(`${base}/probe`, { headers }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const forged = { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.example', 'x-nightcore-client': '6.6.6.6', [GUARD_HEADER]: 'f'.repeat(32) };
    expect(await probe(forged)).toMatchObject({ client: '127.0.0.1', forwardedFor: null, forwardedHost: null, info: { client: '127.0.0.1', host: base.slice(7) } });
    installForwardedHeaderGuard(parseTrustedProxies('loopback'));
    try {
      expect(await probe({ 'x-forwarded-for': '6.6.6.6, 203.0.113.4', 'x-forwarded-host': 'nightcore.corp' })).toMatchObject({
        client: '203.0.113.4',
        forwardedFor: '203.0.113.4',
        forwardedHost: 'nightcore.corp',
      });
    } finally {
      installForwardedHeaderGuard(NO_PROXIES);
    }
  });
});

describe('guardIncoming', () => {
  it('deletes every proxy header it does not trust and stamps what it resolved', () => {
    const req = {
      headers: { host: 'Console.Example:3000', 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', 'x-real-ip': '7.7.7.7', forwarded: 'for=8.8.8.8' } as Record<string, string>,
      socket: { remoteAddress: '::ffff:192.0.2.44' },
    };
    guardIncoming(req, NO_PROXIES);
    expect(Object.keys(req.headers).sort()).toEqual(['host', 'x-nightcore-client', 'x-nightcore-guard', 'x-nightcore-host']);
    expect(req.headers['x-nightcore-client']).toBe('192.0.2.44');
    expect(req.headers['x-nightcore-host']).toBe('console.example:3000');
  });
});
