/**
 * The sign-in flow through Auth.js's real request handler (the same endpoints the console serves
 * under /api/auth), without Next.js: CSRF token, credentials callback, session, cookies flags,
 * a disabled user losing the session, the rate-limit code, sign-out.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Auth } from '@auth/core';
import { CredentialsSignin } from '@auth/core/errors';
import { createAuthConfig } from './config';
import { rateLimitedErrorFrom } from './credentials';
import { LoginRateLimiter } from './rate-limit';
import { usersOf, type UserService } from '../services/users';
import { memoryServices } from '../api/test-support';
import type { DbHandle } from '../../db/client';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));
const PW = 'a-good-long-password';

async function site(origin = 'http://localhost:3000') {
  const { services, handle } = memoryServices();
  handles.push(handle);
  const users: UserService = usersOf(services);
  await users.create({ username: 'alice', password: PW, role: 'operator' }, 'test');
  const config = { ...createAuthConfig({ users, limiter: new LoginRateLimiter(), rateLimited: rateLimitedErrorFrom(CredentialsSignin), secret: 's'.repeat(40) }), basePath: '/api/auth' };
  const jar = new Map<string, string>();
  const setCookies: string[] = [];
  async function request(path: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const headers = new Headers({ cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), 'x-forwarded-for': '198.51.100.4' });
    let body: string | undefined;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const res = await Auth(new Request(`${origin}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body }), config);
    for (const c of res.headers.getSetCookie()) {
      setCookies.push(c);
      const [pair] = c.split(';');
      const [name, ...value] = pair!.split('=');
      if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name!);
      else jar.set(name!, value.join('='));
    }
    return res;
  }
  const csrf = async () => ((await (await request('/api/auth/csrf')).json()) as { csrfToken: string }).csrfToken;
  const signIn = async (username: string, password: string) =>
    request('/api/auth/callback/credentials', { form: { username, password, csrfToken: await csrf(), callbackUrl: `${origin}/modules` } });
  const session = async () => (await (await request('/api/auth/session')).json()) as { user?: { name: string; role: string; id: string } } | null;
  return { users, audit: services.audit, jar, setCookies, request, csrf, signIn, session };
}

describe('Auth.js credentials flow', () => {
  it('signs in, carries id and current role in the session, with HttpOnly SameSite=Lax cookies', async () => {
    const s = await site();
    const res = await s.signIn('alice', PW);
    expect(res.status).toBe(302);
    // A path, not an absolute URL: the browser stays on the host it used (see the redirect callback).
    expect(res.headers.get('location')).toBe('/modules');
    const cookie = s.setCookies.find((c) => c.startsWith('authjs.session-token='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain http (localhost)
    expect((await s.session())?.user).toMatchObject({ name: 'alice', role: 'operator' });
    s.users.setRole('alice', 'viewer', 'test');
    expect((await s.session())?.user?.role).toBe('viewer'); // demotion applies on the next request
    s.users.disable('alice', 'test');
    expect(await s.session()).toBeNull(); // disabled: the session is gone at once
  });

  it('uses __Secure- cookies with the Secure flag over https', async () => {
    const s = await site('https://nightcore.example');
    await s.signIn('alice', PW);
    const cookie = s.setCookies.find((c) => c.startsWith('__Secure-authjs.session-token='));
    expect(cookie).toMatch(/; Secure/i);
  });

  it('a wrong password or unknown user get the same answer; the sixth try is rate limited', async () => {
    const s = await site();
    const wrong = await s.signIn('alice', 'not-the-password');
    const unknown = await s.signIn('zed', 'not-the-password');
    for (const r of [wrong, unknown]) expect(r.headers.get('location')).toBe('http://localhost:3000/signin?error=CredentialsSignin&code=credentials');
    for (let i = 0; i < 4; i++) await s.signIn('alice', 'still-not-the-password');
    const limited = await s.signIn('alice', PW);
    expect(limited.headers.get('location')).toContain('code=rate_limited');
    expect(await s.session()).toBeNull();
  });

  it('refuses a credentials POST without the CSRF token', async () => {
    const s = await site();
    await s.csrf(); // cookie present, but the form lacks the token
    const res = await s.request('/api/auth/callback/credentials', { form: { username: 'alice', password: PW } });
    expect(res.headers.get('location')).toContain('error=MissingCSRF');
    expect(await s.session()).toBeNull();
  });

  it('signs out, audited', async () => {
    const s = await site();
    await s.signIn('alice', PW);
    expect(await s.session()).not.toBeNull();
    await s.request('/api/auth/signout', { form: { csrfToken: await s.csrf() } });
    expect(await s.session()).toBeNull();
    const page = s.audit.page({ limit: 10 });
    const actions = page.ok ? page.value.events.map((e) => `${e.action} ${e.actor}`) : [];
    expect(actions.slice(0, 2)).toEqual(['auth.logout user:alice', 'auth.login user:alice']);
  });
});
