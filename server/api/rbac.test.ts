/**
 * Every procedure of appRouter against the access table: no session → UNAUTHORIZED, every role
 * without the permission → FORBIDDEN, every role with it → gets past the guard. Procedures added
 * later are covered automatically, and one missing from PROCEDURE_ACCESS fails this test.
 */
import { describe, it, expect } from 'vitest';
import { TRPCError } from '@trpc/server';
import { can, ROLES, type Role } from '../core/access/rbac';
import { appRouter, createCaller } from './root';
import { PROCEDURE_ACCESS, type Access } from './permissions';
import { createTRPCRouter, publicProcedure } from './trpc';
import { ctxFor, sessionFor, HANDLER_REACHED } from './test-support';

type AnyRouter = { _def: { procedures: Record<string, unknown> } };
const procedurePaths = (router: AnyRouter) => Object.keys(router._def.procedures).sort();
const unlisted = (router: AnyRouter) => procedurePaths(router).filter((p) => !(p in PROCEDURE_ACCESS));

const allowed = (access: Access, role: Role | null) =>
  access === 'public' || (role !== null && (access === 'signed-in' || can(role, access)));

/** Calls a procedure by its dotted path with no input; returns the tRPC error code or 'OK'. */
async function outcome(path: string, role: Role | null): Promise<{ code: string; cause?: string }> {
  const caller = createCaller(ctxFor(role ? sessionFor(role) : null));
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input?: unknown) => Promise<unknown>;
  try {
    await fn(undefined);
    return { code: 'OK' };
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return { code: e.code, cause: e.cause?.message };
  }
}

const paths = procedurePaths(appRouter as unknown as AnyRouter);

describe('tRPC access table', () => {
  it('lists every procedure of appRouter, and nothing else', () => {
    expect(paths.length).toBeGreaterThan(0);
    expect(unlisted(appRouter as unknown as AnyRouter)).toEqual([]);
    expect(Object.keys(PROCEDURE_ACCESS).sort()).toEqual(paths);
  });

  it('the check itself notices a procedure missing from the table', () => {
    const rogue = createTRPCRouter({ users: createTRPCRouter({ exportAll: publicProcedure.query(() => 1) }) });
    expect(unlisted(rogue as unknown as AnyRouter)).toEqual(['users.exportAll']);
  });

  for (const path of paths) {
    const access = (PROCEDURE_ACCESS as Record<string, Access>)[path]!;
    describe(`${path} (${access})`, () => {
      it('without a session: UNAUTHORIZED (unless public)', async () => {
        const r = await outcome(path, null);
        if (access === 'public') expect(r.code).not.toBe('UNAUTHORIZED');
        else expect(r.code).toBe('UNAUTHORIZED');
      });
      for (const role of ROLES) {
        const may = allowed(access, role);
        it(`${role}: ${may ? 'passes the guard' : 'FORBIDDEN'}`, async () => {
          const r = await outcome(path, role);
          if (!may) {
            expect(r.code).toBe('FORBIDDEN');
            return;
          }
          // Past the guard the call either succeeds, fails input validation (no input given), or
          // reaches the handler, which trips over the untouchable services.
          const reachedHandler = r.code === 'INTERNAL_SERVER_ERROR' && r.cause === HANDLER_REACHED;
          expect(r.code === 'OK' || r.code === 'BAD_REQUEST' || reachedHandler, JSON.stringify(r)).toBe(true);
        });
      }
    });
  }
});
