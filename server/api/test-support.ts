import { TRPCError } from '@trpc/server';
/** Shared by the API tests: contexts for each role over a real in-memory database. */
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { testEd25519Key } from '../core/audit/test-support';
import { AuditLog } from '../services/audit-log';
import type { Services } from '../services/index';
import type { Role } from '../core/access/rbac';
import type { SessionUser } from '../auth/session';
import type { Context } from './trpc';
import type { IncomingHttpHeaders } from 'node:http';
import { guardIncoming } from '../auth/forwarded-headers';
import { NO_PROXIES, type ProxyTrust } from '../auth/trusted-proxies';

/**
 * Services whose every member throws: used to prove that authorisation is decided BEFORE a
 * handler touches anything.
 */
export const HANDLER_REACHED = 'handler reached services';
export const untouchableServices = new Proxy({} as Services, {
  get() {
    throw new Error(HANDLER_REACHED);
  },
});

/** The user/audit part of the services over an in-memory database (the rest is not needed here). */
export function memoryServices(): { services: Services; handle: DbHandle } {
  const handle = openMemoryDatabase();
  const serverKey = testEd25519Key();
  const audit = new AuditLog(handle.sqlite, { serverKey });
  const partial = { handle, audit, serverKey };
  const services = new Proxy(partial, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof typeof target];
      throw new Error(`memoryServices: ${String(prop)} is not set up in this test`);
    },
  }) as unknown as Services;
  return { services, handle };
}

export const sessionFor = (role: Role, username = `test-${role}`, id = `id-${role}`): SessionUser => ({ id, username, role });

export const ctxFor = (user: SessionUser | null, services: Services = untouchableServices): Context => ({ user, services });

/** The tRPC error code a call ends with, or 'OK'; anything that is not a TRPCError is rethrown. */
export async function trpcCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return e.code;
  }
}

/**
 * Request headers as the forwarded-header guard leaves them for a request from socket address
 * `peer` (what a route handler sees in the running console), with the client's own headers first.
 */
export function guardedHeaders(peer: string, sent: Record<string, string> = {}, trust: ProxyTrust = NO_PROXIES): Headers {
  const req = { headers: Object.fromEntries(Object.entries(sent).map(([k, v]) => [k.toLowerCase(), v])) as IncomingHttpHeaders, socket: { remoteAddress: peer } };
  guardIncoming(req, trust);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  return headers;
}
