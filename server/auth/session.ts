/**
 * Who is signed in, for server components, route handlers and the tRPC context. The answer always
 * comes from the database (current role, not disabled), never from the token alone.
 */
import { redirect } from 'next/navigation';
import { auth } from './index';
import { getServices } from '../services/instance';
import { usersOf } from '../services/users';
import type { Role } from '../core/access/rbac';

export interface SessionUser {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
}

export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await auth();
  const id = (session?.user as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || id === '') return null;
  const user = usersOf(getServices()).findActiveById(id);
  return user ? { id: user.id, username: user.username, role: user.role } : null;
}

/** For pages: the signed-in user, or a redirect to the sign-in page that comes back here. */
export async function requirePageUser(returnTo = '/'): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/')}`);
  return user;
}
