/** The shared route guard: order of checks, what it reads when, the one error shape and status map. */
import { describe, it, expect } from 'vitest';
import { ROLES, can, type Role } from '../core/access/rbac';
import { guardRoute, routeError, ROUTE_ERROR_STATUS, type RouteErrorCode } from './route-guard';
import { sessionFor } from './test-support';

const HOST = 'console.example:3000';
const sameOrigin = { host: HOST, origin: `http://${HOST}`, 'content-type': 'application/json' };
const post = (headers: Record<string, string> = sameOrigin, method = 'POST') => new Request(`http://${HOST}/api/x`, { method, headers, body: method === 'GET' ? null : '{}' });

/** A session lookup that counts its calls: the guard must not read the session for a forged request. */
function sessionOf(role: Role | null | 'bogus') {
  const calls = { n: 0 };
  const user = async () => {
    calls.n += 1;
    if (role === null) return null;
    return role === 'bogus' ? ({ id: 'x', username: 'x', role: 'superuser' } as unknown as ReturnType<typeof sessionFor>) : sessionFor(role);
  };
  return { user, calls };
}

async function refusal(response: unknown): Promise<{ status: number; code: string; body: unknown }> {
  if (!(response instanceof Response)) throw new Error('expected a refusal');
  const body = (await response.json()) as { ok: boolean; error: { code: string } };
  return { status: response.status, code: body.error.code, body };
}

describe('guardRoute', () => {
  it('checks the method first, before origin or session', async () => {
    const s = sessionOf('admin');
    const r = await refusal(await guardRoute(post(sameOrigin, 'PUT'), { method: 'POST', permission: 'audit.read', user: s.user }));
    expect(r).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(s.calls.n).toBe(0);
  });

  it('refuses a cross-site or origin-less POST without reading the session', async () => {
    for (const headers of [
      { ...sameOrigin, origin: 'https://evil.example' },
      { ...sameOrigin, 'sec-fetch-site': 'cross-site' },
      { host: HOST, 'content-type': 'application/json' }, // neither Origin nor Sec-Fetch-Site
      { ...sameOrigin, origin: 'null' },
      { ...sameOrigin, 'content-type': 'text/plain' }, // what a cross-site HTML form can send
    ]) {
      const s = sessionOf('admin');
      const r = await refusal(await guardRoute(post(headers), { method: 'POST', permission: 'audit.read', user: s.user }));
      expect(r).toMatchObject({ status: 403, code: 'CSRF_REJECTED' });
      expect(s.calls.n).toBe(0);
    }
  });

  it('uses the endpoint\'s own origin rule when it has one', async () => {
    const s = sessionOf('admin');
    const r = await refusal(
      await guardRoute(post(), { method: 'POST', permission: 'audit.read', user: s.user, origin: () => ({ ok: false, reason: 'no upload header' }) }),
    );
    expect(r).toMatchObject({ status: 403, code: 'CSRF_REJECTED' });
    expect(JSON.stringify(r.body)).toContain('no upload header');
  });

  it('answers 401 without a session and 403 for a role the table does not grant (unknown roles included)', async () => {
    expect(await refusal(await guardRoute(post(), { method: 'POST', permission: 'audit.read', user: sessionOf(null).user }))).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
    });
    expect(await refusal(await guardRoute(post(), { method: 'POST', permission: 'audit.read', user: sessionOf('bogus').user }))).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
  });

  it('lets through exactly the roles the RBAC table grants', async () => {
    for (const role of ROLES) {
      const result = await guardRoute(post(), { method: 'POST', permission: 'modules.upload', user: sessionOf(role).user });
      if (can(role, 'modules.upload')) expect(result).toEqual(sessionFor(role));
      else expect(await refusal(result)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
  });

  it('accepts a same-origin GET without a content type', async () => {
    const get = new Request(`http://${HOST}/api/x`, { method: 'GET', headers: { host: HOST, 'sec-fetch-site': 'same-origin' } });
    expect(await guardRoute(get, { method: 'GET', permission: 'audit.export', user: sessionOf('admin').user })).toEqual(sessionFor('admin'));
  });
});

describe('routeError', () => {
  it('has one shape, uncacheable, with the status from the map', async () => {
    const response = routeError('VERIFY_IN_PROGRESS', 'busy', ['one']);
    expect(response.status).toBe(409);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.json()).toEqual({ ok: false, error: { code: 'VERIFY_IN_PROGRESS', message: 'busy', issues: ['one'] } });
  });

  it('maps every code to a client error: nothing an endpoint refuses on purpose is a 500', () => {
    const codes = Object.keys(ROUTE_ERROR_STATUS) as RouteErrorCode[];
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) {
      expect(Number.isInteger(ROUTE_ERROR_STATUS[code]), code).toBe(true);
      expect(ROUTE_ERROR_STATUS[code], code).toBeGreaterThanOrEqual(400);
      expect(ROUTE_ERROR_STATUS[code], code).toBeLessThan(500);
    }
  });
});
