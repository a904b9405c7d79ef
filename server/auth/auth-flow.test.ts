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
  const b = browser(origin, config);
  return { users, audit: services.audit, sqlite: handle.sqlite, ...b, browser: () => browser(origin, config) };
}

/** One browser: its own cookie jar. A second one is another device (or an attacker with a copied cookie). */
function browser(origin: string, config: Parameters<typeof Auth>[1]) {
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
  const signOut = async () => request('/api/auth/signout', { form: { csrfToken: await csrf() } });
  return { jar, setCookies, request, csrf, signIn, session, signOut };
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
  });

  it('a role change ends the session; signing in again carries the new role; disabling ends it too', async () => {
    const s = await site();
    await s.signIn('alice', PW);
    s.users.setRole('alice', 'viewer', 'test');
    expect(await s.session()).toBeNull(); // the operator session is gone at once
    await s.signIn('alice', PW);
    expect((await s.session())?.user?.role).toBe('viewer');
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
    await s.signOut();
    expect(await s.session()).toBeNull();
    const page = s.audit.page({ limit: 10 });
    const actions = page.ok ? page.value.events.map((e) => `${e.action} ${e.actor}`) : [];
    expect(actions.slice(0, 2)).toEqual(['auth.logout user:alice', 'auth.login user:alice']);
  });

  it('a copied session cookie stops working once its owner signs out', async () => {
    const s = await site();
    await s.signIn('alice', PW);
    const thief = s.browser();
    for (const [name, value] of s.jar) thief.jar.set(name, value); // the cookie, copied byte for byte
    expect((await thief.session())?.user?.name).toBe('alice');
    await s.signOut();
    expect(await s.session()).toBeNull();
    expect(await thief.session()).toBeNull(); // a stateless JWT would still be valid here for 8 hours
    // Signing out twice (the thief "signs out" too) records nothing more.
    await thief.signOut();
    const page = s.audit.page({ action: 'auth.logout' });
    expect(page.ok && page.value.events.length).toBe(1);
  });

  it('signing out ends only that session; an admin can end all of them, audited', async () => {
    const s = await site();
    const laptop = s.browser();
    const phone = s.browser();
    await laptop.signIn('alice', PW);
    await phone.signIn('alice', PW);
    await s.signIn('alice', PW);
    await laptop.signOut();
    expect(await laptop.session()).toBeNull();
    expect((await phone.session())?.user?.name).toBe('alice'); // one sign-out ends one session
    const ended = s.users.signOutEverywhere('alice', 'user:root');
    expect(ended.ok).toBe(true);
    expect(await phone.session()).toBeNull();
    expect(await s.session()).toBeNull();
    const page = s.audit.page({ action: 'auth.sessions_revoked' });
    const event = page.ok ? page.value.events[0] : undefined;
    expect(event).toMatchObject({ actor: 'user:root', subject: 'user:alice' });
    expect(JSON.parse(event!.payload)).toMatchObject({ sessionsRevoked: 2 });
  });

  it('a password change ends every session of the account', async () => {
    const s = await site();
    const other = s.browser();
    await s.signIn('alice', PW);
    await other.signIn('alice', PW);
    const changed = await s.users.setPassword('alice', 'a-brand-new-password', 'user:alice');
    expect(changed.ok).toBe(true);
    expect(await s.session()).toBeNull();
    expect(await other.session()).toBeNull();
    expect((await s.signIn('alice', PW)).headers.get('location')).toContain('error=CredentialsSignin');
    await s.signIn('alice', 'a-brand-new-password');
    expect((await s.session())?.user?.name).toBe('alice');
  });

  it('stores only a hash of the session id: the database alone signs nobody in', async () => {
    const s = await site();
    await s.signIn('alice', PW);
    const rows = s.sqlite.prepare('SELECT id_hash FROM sessions').all() as { id_hash: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).toMatch(/^[0-9a-f]{64}$/);
    const cookie = [...s.jar].find(([name]) => name.endsWith('session-token'))![1];
    expect(cookie).not.toContain(rows[0]!.id_hash);
  });
});
