/**
 * Server-side console sessions. The session cookie (an Auth.js JWT) carries a random 256-bit id;
 * this table holds only its SHA-256, the user, and when it was created, last seen, expires and was
 * revoked. Every request looks the id up, so signing out, a password change, disabling an account,
 * a role change or an admin's "sign out everywhere" ends a session at once, including any copy of
 * its cookie. Writes that revoke run inside the caller's transaction (with their audit event).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, isNull, lt, gt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { sessions, users } from '../../db/schema';

export type RevokeReason = 'sign_out' | 'signed_out_everywhere' | 'password_changed' | 'disabled' | 'role_changed';

/** How long a session lives from sign-in, whatever the activity (the cookie has the same limit). */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** last_seen_at is a hint for admins, not a security check: written at most this often per session. */
const LAST_SEEN_EVERY_MS = 60_000;
/** Expired or revoked rows are kept this long (for the admin's view), then deleted at the next sign-in. */
const KEEP_ENDED_MS = 7 * 24 * 60 * 60 * 1000;
/** 43 base64url characters = 256 bits; anything else is not one of our ids and is not looked up. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export const hashSessionId = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

export interface ActiveSession {
  readonly userId: string;
  readonly idHash: string;
}

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /** A new session for a user who just proved their password; returns the id for the cookie (never stored). */
  start(userId: string, address: string): string {
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    this.db.delete(sessions).where(lt(sessions.expiresAt, new Date(at.getTime() - KEEP_ENDED_MS))).run();
    this.db
      .insert(sessions)
      .values({ idHash: hashSessionId(id), userId, address: address.slice(0, 64), createdAt: at, lastSeenAt: at, expiresAt: new Date(at.getTime() + SESSION_TTL_MS) })
      .run();
    return id;
  }

  /**
   * The session behind a cookie if it is not revoked, not expired, and its user exists and is
   * enabled; otherwise undefined. Fails closed: an unexpected error propagates (the request fails),
   * it never counts as a valid session.
   */
  check(id: unknown): ActiveSession | undefined {
    if (typeof id !== 'string' || !SESSION_ID.test(id)) return undefined;
    const idHash = hashSessionId(id);
    const at = this.now();
    const row = this.db
      .select({ userId: sessions.userId, lastSeenAt: sessions.lastSeenAt })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.idHash, idHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, at), eq(users.disabled, false)))
      .get();
    if (!row) return undefined;
    if (at.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_EVERY_MS) this.touch(idHash, at);
    return { userId: row.userId, idHash };
  }

  /** Whose session this is, if it has not been revoked (expired ones included: signing out of one is harmless). */
  owner(id: string): ActiveSession | undefined {
    if (!SESSION_ID.test(id)) return undefined;
    const idHash = hashSessionId(id);
    const row = this.db.select({ userId: sessions.userId }).from(sessions).where(and(eq(sessions.idHash, idHash), isNull(sessions.revokedAt))).get();
    return row ? { userId: row.userId, idHash } : undefined;
  }

  /** Revokes one session (by its cookie id); undefined when it was not live. Call inside the audit transaction. */
  revoke(id: string, reason: RevokeReason, by: string): ActiveSession | undefined {
    const live = this.owner(id);
    if (!live) return undefined;
    this.db.update(sessions).set({ revokedAt: this.now(), revokedBy: by, revokeReason: reason }).where(eq(sessions.idHash, live.idHash)).run();
    return live;
  }

  /** Revokes every not-yet-revoked session of a user; returns how many were still live. Call inside the audit transaction. */
  revokeAllFor(userId: string, reason: RevokeReason, by: string): number {
    const at = this.now();
    const live = this.activeCount(userId);
    this.db
      .update(sessions)
      .set({ revokedAt: at, revokedBy: by, revokeReason: reason })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
      .run();
    return live;
  }

  /** Sessions that would still let someone in (not revoked, not expired). */
  activeCount(userId: string): number {
    return (
      this.db
        .select({ n: count() })
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, this.now())))
        .get()?.n ?? 0
    );
  }

  /** Best effort: a busy database must not fail (or stall) a request over a timestamp. */
  private touch(idHash: string, at: Date): void {
    try {
      this.db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.idHash, idHash)).run();
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    }
  }
}
