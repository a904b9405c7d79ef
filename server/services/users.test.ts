import { describe, it, expect, afterEach } from 'vitest';
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { testEd25519Key } from '../core/audit/test-support';
import { AuditLog } from './audit-log';
import { UserService, usersOf, actorForUser } from './users';
import { ensureInitialAdmin } from './initial-admin';
import { users } from '../../db/schema';

const serverKey = testEd25519Key();
const opened: DbHandle[] = [];
afterEach(() => opened.splice(0).forEach((h) => h.close()));

type Fixture = { handle: DbHandle; audit: AuditLog; serverKey: typeof serverKey };
function services(): Fixture {
  const handle = openMemoryDatabase();
  opened.push(handle);
  return { handle, audit: new AuditLog(handle.sqlite, { serverKey }), serverKey };
}
/** The audit events, oldest first. */
function actions(s: Fixture) {
  const page = s.audit.page({ limit: 100 });
  if (!page.ok) throw new Error(page.message);
  return [...page.value.events].reverse();
}
const PW = 'a-good-long-password';

describe('UserService', () => {
  it('creates users with a hashed password and audits it with the caller as actor', async () => {
    const s = services();
    const created = await usersOf(s).create({ username: 'alice', password: PW, role: 'operator' }, 'user:root');
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.value).not.toHaveProperty('passwordHash');
    expect(created.value).toMatchObject({ username: 'alice', role: 'operator', disabled: false, createdBy: 'user:root' });
    const stored = s.handle.db.select().from(users).all()[0]!;
    expect(stored.passwordHash).toMatch(/^scrypt\$15\$/);
    expect(stored.passwordHash).not.toContain(PW);
    const events = actions(s);
    expect(events.map((e) => [e.action, e.actor, e.subject])).toContainEqual(['user.created', 'user:root', 'user:alice']);
    expect(usersOf(s).list().map((u) => u.username)).toEqual(['alice']);
  });

  it('rejects bad usernames (anchored), roles, short passwords and duplicates, with codes', async () => {
    const u = usersOf(services());
    for (const name of ['al', 'Alice', '-alice', 'alice\n', 'a'.repeat(33), 'ali ce', 'x\nalice', '']) {
      const r = await u.create({ username: name, password: PW, role: 'viewer' }, 'test');
      expect(r.ok || r.code, JSON.stringify(name)).toBe('INVALID_USERNAME');
    }
    const role = await u.create({ username: 'bob', password: PW, role: 'root' }, 'test');
    expect(role.ok || role.code).toBe('INVALID_ROLE');
    const short = await u.create({ username: 'bob', password: 'elevenchars', role: 'viewer' }, 'test');
    expect(short.ok || short.code).toBe('PASSWORD_TOO_SHORT');
    expect((await u.create({ username: 'bob', password: PW, role: 'viewer' }, 'test')).ok).toBe(true);
    const dup = await u.create({ username: 'bob', password: PW, role: 'admin' }, 'test');
    expect(dup.ok || dup.code).toBe('USER_EXISTS');
    expect(u.count()).toBe(1);
  });

  it('disables and changes roles, audited, and protects the last admin and the actor themself', async () => {
    const s = services();
    const u = usersOf(s);
    await u.create({ username: 'root1', password: PW, role: 'admin' }, 'test');
    await u.create({ username: 'carol', password: PW, role: 'viewer' }, 'test');
    const promoted = u.setRole('carol', 'approver', actorForUser('root1'));
    expect(promoted.ok && promoted.value.role).toBe('approver');
    const same = u.setRole('carol', 'approver', actorForUser('root1'));
    expect(same.ok || same.code).toBe('ROLE_UNCHANGED');
    expect((u.setRole('nobody', 'viewer', 'test') as { code: string }).code).toBe('USER_NOT_FOUND');
    expect((u.setRole('carol', 'god', 'test') as { code: string }).code).toBe('INVALID_ROLE');
    expect((u.setRole('root1', 'viewer', actorForUser('root1')) as { code: string }).code).toBe('SELF_CHANGE');
    expect((u.setRole('root1', 'viewer', 'cli:ops') as { code: string }).code).toBe('LAST_ADMIN');
    expect((u.disable('root1', 'cli:ops') as { code: string }).code).toBe('LAST_ADMIN');
    expect((u.disable('root1', actorForUser('root1')) as { code: string }).code).toBe('SELF_CHANGE');
    const disabled = u.disable('carol', actorForUser('root1'));
    expect(disabled.ok && disabled.value.disabled).toBe(true);
    expect((u.disable('carol', 'test') as { code: string }).code).toBe('ALREADY_DISABLED');
    expect(u.findActiveById(disabled.ok ? disabled.value.id : '')).toBeUndefined();
    const events = actions(s).filter((e) => e.action.startsWith('user.') && e.action !== 'user.created');
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['user.role_changed', 'user:root1'],
      ['user.disabled', 'user:root1'],
    ]);
    expect(JSON.parse(events[0]!.payload)).toMatchObject({ from: 'viewer', to: 'approver' });
  });

  it('verifies logins without saying which part was wrong, counting and auditing failures', async () => {
    const s = services();
    const u = usersOf(s);
    await u.create({ username: 'dave', password: PW, role: 'viewer' }, 'test');
    const good = await u.verifyLogin('dave', PW, '10.0.0.1');
    expect(good.ok && good.value.username).toBe('dave');
    const failures = [
      await u.verifyLogin('dave', 'wrong password!!', '10.0.0.1'),
      await u.verifyLogin('nobody', PW, '10.0.0.1'),
      await u.verifyLogin('Bad Name\n', PW, '10.0.0.1'),
    ];
    for (const f of failures) expect(f).toEqual({ ok: false, code: 'INVALID_CREDENTIALS', message: 'invalid username or password' });
    expect(u.findByUsername('dave')?.failedLogins).toBe(1);
    u.disable('dave', 'test');
    expect((await u.verifyLogin('dave', PW, '10.0.0.1')).ok).toBe(false); // right password, disabled
    expect(actions(s).filter((e) => e.action === 'auth.login').map((e) => [e.actor, JSON.parse(e.payload).address])).toEqual([['user:dave', '10.0.0.1']]);
    const failed = actions(s).filter((e) => e.action === 'auth.login_failed');
    expect(failed.map((e) => [e.subject, JSON.parse(e.payload).reason])).toEqual([
      ['user:dave', 'bad_password'],
      ['user:nobody', 'unknown_user'],
      ['user:(invalid name)', 'unknown_user'],
      ['user:dave', 'disabled'],
    ]);
  });

  it('fails closed: when the audit event cannot be written, the change is rolled back', async () => {
    const s = services();
    const brokenAudit = new AuditLog(s.handle.sqlite, { serverKey: s.serverKey, now: () => new Date(Number.NaN) });
    const u = new UserService(s.handle.db, brokenAudit, () => new Date());
    await expect(u.create({ username: 'erin', password: PW, role: 'viewer' }, 'test')).rejects.toThrow();
    expect(usersOf(s).count()).toBe(0);
    await usersOf(s).create({ username: 'erin', password: PW, role: 'viewer' }, 'test');
    await usersOf(s).create({ username: 'frank', password: PW, role: 'admin' }, 'test');
    expect(() => u.setRole('erin', 'admin', 'test')).toThrow();
    expect(() => u.disable('erin', 'test')).toThrow();
    expect(usersOf(s).findByUsername('erin')).toMatchObject({ role: 'viewer', disabled: false });
    await expect(u.verifyLogin('erin', 'not the password', '::1')).rejects.toThrow(); // an unaudited failure is not silent
    await expect(u.verifyLogin('erin', PW, '::1')).rejects.toThrow(); // nor is an unaudited sign-in
  });
});

