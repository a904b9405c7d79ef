/**
 * tRPC setup: the context type, the error formatter and the procedure builders that enforce roles.
 * The actor and role come ONLY from the session in the context, never from input.
 *
 * Declare every procedure with `guarded('<router>.<name>')`; its access is looked up in
 * PROCEDURE_ACCESS (./permissions.ts). The guard runs before input parsing, so an unauthorised
 * caller learns nothing about the expected input.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { can, type Permission } from '../core/access/rbac';
import type { SessionUser } from '../auth/session';
import type { Services } from '../services/index';
import { formatError } from './errors';
import { databaseBusyError, isDatabaseBusy } from './database-busy';
import { PROCEDURE_ACCESS, type Access, type ProcedurePath } from './permissions';

export interface Context {
  /** The signed-in, active user (current role from the database), or null. */
  readonly user: SessionUser | null;
  readonly services: Services;
}

const t = initTRPC.context<Context>().create({
  errorFormatter: ({ shape, error }) => formatError({ shape, error }),
  isServer: true,
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Every procedure: a locked database becomes a retryable 503 (SERVICE_UNAVAILABLE), not a 500. */
export const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && isDatabaseBusy(result.error.cause)) throw databaseBusyError(result.error.cause);
  return result;
});

/** Any signed-in user; narrows ctx.user to non-null. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** A signed-in user whose role grants `permission`; FORBIDDEN otherwise. */
export function procedureFor(permission: Permission) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!can(ctx.user.role, permission)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `your role (${ctx.user.role}) may not do this (${permission})` });
    }
    return next({ ctx });
  });
}

type BuilderFor<A extends Access> = A extends 'public' ? typeof publicProcedure : typeof authedProcedure;

/** The builder for the procedure at `path`, with the access the table gives it. */
export function guarded<P extends ProcedurePath>(path: P): BuilderFor<(typeof PROCEDURE_ACCESS)[P]> {
  const access = PROCEDURE_ACCESS[path] as Access; // widened: the table may gain 'public' rows
  const builder = access === 'public' ? publicProcedure : access === 'signed-in' ? authedProcedure : procedureFor(access);
  return builder as BuilderFor<(typeof PROCEDURE_ACCESS)[P]>;
}
