/**
 * The credentials check behind Auth.js's `authorize`: rate limits first, then the password.
 * Kept free of Auth.js types so it can be tested directly. Every failure looks the same to the
 * person signing in ("invalid username or password"), except a rate limit, which says how long to wait.
 */
import type { Role } from '../core/access/rbac';
import { retryAfterMinutes, type LoginRateLimiter } from './rate-limit';
import { clientAddress } from './client-address';
import type { UserService } from '../services/users';
import { MAX_PASSWORD_LENGTH } from '../core/access/password';

export const RATE_LIMITED_CODE = 'rate_limited';
/** A failed sign-in close to the lockout: `attempts_left_N` (the code travels in the URL, so it carries N). */
export const ATTEMPTS_LEFT_PREFIX = 'attempts_left_';
/** Warn when this many attempts or fewer remain before the lockout. */
export const WARN_WHEN_LEFT = 2;

/** The shape of Auth.js's CredentialsSignin class: its `code` is copied into the URL (?code=...). */
type CredentialsSigninClass = new (message?: string) => Error & { code: string };

/**
 * Builds "too many attempts" errors from the CredentialsSignin class of the Auth.js instance in
 * use. It is injected rather than imported because Auth.js recognises it with `instanceof`, and
 * the Next.js bundle and the plain @auth/core used in tests hold different copies of the class.
 */
export function rateLimitedErrorFrom(CredentialsSignin: CredentialsSigninClass) {
  return (minutes: number): Error => Object.assign(new CredentialsSignin(`too many sign-in attempts; try again in ${minutes} minute(s)`), { code: RATE_LIMITED_CODE, minutes });
}

/** "Invalid credentials, N attempts left before a lock of M minutes", built from the same class. */
export function attemptsLeftErrorFrom(CredentialsSignin: CredentialsSigninClass) {
  return (left: number, lockMinutes: number): Error =>
    Object.assign(new CredentialsSignin(`invalid username or password; ${left} attempt(s) left`), { code: `${ATTEMPTS_LEFT_PREFIX}${left}`, left, minutes: lockMinutes });
}

export interface SignedInUser {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** The new server-side session; goes into the (encrypted) cookie and nowhere else. */
  readonly sessionId: string;
}

export interface CredentialsDeps {
  readonly users: Pick<UserService, 'verifyLogin' | 'unlockedAt'>;
  readonly limiter: LoginRateLimiter;
  readonly rateLimited: (minutes: number) => Error;
  /** Optional: without it a near-lockout failure is a plain "invalid credentials". */
  readonly attemptsLeft?: (left: number, lockMinutes: number) => Error;
}

/** Returns the user, or null for bad credentials (Auth.js turns that into CredentialsSignin). */
export async function checkCredentials(
  deps: CredentialsDeps,
  credentials: Partial<Record<'username' | 'password', unknown>>,
  headers: Headers,
): Promise<SignedInUser | null> {
  const username = typeof credentials.username === 'string' ? credentials.username.trim().toLowerCase().slice(0, 64) : '';
  const password = typeof credentials.password === 'string' ? credentials.password.slice(0, MAX_PASSWORD_LENGTH * 4) : '';
  const address = clientAddress(headers);
  const unlockedAt = deps.users.unlockedAt(username);
  const decision = deps.limiter.check(username, address, unlockedAt);
  if (!decision.allowed) throw deps.rateLimited(retryAfterMinutes(decision.retryAfterMs));
  const result = await deps.users.verifyLogin(username, password, address, { startSession: true });
  if (!result.ok) {
    deps.limiter.fail(username, address, unlockedAt);
    // Warn before the lock, not after: the same words for a real account and an unknown name.
    const { left, lockMinutes } = deps.limiter.attemptsLeft(username, address, unlockedAt);
    if (deps.attemptsLeft && left > 0 && left <= WARN_WHEN_LEFT) throw deps.attemptsLeft(left, lockMinutes);
    return null;
  }
  deps.limiter.succeed(username);
  const { sessionId } = result.value;
  if (!sessionId) throw new Error('sign-in did not start a session'); // never hand out a cookie without one
  return { id: result.value.id, name: result.value.username, role: result.value.role, sessionId };
}
