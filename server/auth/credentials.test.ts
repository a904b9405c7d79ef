import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialsSignin } from '@auth/core/errors';
import { attemptsLeftErrorFrom, checkCredentials, rateLimitedErrorFrom } from './credentials';
import { createAuthConfig } from './config';
import { LoginRateLimiter } from './rate-limit';
import { clientAddress } from './client-address';
import { loadOrCreateAuthSecret } from './secret';
import { usersOf } from '../services/users';
import { guardedHeaders, memoryServices } from '../api/test-support';
import type { DbHandle } from '../../db/client';

const handles: DbHandle[] = [];
const dirs: string[] = [];
afterEach(() => {
  handles.splice(0).forEach((h) => h.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const PW = 'a-good-long-password';
async function setup() {
  const { services, handle } = memoryServices();
  handles.push(handle);
  const users = usersOf(services);
  await users.create({ username: 'alice', password: PW, role: 'operator' }, 'test');
  let t = 0;
  const limiter = new LoginRateLimiter(() => t);
  return {
    users,
    limiter,
    rateLimited: rateLimitedErrorFrom(CredentialsSignin),
    attemptsLeft: attemptsLeftErrorFrom(CredentialsSignin),
    advance: (ms: number) => (t += ms),
  };
}
const from = (ip: string) => guardedHeaders(ip);

describe('checkCredentials', () => {
  it('signs in with the right password (username case-insensitive) and refuses a wrong one', async () => {
    const deps = await setup();
    expect(await checkCredentials(deps, { username: ' Alice ', password: PW }, from('10.0.0.1'))).toMatchObject({ name: 'alice', role: 'operator' });
    expect(await checkCredentials(deps, { username: 'alice', password: 'wrong password!' }, from('10.0.0.1'))).toBeNull();
    expect(await checkCredentials(deps, { username: 42, password: ['x'] }, from('10.0.0.1'))).toBeNull();
  });

  it('locks the account after 5 failures, even with the right password, and says for how long', async () => {
    const deps = await setup();
    // the 3rd and 4th failures carry the warning (tested below)
    for (let i = 0; i < 5; i++) await checkCredentials(deps, { username: 'alice', password: `wrong-${i}-password` }, from(`10.0.0.${i}`)).catch(() => null);
    const locked = checkCredentials(deps, { username: 'alice', password: PW }, from('10.0.0.99'));
    await expect(locked).rejects.toBeInstanceOf(CredentialsSignin); // what Auth.js needs to pass the code on
    await expect(locked).rejects.toMatchObject({ code: 'rate_limited', minutes: 15 });
    deps.advance(15 * 60_000);
    expect(await checkCredentials(deps, { username: 'alice', password: PW }, from('10.0.0.99'))).not.toBeNull();
  });

  it('warns before the lock with the attempts left, in the same words for a real and an unknown account', async () => {
    const deps = await setup();
    const outcomes = async (username: string) => {
      const seen: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        seen.push(await checkCredentials(deps, { username, password: `wrong-${i}-password` }, from(`10.1.${username.length}.${i}`)).then(
          (v) => v,
          (e: { code?: string; left?: number; minutes?: number }) => ({ code: e.code, left: e.left, minutes: e.minutes }),
        ));
      }
      return seen;
    };
    const expected = [null, null, { code: 'attempts_left_2', left: 2, minutes: 15 }, { code: 'attempts_left_1', left: 1, minutes: 15 }, null];
    expect(await outcomes('alice')).toEqual(expected);
    expect(await outcomes('nobody-here')).toEqual(expected); // no account enumeration through the warning
    await expect(checkCredentials(deps, { username: 'alice', password: PW }, from('10.9.9.9'))).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it("an admin's unlock (stored in the database) lets the account in at once, but not a spraying address", async () => {
    const deps = await setup();
    for (let i = 0; i < 5; i++) await checkCredentials(deps, { username: 'alice', password: `wrong-${i}-password` }, from(`10.0.0.${i}`)).catch(() => null);
    await expect(checkCredentials(deps, { username: 'alice', password: PW }, from('10.0.0.99'))).rejects.toMatchObject({ code: 'rate_limited' });
    expect(deps.limiter.accountLockedMinutes('alice', deps.users.unlockedAt('alice'))).toBe(15);
    deps.advance(1); // the unlock comes after the failures
    expect(deps.users.unlock('alice', 'user:root').ok).toBe(true);
    expect(deps.limiter.accountLockedMinutes('alice', deps.users.unlockedAt('alice'))).toBe(0);
    expect(await checkCredentials(deps, { username: 'alice', password: PW }, from('10.0.0.99'))).toMatchObject({ name: 'alice' });
    // An address that failed 20 times against many names stays refused: unlocking an account frees the account only.
    for (let i = 0; i < 20; i++) await checkCredentials(deps, { username: `name-${i}`, password: 'wrong password!' }, from('10.7.7.7')).catch(() => null);
    deps.users.unlock('alice', 'user:root');
    await expect(checkCredentials(deps, { username: 'alice', password: PW }, from('10.7.7.7'))).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('the Auth.js jwt callback checks the server-side session on every use', async () => {
    const deps = await setup();
    const config = createAuthConfig({ ...deps, secret: 'x'.repeat(32) });
    const user = (await checkCredentials(deps, { username: 'alice', password: PW }, from('::1')))!;
    expect(user.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const jwt = config.callbacks!.jwt!;
    const token = await jwt({ token: {}, user: { ...user }, account: null, trigger: 'signIn' } as never);
    expect(token).toMatchObject({ sub: user.id, role: 'operator', sid: user.sessionId });
    expect(await jwt({ token: { ...token } } as never)).toMatchObject({ role: 'operator', sub: user.id });
    // Tokens the server did not issue with a live session: no sid, a made-up sid, another user's sid.
    const { sid: _sid, ...withoutSid } = token as Record<string, unknown>;
    expect(await jwt({ token: withoutSid } as never)).toBeNull();
    expect(await jwt({ token: { ...token, sid: 'A'.repeat(43) } } as never)).toBeNull();
    expect(await jwt({ token: { ...token, sub: 'forged-id' } } as never)).toBeNull();
    expect(await jwt({ token: { sub: 'forged-id', role: 'admin', signedInAt: Date.now() } } as never)).toBeNull();
    deps.users.setRole('alice', 'approver', 'test');
    expect(await jwt({ token: { ...token } } as never)).toBeNull(); // a role change ends the session
    const again = (await checkCredentials(deps, { username: 'alice', password: PW }, from('::1')))!;
    const second = await jwt({ token: {}, user: { ...again }, account: null, trigger: 'signIn' } as never);
    expect(await jwt({ token: { ...second } } as never)).toMatchObject({ role: 'approver' });
    deps.users.disable('alice', 'test');
    expect(await jwt({ token: { ...second } } as never)).toBeNull();
  });

  it('ends every session 8 hours after sign-in, however active it was', async () => {
    const deps = await setup();
    let t = 1_000_000;
    const jwt = createAuthConfig({ ...deps, secret: 'x'.repeat(32), now: () => t }).callbacks!.jwt!;
    const user = (await checkCredentials(deps, { username: 'alice', password: PW }, from('::1')))!;
    const token = await jwt({ token: {}, user: { ...user }, account: null, trigger: 'signIn' } as never);
    t += 8 * 3600_000;
    expect(await jwt({ token: { ...token } } as never)).not.toBeNull();
    t += 1;
    expect(await jwt({ token: { ...token } } as never)).toBeNull();
    expect(await jwt({ token: { ...token, signedInAt: undefined } } as never)).toBeNull();
  });
});

describe('clientAddress', () => {
  it('is the socket address the guard resolved; client-sent proxy headers do not move it', () => {
    expect(clientAddress(guardedHeaders('203.0.113.9'))).toBe('203.0.113.9');
    expect(clientAddress(guardedHeaders('203.0.113.9', { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '7.7.7.7' }))).toBe('203.0.113.9');
    expect(clientAddress(guardedHeaders('::ffff:192.0.2.5'))).toBe('192.0.2.5');
    expect(clientAddress(guardedHeaders('2001:DB8::1'))).toBe('2001:db8::1');
  });

  it('a request without the guard stamp (or with a forged one) shares the one "unknown" bucket', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '203.0.113.9' }))).toBe('unknown');
    expect(clientAddress(new Headers({ 'x-nightcore-client': '203.0.113.9', 'x-nightcore-guard': '0'.repeat(32) }))).toBe('unknown');
    const stamped = guardedHeaders('203.0.113.9');
    stamped.set('x-nightcore-client', '<script>');
    expect(clientAddress(stamped)).toBe('unknown');
  });
});

describe('loadOrCreateAuthSecret', () => {
  it('prefers AUTH_SECRET, else creates a 0600 file once and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-secret-'));
    dirs.push(dir);
    expect(loadOrCreateAuthSecret(dir, 'e'.repeat(40))).toBe('e'.repeat(40));
    expect(() => loadOrCreateAuthSecret(dir, 'short')).toThrow(/at least 32/);
    const first = loadOrCreateAuthSecret(dir, undefined);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, 'auth-secret')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateAuthSecret(dir, '')).toBe(first);
    expect(readFileSync(join(dir, 'auth-secret'), 'utf8').trim()).toBe(first);
  });

  it('refuses a secret file that others can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-secret-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'auth-secret'), 'y'.repeat(43));
    chmodSync(join(dir, 'auth-secret'), 0o644);
    expect(() => loadOrCreateAuthSecret(dir, undefined)).toThrow(/group or others/);
  });
});
