/**
 * First start: with no accounts at all, create `admin` so someone can sign in. The password comes
 * from NIGHTCORE_ADMIN_PASSWORD, else a generated one is printed ONCE (it is never stored in
 * plain text; once the account exists this never runs again).
 */
import { ok, err, type Result } from '../core/result';
import { checkNewPassword, generatePassword, hashPasswordSync, type PasswordPolicyCode } from '../core/access/password';
import { usersOf, type PublicUser, type UserServiceDeps } from './users';

export const INITIAL_ADMIN = 'admin';
export const BOOTSTRAP_ACTOR = 'system:bootstrap';

export type InitialAdminCode = PasswordPolicyCode;

export function ensureInitialAdmin(
  services: UserServiceDeps,
  env: { readonly NIGHTCORE_ADMIN_PASSWORD?: string | undefined },
  log: (line: string) => void,
): Result<PublicUser | undefined, InitialAdminCode> {
  const users = usersOf(services);
  if (users.count() > 0) return ok(undefined);
  const configured = env.NIGHTCORE_ADMIN_PASSWORD;
  const password = configured && configured !== '' ? configured : generatePassword();
  const policy = checkNewPassword(password);
  // A configured password that is too weak stops the start: silently replacing it would surprise.
  if (!policy.ok) return err(policy.code, `NIGHTCORE_ADMIN_PASSWORD: ${policy.message}`);
  // Blocking hash: this runs once, at start-up, before any request is served.
  const created = users.insertHashed(INITIAL_ADMIN, hashPasswordSync(password), 'admin', BOOTSTRAP_ACTOR);
  if (!created.ok) return ok(undefined); // another process created it first: that one printed the password
  if (configured) {
    log(`[nightcore] created the initial "${INITIAL_ADMIN}" account with the password from NIGHTCORE_ADMIN_PASSWORD`);
  } else {
    log(`[nightcore] created the initial "${INITIAL_ADMIN}" account. Its password (shown only this once): ${password}`);
    log('[nightcore] sign in and create named accounts; then disable or keep "admin" as a break-glass account.');
  }
  return ok(created.value);
}
