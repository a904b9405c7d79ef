/**
 * Console accounts: create, list, disable, change role or password, check a password, sign in and
 * out (server-side sessions, ./sessions.ts). Disabling, a role change, a password change and an
 * admin's "sign out everywhere" revoke every session of the account in the same transaction as the
 * change and its audit event. Every change is written
 * together with its audit event in ONE transaction (AuditLog.record); if the event cannot be
 * written, the change does not happen. The actor always comes from the caller (session or CLI
 * shell), never from request input.
 */
import { randomUUID } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { users } from '../../db/schema';
import { ok, err, type Result } from '../core/result';
import { checkNewPassword, dummyPasswordHash, hashPassword, needsRehash, verifyPassword, type PasswordPolicyCode } from '../core/access/password';
import { isRole, type Role } from '../core/access/rbac';
import { checkSeat, entitlementOf, type Entitlement } from '../core/license';
import type { AuditLog } from './audit-log';
import { SessionStore, type RevokeReason } from './sessions';
import type { Services } from './index'; // type only: no runtime dependency on the wiring

/** Anchored: the whole name, 3 to 32 characters, lower case, no leading punctuation. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,31}$/;

type UserRow = typeof users.$inferSelect;
/** A user as the rest of the system sees it: never the password hash. */
export type PublicUser = Omit<UserRow, 'passwordHash'>;

export type UserCreateCode = 'INVALID_USERNAME' | 'INVALID_ROLE' | 'USER_EXISTS' | 'SEAT_LIMIT' | PasswordPolicyCode;
export type UserChangeCode = 'USER_NOT_FOUND' | 'ALREADY_DISABLED' | 'ROLE_UNCHANGED' | 'INVALID_ROLE' | 'LAST_ADMIN' | 'SELF_CHANGE';
export type PasswordChangeCode = 'USER_NOT_FOUND' | PasswordPolicyCode;
/** A good password; with `startSession`, also the id of the new session (for the cookie only, never stored). */
export type LoginSuccess = PublicUser & { readonly sessionId?: string };
type ChangeAction = 'user.disabled' | 'user.role_changed' | 'user.password_changed' | 'user.unlocked' | 'auth.sessions_revoked';
type ChangePayload = { [k: string]: string | number };
export type LoginCode = 'INVALID_CREDENTIALS';

/** Why a login failed, for the audit log only: the person signing in always hears "invalid credentials". */
type LoginFailure = 'unknown_user' | 'bad_password' | 'disabled';

/** The audit actor for a signed-in console user. */
export const actorForUser = (username: string) => `user:${username}`;

/** Thrown inside a write transaction to roll it back; turned into a Result before leaving this file. */
class Refusal extends Error {
  constructor(readonly code: UserChangeCode, message: string) {
    super(message);
  }
}

function publicUser(row: UserRow): PublicUser {
  const { passwordHash: _hidden, ...rest } = row;
  return rest;
}

