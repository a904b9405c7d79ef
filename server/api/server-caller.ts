/**
 * How console pages (server components) reach data: ONE tRPC caller per request, cached with
 * React's `cache` (like create-t3-app's `trpc/server.ts`), so a page gets exactly what the browser
 * would get through /api/trpc, after the same permission checks, and never imports services.
 * `pageAccess` is the one permission helper every console page and the console layout use.
 */
import { cache } from 'react';
import { can, type Permission } from '../core/access/rbac';
import { requirePageUser, type SessionUser } from '../auth/session';
import { createContext } from './context';
import { createCaller } from './root';

/** One context per request: the layout and the page share one session lookup. */
const requestContext = cache(createContext);

export type ServerCaller = ReturnType<typeof createCaller>;

export interface PageAccess {
  /** The signed-in user (current role from the database). */
  readonly user: SessionUser;
  /** Whether the RBAC table grants this user `permission` (for showing or hiding parts of a page). */
  allows(permission: Permission): boolean;
  /** The request's tRPC caller: every call is checked again by the procedure's own guard. */
  readonly api: ServerCaller;
}

/** The request's one server-side caller. */
export const serverCaller = cache(async (): Promise<ServerCaller> => createCaller(await requestContext()));

/** For a console page: the user and what they may do, or a redirect to sign-in that returns to `returnTo`. */
export async function pageAccess(returnTo: string): Promise<PageAccess> {
  const context = await requestContext();
  // Signed out: the session module sends the visitor to sign-in (it owns the safe return path).
  // Should a session appear between the two reads, the caller still has none: its calls are refused.
  const user = context.user ?? (await requirePageUser(returnTo));
  return { user, allows: (permission) => can(user.role, permission), api: await serverCaller() };
}