describe('ensureInitialAdmin', () => {
  it('creates admin with a generated password printed once, and never again', async () => {
    const s = services();
    const lines: string[] = [];
    const first = ensureInitialAdmin(s, {}, (l) => lines.push(l));
    expect(first.ok && first.value?.role).toBe('admin');
    const printed = lines.join('\n').match(/shown only this once\): (\S+)/)?.[1];
    expect(printed).toBeDefined();
    expect((await usersOf(s).verifyLogin('admin', printed!, '::1')).ok).toBe(true);
    const again = ensureInitialAdmin(s, {}, (l) => lines.push(l));
    expect(again).toEqual({ ok: true, value: undefined });
    expect(lines.filter((l) => l.includes(printed!))).toHaveLength(1);
    expect(actions(s).find((e) => e.action === 'user.created')?.actor).toBe('system:bootstrap');
  });

  it('uses NIGHTCORE_ADMIN_PASSWORD without printing it, and refuses a weak one', async () => {
    const s = services();
    const weak = ensureInitialAdmin(s, { NIGHTCORE_ADMIN_PASSWORD: 'short' }, () => {});
    expect(weak.ok || weak.code).toBe('PASSWORD_TOO_SHORT');
    expect(usersOf(s).count()).toBe(0);
    const lines: string[] = [];
    expect(ensureInitialAdmin(s, { NIGHTCORE_ADMIN_PASSWORD: PW }, (l) => lines.push(l)).ok).toBe(true);
    expect(lines.join('\n')).not.toContain(PW);
    expect((await usersOf(s).verifyLogin('admin', PW, '::1')).ok).toBe(true);
  });
});