export class UserService {
  readonly sessions: SessionStore;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    /** The license in force (seats); without one, the community edition's seats. */
    private readonly entitlement: () => Entitlement = () => entitlementOf(undefined, now()),
  ) {
    this.sessions = new SessionStore(db, now);
  }

  async create(input: { username: string; password: string; role: string }, actor: string): Promise<Result<PublicUser, UserCreateCode>> {
    const checked = this.checkNew(input);
    if (!checked.ok) return checked;
    return this.insertHashed(input.username, await hashPassword(input.password), checked.value, actor);
  }

  /** Validation shared by the async and start-up paths. */
  checkNew(input: { username: string; password: string; role: string }): Result<Role, UserCreateCode> {
    if (!USERNAME_PATTERN.test(input.username)) {
      return err('INVALID_USERNAME', 'a username is 3 to 32 characters: a-z, 0-9, ".", "_" or "-", starting with a letter or digit');
    }
    if (!isRole(input.role)) return err('INVALID_ROLE', 'role must be viewer, operator, approver or admin');
    const password = checkNewPassword(input.password);
    if (!password.ok) return password;
    return ok(input.role);
  }

  /** Inserts an already-validated user whose password is already hashed. */
  insertHashed(username: string, passwordHash: string, role: Role, actor: string): Result<PublicUser, 'USER_EXISTS' | 'SEAT_LIMIT'> {
    const at = this.now();
    const row: UserRow = {
      id: randomUUID(),
      username,
      passwordHash,
      role,
      disabled: false,
      failedLogins: 0,
      lastFailedLoginAt: null,
      lockoutClearedAt: null,
      lastLoginAt: null,
      createdAt: at,
      createdBy: actor,
      updatedAt: at,
    };
    try {
      // The seat count and the insert share one transaction, so two creations cannot both take the last seat.
      const seat = this.db.$client.transaction(() => {
        const enabled = this.db.select({ n: count() }).from(users).where(eq(users.disabled, false)).get()?.n ?? 0;
        const fits = checkSeat(this.entitlement(), enabled);
        if (!fits.ok) return fits;
        this.audit.record({ actor, action: 'user.created', subject: `user:${username}`, payload: { id: row.id, role } }, () =>
          this.db.insert(users).values(row).run(),
        );
        return fits;
      })();
      if (!seat.ok) return seat;
    } catch (e) {
      // the unique index decides, so two concurrent creations cannot both succeed
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return err('USER_EXISTS', `user "${username}" already exists`);
      throw e;
    }
    return ok(publicUser(row));
  }

  list(): PublicUser[] {
    return this.db.select().from(users).orderBy(users.username).all().map(publicUser);
  }

  count(): number {
    return this.db.select({ n: count() }).from(users).get()?.n ?? 0;
  }

  /** The user behind a session, if it still exists and is enabled; read fresh on every request. */
  findActiveById(id: string): PublicUser | undefined {
    const row = this.db.select().from(users).where(and(eq(users.id, id), eq(users.disabled, false))).get();
    return row ? publicUser(row) : undefined;
  }

  findByUsername(username: string): PublicUser | undefined {
    const row = this.db.select().from(users).where(eq(users.username, username)).get();
    return row ? publicUser(row) : undefined;
  }

  disable(username: string, actor: string): Result<PublicUser, UserChangeCode> {
    if (actor === actorForUser(username)) return err('SELF_CHANGE', 'you cannot disable your own account');
    return this.change(username, actor, (row) => {
      if (row.disabled) throw new Refusal('ALREADY_DISABLED', `user "${username}" is already disabled`);
      if (row.role === 'admin') this.requireAnotherAdmin(row.id);
      return { action: 'user.disabled', set: { disabled: true }, payload: { id: row.id, role: row.role }, revoke: 'disabled' };
    });
  }

  setRole(username: string, role: string, actor: string): Result<PublicUser, UserChangeCode> {
    if (!isRole(role)) return err('INVALID_ROLE', 'role must be viewer, operator, approver or admin');
    if (actor === actorForUser(username)) return err('SELF_CHANGE', 'you cannot change your own role');
    return this.change(username, actor, (row) => {
      if (row.role === role) throw new Refusal('ROLE_UNCHANGED', `user "${username}" already has role ${role}`);
      if (row.role === 'admin' && !row.disabled) this.requireAnotherAdmin(row.id);
      // The old role's sessions end: whoever holds them signs in again and gets the new role knowingly.
      return { action: 'user.role_changed', set: { role }, payload: { id: row.id, from: row.role, to: role }, revoke: 'role_changed' };
    });
  }

  /** Sets a new password (checked like a new account's) and ends every session of the account. */
  async setPassword(username: string, password: string, actor: string): Promise<Result<PublicUser, PasswordChangeCode>> {
    const checked = checkNewPassword(password);
    if (!checked.ok) return checked;
    const passwordHash = await hashPassword(password);
    const changed = this.change(username, actor, (row) => ({
      action: 'user.password_changed',
      set: { passwordHash, failedLogins: 0 },
      payload: { id: row.id },
      revoke: 'password_changed',
    }));
    return changed.ok || changed.code === 'USER_NOT_FOUND' ? (changed as Result<PublicUser, PasswordChangeCode>) : err('USER_NOT_FOUND', changed.message);
  }

  /** An admin ends every session of an account (a lost laptop, a leaked cookie); audited with the count. */
  signOutEverywhere(username: string, actor: string): Result<PublicUser, UserChangeCode> {
    return this.change(username, actor, (row) => ({ action: 'auth.sessions_revoked', set: {}, payload: { id: row.id }, revoke: 'signed_out_everywhere' }));
  }

  /**
   * An admin unlocks an account locked by failed sign-ins: earlier failures stop counting (in every
   * process, through lockoutClearedAt) and the failure counter restarts. Audited; allowed whether or
   * not the account is locked right now, since only the signing-in process knows that.
   */
  unlock(username: string, actor: string): Result<PublicUser, UserChangeCode> {
    return this.change(username, actor, (row) => ({
      action: 'user.unlocked',
      set: { failedLogins: 0, lockoutClearedAt: this.now() },
      payload: { id: row.id, failedLogins: row.failedLogins },
    }));
  }

  /** When an admin last unlocked this name (ms), for the sign-in limiter; undefined for unknown names. */
  unlockedAt(username: string): number | undefined {
    if (!USERNAME_PATTERN.test(username)) return undefined;
    const row = this.db.select({ at: users.lockoutClearedAt }).from(users).where(eq(users.username, username)).get();
    return row?.at?.getTime();
  }

  /** The user behind a session id from a cookie, if the session is live and the user enabled. */
  userForSession(sessionId: unknown): PublicUser | undefined {
    const session = this.sessions.check(sessionId);
    return session ? this.findActiveById(session.userId) : undefined;
  }

  /** Ends one session (the user signed out) and audits it; a session already ended changes nothing. */
  signOut(sessionId: string): void {
    const live = this.sessions.owner(sessionId);
    if (!live) return;
    const row = this.db.select({ username: users.username }).from(users).where(eq(users.id, live.userId)).get();
    if (!row) return;
    const event = { actor: actorForUser(row.username), action: 'auth.logout', subject: `user:${row.username}`, payload: { session: live.idHash.slice(0, 16) } } as const;
    this.audit.record(event, () => this.sessions.revoke(sessionId, 'sign_out', actorForUser(row.username)));
  }

  /**
   * Checks a password. Unknown users are checked against a dummy hash so every failure costs the
   * same time; disabled users fail like a wrong password. Failures are counted and audited.
   */
  async verifyLogin(username: string, password: string, address: string, options: { startSession?: boolean } = {}): Promise<Result<LoginSuccess, LoginCode>> {
    const row = USERNAME_PATTERN.test(username) ? this.db.select().from(users).where(eq(users.username, username)).get() : undefined;
    const good = await verifyPassword(password, row?.passwordHash ?? dummyPasswordHash());
    const failure: LoginFailure | undefined = !row ? 'unknown_user' : !good ? 'bad_password' : row.disabled ? 'disabled' : undefined;
    const at = this.now();
    if (failure || !row) {
      // Never echo an arbitrary typed name into the log: only names that could be real accounts.
      const subject = USERNAME_PATTERN.test(username) ? `user:${username}` : 'user:(invalid name)';
      this.audit.record({ actor: `anonymous:${address}`, action: 'auth.login_failed', subject, payload: { reason: failure ?? 'unknown_user', address } }, () => {
        if (row) this.db.update(users).set({ failedLogins: row.failedLogins + 1, lastFailedLoginAt: at }).where(eq(users.id, row.id)).run();
      });
      return err('INVALID_CREDENTIALS', 'invalid username or password');
    }
    // Raise the cost of an old hash while the plain password is at hand.
    const rehashed = needsRehash(row.passwordHash) ? await hashPassword(password) : undefined;
    const set = { failedLogins: 0, lastLoginAt: at, ...(rehashed ? { passwordHash: rehashed } : {}) };
    // The session row commits with the auth.login event, or neither does.
    const apply = () => {
      this.db.update(users).set(set).where(eq(users.id, row.id)).run();
      return options.startSession ? this.sessions.start(row.id, address) : undefined;
    };
    const sessionId = this.audit.record({ actor: actorForUser(row.username), action: 'auth.login', subject: `user:${row.username}`, payload: { address } }, apply);
    return ok({ ...publicUser({ ...row, ...set }), ...(sessionId ? { sessionId } : {}) });
  }

  private requireAnotherAdmin(exceptId: string): void {
    const others = this.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, 'admin'), eq(users.disabled, false)))
      .all()
      .filter((u) => u.id !== exceptId);
    if (others.length === 0) throw new Refusal('LAST_ADMIN', 'this is the last active admin; make another admin first');
  }

  /** Reads the row, decides and writes inside ONE write transaction, so checks cannot go stale. */
  private change(
    username: string,
    actor: string,
    decide: (row: UserRow) => { action: ChangeAction; set: Partial<UserRow>; payload: ChangePayload; revoke?: RevokeReason },
  ): Result<PublicUser, UserChangeCode> {
    let updated: UserRow | undefined;
    try {
      this.audit.record(
        (event: { action: ChangeAction; payload: ChangePayload }) => ({ actor, subject: `user:${username}`, ...event }),
        () => {
          const row = this.db.select().from(users).where(eq(users.username, username)).get();
          if (!row) throw new Refusal('USER_NOT_FOUND', `no user "${username}"`);
          const { action, set, payload, revoke } = decide(row);
          updated = { ...row, ...set, updatedAt: this.now() };
          this.db.update(users).set({ ...set, updatedAt: updated.updatedAt }).where(eq(users.id, row.id)).run();
          const sessionsRevoked = revoke ? this.sessions.revokeAllFor(row.id, revoke, actor) : undefined;
          return { action, payload: sessionsRevoked === undefined ? payload : { ...payload, sessionsRevoked } };
        },
      );
    } catch (e) {
      if (e instanceof Refusal) return err(e.code, e.message);
      throw e;
    }
    return ok(publicUser(updated!));
  }
}

/** What the user service needs from the opened services (structural, so tests can pass less). */
export type UserServiceDeps = Pick<Services, 'handle' | 'audit'> & Partial<Pick<Services, 'license'>>;

const serviceCache = new WeakMap<UserServiceDeps, UserService>();

/** One UserService per opened Services (console singleton or a CLI command). */
export function usersOf(services: UserServiceDeps, now: () => Date = () => new Date()): UserService {
  let s = serviceCache.get(services);
  if (!s) serviceCache.set(services, (s = new UserService(services.handle.db, services.audit, now, licenseOf(services))));
  return s;
}

/** The seats come from the license service when the caller opened one (the console, the CLI); else community. */
function licenseOf(services: UserServiceDeps): (() => Entitlement) | undefined {
  const license = 'license' in services ? services.license : undefined;
  return license ? () => license.entitlement() : undefined;
}
