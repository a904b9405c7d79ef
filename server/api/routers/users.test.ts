/** The users router over a real database: sessions counted in the list, "sign out everywhere" by an admin, audited with the admin as actor. */
import { describe, it, expect, afterEach } from 'vitest';
import { TRPCError } from '@trpc/server';
import { loginLimiter } from '../../auth/login-limiter';
import { usersOf } from '../../services/users';
import { createCaller } from '../root';
import { ctxFor, memoryServices, sessionFor } from '../test-support';
import type { DbHandle } from '../../../db/client';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));
const PW = 'a-good-long-password';

async function setup() {
  const { services, handle } = memoryServices();
  handles.push(handle);
  const users = usersOf(services);
  await users.create({ username: 'root', password: PW, role: 'admin' }, 'test');
  await users.create({ username: 'alice', password: PW, role: 'operator' }, 'test');
  const signIn = async (name: string) => {
    const r = await users.verifyLogin(name, PW, '192.0.2.1', { startSession: true });
    return r.ok ? r.value.sessionId! : '';
  };
  const admin = createCaller(ctxFor(sessionFor('admin', 'root', users.findByUsername('root')!.id), services));
  return { services, users, signIn, admin };
}

describe('users router', () => {
  it('lists each account with its live session count; signOutEverywhere ends them, audited as the admin', async () => {
    const { services, users, signIn, admin } = await setup();
    const a = await signIn('alice');
    await signIn('alice');
    const mine = await signIn('root');
    const listed = await admin.users.list();
    expect(listed.map((u) => [u.username, u.activeSessions])).toEqual([
      ['alice', 2],
      ['root', 1],
    ]);
    const ended = await admin.users.signOutEverywhere({ username: 'alice' });
    expect(ended).toMatchObject({ username: 'alice', activeSessions: 0, disabled: false });
    expect(users.userForSession(a)).toBeUndefined();
    expect(users.userForSession(mine)?.username).toBe('root'); // only the named account
    const page = services.audit.page({ action: 'auth.sessions_revoked' });
    expect(page.ok && page.value.events.map((e) => [e.actor, e.subject])).toEqual([['user:root', 'user:alice']]);
  });

  it('shows who is locked out and lets an admin unlock them (audited); an operator is FORBIDDEN', async () => {
    const { services, users, admin } = await setup();
    const limiter = loginLimiter();
    for (let i = 0; i < 5; i++) limiter.fail('alice', `198.51.100.${i}`, users.unlockedAt('alice'));
    expect((await admin.users.list()).find((u) => u.username === 'alice')?.lockedMinutes).toBeGreaterThan(0);
    const operator = createCaller(ctxFor(sessionFor('operator', 'alice', users.findByUsername('alice')!.id), services));
    const refused = await operator.users.unlock({ username: 'alice' }).catch((e: unknown) => e);
    expect((refused as TRPCError).code).toBe('FORBIDDEN');
    await new Promise((r) => setTimeout(r, 2)); // the unlock is strictly after the failures
    const unlocked = await admin.users.unlock({ username: 'alice' });
    expect(unlocked).toMatchObject({ username: 'alice', lockedMinutes: 0, failedLogins: 0 });
    const page = services.audit.page({ action: 'user.unlocked' });
    expect(page.ok && page.value.events.map((e) => [e.actor, e.subject])).toEqual([['user:root', 'user:alice']]);
  });

  it('an unknown account is NOT_FOUND with the domain code', async () => {
    const { admin } = await setup();
    const error = await admin.users.signOutEverywhere({ username: 'ghost' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('NOT_FOUND');
    expect(((error as TRPCError).cause as { code?: string }).code).toBe('USER_NOT_FOUND');
  });
});
