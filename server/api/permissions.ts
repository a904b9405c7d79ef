/**
 * THE table of who may call which tRPC procedure. Every procedure is declared with
 * `guarded('<router>.<procedure>')` (server/api/trpc.ts), which looks its access up here; adding a
 * procedure without a row here does not compile, and server/api/rbac.test.ts fails if a procedure
 * of appRouter is missing from this table or behaves differently from it.
 *
 * 'public'     anyone, signed in or not (keep this rare)
 * 'signed-in'  any active user, whatever the role
 * otherwise    a permission from server/auth/rbac.ts
 */
import type { Permission } from '../auth/rbac';

export type Access = Permission | 'public' | 'signed-in';

export const PROCEDURE_ACCESS = {
  'users.me': 'signed-in',
  'users.list': 'users.manage',
  'users.create': 'users.manage',
  'users.disable': 'users.manage',
  'users.setRole': 'users.manage',
} as const satisfies Record<string, Access>;

export type ProcedurePath = keyof typeof PROCEDURE_ACCESS;
