/**
 * Console accounts: create, list, disable, change role, check a password. Every change is written
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
import type { AuditLog } from './audit-log';
import type { Services } from './index'; // type only: no runtime dependency on the wiring

/** Anchored: the whole name, 3 to 32 characters, lower case, no leading punctuation. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,31}$/;

type UserRow = typeof users.$inferSelect;
/** A user as the rest of the system sees it: never the password hash. */
export type PublicUser = Omit<UserRow, 'passwordHash'>;

export type UserCreateCode = 'INVALID_USERNAME' | 'INVALID_ROLE' | 'USER_EXISTS' | PasswordPolicyCode;
export type UserChangeCode = 'USER_NOT_FOUND' | 'ALREADY_DISABLED' | 'ROLE_UNCHANGED' | 'INVALID_ROLE' | 'LAST_ADMIN' | 'SELF_CHANGE';
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
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

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
  insertHashed(username: string, passwordHash: string, role: Role, actor: string): Result<PublicUser, 'USER_EXISTS'> {
    const at = this.now();
    const row: UserRow = {
      id: randomUUID(),
      username,
      passwordHash,
      role,
      disabled: false,
      failedLogins: 0,
      lastFailedLoginAt: null,
      lastLoginAt: null,
      createdAt: at,
      createdBy: actor,
      updatedAt: at,
    };
    try {
      this.audit.record({ actor, action: 'user.created', subject: `user:${username}`, payload: { id: row.id, role } }, () =>
        this.db.insert(users).values(row).run(),
      );
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
      return { action: 'user.disabled', set: { disabled: true }, payload: { id: row.id, role: row.role } };
    });
  }

  setRole(username: string, role: string, actor: string): Result<PublicUser, UserChangeCode> {
    if (!isRole(role)) return err('INVALID_ROLE', 'role must be viewer, operator, approver or admin');
    if (actor === actorForUser(username)) return err('SELF_CHANGE', 'you cannot change your own role');
    return this.change(username, actor, (row) => {
      if (row.role === role) throw new Refusal('ROLE_UNCHANGED', `user "${username}" already has role ${role}`);
      if (row.role === 'admin' && !row.disabled) this.requireAnotherAdmin(row.id);
      return { action: 'user.role_changed', set: { role }, payload: { id: row.id, from: row.role, to: role } };
    });
  }

  /**
   * Checks a password. Unknown users are checked against a dummy hash so every failure costs the
   * same time; disabled users fail like a wrong password. Failures are counted and audited.
   */
  async verifyLogin(username: string, password: string, address: string): Promise<Result<PublicUser, LoginCode>> {
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
    const apply = () => this.db.update(users).set(set).where(eq(users.id, row.id)).run();
    this.audit.record({ actor: actorForUser(row.username), action: 'auth.login', subject: `user:${row.username}`, payload: { address } }, apply);
    return ok(publicUser({ ...row, ...set }));
  }

  /** Audits a sign-out (the session itself lives in a cookie; there is nothing else to change). */
  recordLogout(userId: string): void {
    const row = this.db.select({ username: users.username }).from(users).where(eq(users.id, userId)).get();
    if (!row) return;
    this.audit.append({ actor: actorForUser(row.username), action: 'auth.logout', subject: `user:${row.username}`, payload: {} });
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
    decide: (row: UserRow) => { action: 'user.disabled' | 'user.role_changed'; set: Partial<UserRow>; payload: { [k: string]: string } },
  ): Result<PublicUser, UserChangeCode> {
    let updated: UserRow | undefined;
    try {
      this.audit.record(
        (event: { action: 'user.disabled' | 'user.role_changed'; payload: { [k: string]: string } }) => ({ actor, subject: `user:${username}`, ...event }),
        () => {
          const row = this.db.select().from(users).where(eq(users.username, username)).get();
          if (!row) throw new Refusal('USER_NOT_FOUND', `no user "${username}"`);
          const { action, set, payload } = decide(row);
          updated = { ...row, ...set, updatedAt: this.now() };
          this.db.update(users).set({ ...set, updatedAt: updated.updatedAt }).where(eq(users.id, row.id)).run();
          return { action, payload };
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
export type UserServiceDeps = Pick<Services, 'handle' | 'audit'>;

const serviceCache = new WeakMap<UserServiceDeps, UserService>();

/** One UserService per opened Services (console singleton or a CLI command). */
export function usersOf(services: UserServiceDeps, now: () => Date = () => new Date()): UserService {
  let s = serviceCache.get(services);
  if (!s) serviceCache.set(services, (s = new UserService(services.handle.db, services.audit, now)));
  return s;
}
