/**
 * The Auth.js configuration: one credentials provider, and an encrypted JWT cookie of at most 8
 * hours that carries the id of a SERVER-SIDE session (services/sessions.ts). The token is NOT
 * trusted on its own: every time a session is read, the session row and the user are looked up, so
 * signing out (including a copy of the cookie), a password change, a disabled account, a role
 * change or an admin's "sign out everywhere" end it on the next request.
 */
import type { NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { isRole } from '../core/access/rbac';
import { safeCallbackUrl } from './callback-url';
import { checkCredentials, type CredentialsDeps } from './credentials';
import type { UserService } from '../services/users';
import { SESSION_TTL_MS } from '../services/sessions';

/** The cookie lives exactly as long as the server-side session it names (services/sessions.ts). */
export const SESSION_MAX_AGE_SECONDS = SESSION_TTL_MS / 1000;

export interface AuthConfigDeps extends CredentialsDeps {
  readonly users: Pick<UserService, 'verifyLogin' | 'unlockedAt' | 'userForSession' | 'signOut'>;
  readonly secret: string;
  readonly now?: () => number;
}

export function createAuthConfig(deps: AuthConfigDeps): NextAuthConfig {
  const now = deps.now ?? Date.now;
  return {
    secret: deps.secret,
    // The console is self-hosted: the host comes from the request (or AUTH_URL when set).
    trustHost: true,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS, updateAge: 15 * 60 },
    jwt: { maxAge: SESSION_MAX_AGE_SECONDS },
    // Cookies: Auth.js defaults are HttpOnly, SameSite=Lax, Path=/, and Secure with the
    // __Secure-/__Host- prefixes whenever the site is served over https.
    pages: { signIn: '/signin', error: '/signin' },
    // A failed sign-in is normal traffic (and already in the audit log): no stack trace per attempt.
    logger: {
      error(error) {
        if ((error as { type?: string }).type === 'CredentialsSignin') return;
        console.error('[auth]', error);
      },
    },
    providers: [
      Credentials({
        credentials: { username: { label: 'Username' }, password: { label: 'Password', type: 'password' } },
        authorize: (credentials, request) => checkCredentials(deps, credentials, request.headers),
      }),
    ],
    events: {
      signOut(message) {
        // Revokes the server-side session: the cookie, and every copy of it, stops working.
        const sid = 'token' in message ? message.token?.sid : undefined;
        if (typeof sid === 'string') deps.users.signOut(sid);
      },
    },
    callbacks: {
      /**
       * Redirect to a path, never to an absolute URL: behind `next start` Auth.js may see the
       * server's own name (localhost) instead of the host the browser used (an IP, a LAN name), and
       * an absolute redirect to it would drop the session cookie. A relative Location keeps the
       * browser on the host it came from. Other origins are refused (open redirect).
       */
      redirect({ url, baseUrl }) {
        const target = new URL(url, baseUrl);
        return target.origin === new URL(baseUrl).origin || url.startsWith('/') ? safeCallbackUrl(`${target.pathname}${target.search}${target.hash}`) : '/';
      },
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.name = user.name;
          token.role = (user as { role?: unknown }).role;
          token.sid = (user as { sessionId?: unknown }).sessionId;
          token.signedInAt = now();
        }
        // Auth.js re-issues the JWT as it is used (a sliding expiry); this makes 8 hours a hard
        // limit counted from the sign-in itself.
        const signedInAt = token.signedInAt;
        if (typeof signedInAt !== 'number' || now() - signedInAt > SESSION_MAX_AGE_SECONDS * 1000 || signedInAt > now() + 60_000) return null;
        // Re-read on every use: a revoked session, or a disabled or deleted user, is signed out now,
        // not in 8 hours. A token without a session id (or for another user) is not ours.
        const current = deps.users.userForSession(token.sid);
        if (!current || current.id !== token.sub) return null;
        token.role = current.role;
        token.name = current.username;
        return token;
      },
      session({ session, token }) {
        const role = isRole(token.role) ? token.role : undefined;
        return { ...session, user: { ...session.user, id: token.sub ?? '', name: token.name ?? '', role } };
      },
    },
  };
}
