/**
 * Signing in through Auth.js's HTTP endpoints, the way the form does under the hood: fetch a CSRF
 * token (which also sets the CSRF cookie), then POST the credentials as a form. Used to make the
 * per-role storage states quickly, without driving the UI for every spec.
 */
import type { APIRequestContext } from '@playwright/test';
import type { Account } from './accounts';

export interface SessionInfo {
  readonly user: { readonly name: string; readonly role: string };
}

/** Signs `request` in as `account` (its cookies now hold the session); throws if that did not work. */
export async function signInViaApi(request: APIRequestContext, baseURL: string, account: Account): Promise<SessionInfo> {
  const csrfResponse = await request.get('/api/auth/csrf');
  if (!csrfResponse.ok()) throw new Error(`GET /api/auth/csrf answered ${csrfResponse.status()}`);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken?: string };
  if (!csrfToken) throw new Error('GET /api/auth/csrf returned no csrfToken');

  // Auth.js answers a form post with a redirect: to callbackUrl on success, to /signin?error=... on failure.
  const callback = await request.post('/api/auth/callback/credentials', {
    form: { csrfToken, username: account.username, password: account.password, callbackUrl: `${baseURL}/` },
    maxRedirects: 0,
  });
  const location = callback.headers()['location'] ?? '';
  if (callback.status() !== 302 || location.includes('error=')) {
    throw new Error(`sign-in of ${account.username} failed: ${callback.status()} → ${location || '(no redirect)'}`);
  }
  return currentSession(request, account.username);
}

/** The session as the server sees it; throws unless it belongs to `username`. */
export async function currentSession(request: APIRequestContext, username: string): Promise<SessionInfo> {
  const response = await request.get('/api/auth/session');
  const session = (await response.json()) as Partial<SessionInfo> | null;
  if (!session?.user || session.user.name !== username) {
    throw new Error(`expected a session for ${username}, got ${JSON.stringify(session)}`);
  }
  return session as SessionInfo;
}
