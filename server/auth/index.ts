/**
 * The console's Auth.js instance. The configuration is built lazily on the first request (not at
 * import or build time) because it opens the data folder.
 */
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import { getServices } from '../services/instance';
import { usersOf } from '../services/users';
import { createAuthConfig } from './config';
import { attemptsLeftErrorFrom, rateLimitedErrorFrom } from './credentials';
import { loginLimiter } from './login-limiter';
import { loadOrCreateAuthSecret } from './secret';

// The config is cached per module instance, NOT on globalThis: Next.js loads this module once for
// route handlers and once for server actions, each with its own copy of next-auth, and the
// CredentialsSignin class inside the config must be the copy that checks it with instanceof.
let cachedConfig: NextAuthConfig | undefined;

function config(): NextAuthConfig {
  if (!cachedConfig) {
    const services = getServices();
    cachedConfig = createAuthConfig({
      users: usersOf(services),
      limiter: loginLimiter(),
      rateLimited: rateLimitedErrorFrom(CredentialsSignin), // next-auth's own copy of the class
      attemptsLeft: attemptsLeftErrorFrom(CredentialsSignin),
      secret: loadOrCreateAuthSecret(services.handle.dataDir, process.env.AUTH_SECRET),
    });
  }
  return cachedConfig;
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());
