/**
 * Server-side sessions: only the hash is stored, a session ends by expiry or revocation, and every
 * account change that must end sessions does so in the same transaction as its audit event.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { testEd25519Key } from '../core/audit/test-support';
import { AuditLog } from './audit-log';
import { UserService, actorForUser } from './users';
import { hashSessionId, SESSION_TTL_MS } from './sessions';

const opened: DbHandle[] = [];
afterEach(() => opened.splice(0).forEach((h) => h.close()));
const PW = 'a-good-long-password';

async function setup() {
  const handle = openMemoryDatabase();
  opened.push(handle);
  let t = Date.UTC(2025, 0, 1);
  const audit = new AuditLog(handle.sqlite, { serverKey: testEd25519Key() });
  const users = new UserService(handle.db, audit, () => new Date(t));
  await users.create({ username: 'root', password: PW, role: 'admin' }, 'test');
  await users.create({ username: 'alice', password: PW, role: 'operator' }, 'test');
  const signIn = async (name = 'alice') => {
    const r = await users.verifyLogin(name, PW, '192.0.2.1', { startSession: true });
    if (!r.ok || !r.value.sessionId) throw new Error('sign-in failed');
    return r.value.sessionId;
  };
  const row = (id: string) => handle.sqlite.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(hashSessionId(id)) as Record<string, unknown> | undefined;
  const events = (action: string) => {
    const page = audit.page({ action: action as never });
    return page.ok ? page.value.events : [];
  };
  return { handle, users, audit, signIn, row, events, advance: (ms: number) => (t += ms) };
}

describe('sessions', () => {
  it('a password check alone starts no session; a sign-in starts one, stored only as a hash', async () => {
    const s = await setup();
    const plain = await s.users.verifyLogin('alice', PW, '192.0.2.1');
    expect(plain.ok && plain.value.sessionId).toBeUndefined();
    const id = await s.signIn();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.row(id)).toMatchObject({ address: '192.0.2.1', revoked_at: null });
    expect(s.handle.sqlite.prepare('SELECT count(*) AS n FROM sessions WHERE id_hash = ?').get(id)).toEqual({ n: 0 });
    expect(s.users.userForSession(id)?.username).toBe('alice');
  });

  it('ends 8 hours after sign-in, and refuses ids that are not ours', async () => {
    const s = await setup();
    const id = await s.signIn();
    s.advance(SESSION_TTL_MS - 1);
    expect(s.users.userForSession(id)?.username).toBe('alice');
    s.advance(1);
    expect(s.users.userForSession(id)).toBeUndefined();
    for (const bogus of [undefined, null, 42, '', 'x', id.slice(1), `${id}A`, hashSessionId(id), { id }]) {
      expect(s.users.userForSession(bogus)).toBeUndefined();
    }
  });

  it('records when a session was last seen, at most once a minute', async () => {
    const s = await setup();
    const id = await s.signIn();
    const created = s.row(id)!.last_seen_at;
    s.advance(30_000);
    s.users.userForSession(id);
    expect(s.row(id)!.last_seen_at).toBe(created);
    s.advance(30_000);
    s.users.userForSession(id);
    expect(s.row(id)!.last_seen_at).toBe((created as number) + 60_000);
  });

  it('sign-out ends one session and is audited once; other sessions of the user live on', async () => {
    const s = await setup();
    const a = await s.signIn();
    const b = await s.signIn();
    s.users.signOut(a);
    s.users.signOut(a); // again (a copied cookie): nothing more happens
    expect(s.users.userForSession(a)).toBeUndefined();
    expect(s.users.userForSession(b)?.username).toBe('alice');
    expect(s.row(a)).toMatchObject({ revoke_reason: 'sign_out', revoked_by: 'user:alice' });
    expect(s.events('auth.logout')).toHaveLength(1);
    expect(JSON.parse(s.events('auth.logout')[0]!.payload)).toEqual({ session: hashSessionId(a).slice(0, 16) });
  });

  it.each([
    ['disable', (u: UserService) => u.disable('alice', actorForUser('root')), 'disabled', 'user.disabled'],
    ['role change', (u: UserService) => u.setRole('alice', 'viewer', actorForUser('root')), 'role_changed', 'user.role_changed'],
    ['sign out everywhere', (u: UserService) => u.signOutEverywhere('alice', actorForUser('root')), 'signed_out_everywhere', 'auth.sessions_revoked'],
    ['password change', (u: UserService) => u.setPassword('alice', 'another-long-password', actorForUser('root')), 'password_changed', 'user.password_changed'],
  ] as const)('%s ends every session of the account, only that account, audited with the count', async (_what, change, reason, action) => {
    const s = await setup();
    const a = await s.signIn();
    const b = await s.signIn();
    const admin = await s.signIn('root');
    const result = await change(s.users);
    expect(result.ok).toBe(true);
    expect(s.users.userForSession(a)).toBeUndefined();
    expect(s.users.userForSession(b)).toBeUndefined();
    expect(s.users.userForSession(admin)?.username).toBe('root');
    expect(s.row(a)).toMatchObject({ revoke_reason: reason, revoked_by: 'user:root' });
    const event = s.events(action)[0]!;
    expect(event).toMatchObject({ actor: 'user:root', subject: 'user:alice' });
    expect(JSON.parse(event.payload)).toMatchObject({ sessionsRevoked: 2 });
  });

  it('if the audit event cannot be written, nothing is revoked (one transaction)', async () => {
    const s = await setup();
    const id = await s.signIn();
    s.handle.sqlite.exec("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit offline'); END");
    expect(() => s.users.signOutEverywhere('alice', 'user:root')).toThrow(/audit offline/);
    expect(() => s.users.signOut(id)).toThrow(/audit offline/);
    expect(s.users.userForSession(id)?.username).toBe('alice');
  });

  it('password changes are checked like new passwords; unknown users are named', async () => {
    const s = await setup();
    expect(await s.users.setPassword('alice', 'short', 'test')).toMatchObject({ ok: false, code: 'PASSWORD_TOO_SHORT' });
    expect(await s.users.setPassword('nobody', 'another-long-password', 'test')).toMatchObject({ ok: false, code: 'USER_NOT_FOUND' });
    expect(s.users.signOutEverywhere('nobody', 'test')).toMatchObject({ ok: false, code: 'USER_NOT_FOUND' });
    expect((await s.users.verifyLogin('alice', PW, 'x')).ok).toBe(true); // unchanged
  });
});
