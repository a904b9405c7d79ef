/**
 * pageAccess, the one permission helper of the console pages: the user and permissions come from
 * the session context, a signed-out visitor is sent to sign-in, and the caller it hands out runs
 * every procedure's own guard (a page cannot read more than the browser could).
 */
import { describe, it, expect, vi, beforeEach } from 'vitest';
import { ROLES, can, PERMISSIONS } from '../core/access/rbac';
import type { SessionUser } from '../auth/session';
import { sessionFor, trpcCode, untouchableServices } from './test-support';

const state = vi.hoisted(() => ({ user: null as SessionUser | null, contexts: 0, redirectedTo: [] as string[] }));

vi.mock('./context', () => ({
  createContext: async () => {
    state.contexts += 1;
    return { user: state.user, services: untouchableServices };
  },
}));
vi.mock('../auth/session', () => ({
  requirePageUser: async (returnTo: string) => {
    state.redirectedTo.push(returnTo);
    throw new Error('NEXT_REDIRECT'); // what next/navigation's redirect() does
  },
}));

const { pageAccess } = await import('./server-caller');

beforeEach(() => {
  state.user = null;
  state.contexts = 0;
  state.redirectedTo = [];
});

describe('pageAccess', () => {
  it('sends a signed-out visitor to sign-in with the page to come back to', async () => {
    await expect(pageAccess('/quarantine')).rejects.toThrow('NEXT_REDIRECT');
    expect(state.redirectedTo).toEqual(['/quarantine']);
  });

  it('answers exactly what the RBAC table grants, for every role and permission', async () => {
    for (const role of ROLES) {
      state.user = sessionFor(role);
      const access = await pageAccess('/');
      expect(access.user).toEqual(sessionFor(role));
      for (const permission of PERMISSIONS) expect(access.allows(permission), `${role} ${permission}`).toBe(can(role, permission));
    }
  });

  it('hands out a caller that still checks each procedure: a viewer cannot list users', async () => {
    state.user = sessionFor('viewer');
    const { api } = await pageAccess('/users');
    // FORBIDDEN is decided before the procedure touches the (untouchable) services.
    expect(await trpcCode(api.users.list())).toBe('FORBIDDEN');
  });
});
