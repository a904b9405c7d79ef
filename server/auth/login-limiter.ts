/**
 * The console process's one sign-in limiter, shared by Auth.js (route handlers and server actions)
 * and the admin's users list (which shows who is locked out right now). Kept on globalThis so hot
 * reloads and Next.js's separate module copies share it. No Auth.js import here on purpose: the
 * API layer reads it without loading next-auth.
 */
import { LoginRateLimiter } from './rate-limit';

const globalForAuth = globalThis as unknown as { nightcoreLoginLimiter?: LoginRateLimiter };

export function loginLimiter(): LoginRateLimiter {
  globalForAuth.nightcoreLoginLimiter ??= new LoginRateLimiter();
  return globalForAuth.nightcoreLoginLimiter;
}
