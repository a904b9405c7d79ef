/**
 * Who may call what, PINNED: every tRPC procedure and every route handler, for every role, written
 * out by hand below. Nothing here is derived from PROCEDURE_ACCESS or the role table the guard
 * reads, so changing a permission there (say users.setRole → modules.read, which would let a viewer
 * make itself admin) fails this test until the table below is changed on purpose too. A procedure
 * or route handler without a row fails as well.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TRPCError } from '@trpc/server';
import { PERMISSIONS, permissionsOf, type Role } from '../core/access/rbac';
import { appRouter, createCaller } from './root';
import { PROCEDURE_ACCESS } from './permissions';
import { createTRPCRouter, publicProcedure } from './trpc';
import { ctxFor, sessionFor, HANDLER_REACHED, untouchableServices } from './test-support';
import { handleUploadRequest, UPLOAD_HEADER } from './upload-http';
import { handleAuditExport, handleAuditVerify, type AuditHttpDeps } from './audit-http';
import { handleGetSubmission, handleSubmit } from './submissions-http';
import { handleReportDownload } from './reports-http';

const ALL: readonly Role[] = ['viewer', 'operator', 'approver', 'admin'];
const ADMIN: readonly Role[] = ['admin'];
const RUNNERS: readonly Role[] = ['operator', 'admin'];

/** procedure → [the permission it must be declared with, the roles that must get past the guard]. */
const PINNED_PROCEDURES: Readonly<Record<string, readonly [string, readonly Role[]]>> = {
  'users.me': ['signed-in', ALL],
  'users.list': ['users.manage', ADMIN],
  'delivery.status': ['delivery.manage', ADMIN],
  'delivery.attempts': ['delivery.manage', ADMIN],
  'delivery.createWebhook': ['delivery.manage', ADMIN],
  'delivery.setEnabled': ['delivery.manage', ADMIN],
  'users.create': ['users.manage', ADMIN],
  'users.disable': ['users.manage', ADMIN],
  'users.setRole': ['users.manage', ADMIN],
  'users.signOutEverywhere': ['users.manage', ADMIN],
  'users.unlock': ['users.manage', ADMIN],
  'audit.page': ['audit.read', ALL],
  'audit.actions': ['audit.read', ALL],
  'audit.witnesses': ['audit.read', ALL],
  'audit.prove': ['audit.read', ALL],
  'keys.list': ['keys.read', ALL],
  'keys.add': ['keys.manage', ADMIN],
  'keys.revoke': ['keys.manage', ADMIN],
  'modules.list': ['modules.read', ALL],
  'modules.get': ['modules.read', ALL],
  'modules.run': ['runs.execute', RUNNERS],
  'runs.list': ['runs.read', ALL],
  'runs.get': ['runs.read', ALL],
  'runs.replay': ['runs.execute', RUNNERS],
  'watchtower.summary': ['runs.read', ALL],
  'watchtower.feed': ['runs.read', ALL],
  'quarantine.list': ['quarantine.read', ALL],
  'quarantine.add': ['quarantine.add', ['operator', 'approver', 'admin']],
  'quarantine.release': ['quarantine.release', ['approver', 'admin']],
  'quarantine.history': ['quarantine.read', ALL],
  'inbox.pendingCount': ['inbox.decide', ['approver', 'admin']],
  'quarantine.myKeys': ['quarantine.release', ['approver', 'admin']],
  'policies.active': ['policies.read', ALL],
  'policies.history': ['policies.read', ALL],
  'policies.proposal': ['policies.read', ALL],
  'policies.check': ['policies.manage', ADMIN],
  'policies.propose': ['policies.manage', ADMIN],
  'policies.restore': ['policies.manage', ADMIN],
  'policies.decide': ['inbox.decide', ['approver', 'admin']],
  'inbox.list': ['inbox.read', ALL],
  'inbox.review': ['inbox.read', ALL],
  'inbox.decide': ['inbox.decide', ['approver', 'admin']],
  'inbox.registerKey': ['inbox.decide', ['approver', 'admin']],
  'license.features': ['signed-in', ALL],
  'simulation.run': ['policies.read', ALL],
  'simulation.recommend': ['policies.read', ALL],
  'license.status': ['license.manage', ADMIN],
  'license.install': ['license.manage', ADMIN],
};

/**
 * Every route handler file under app/, and who may use it: roles (console session), 'public'
 * (Auth.js's own endpoints, the API description), 'trpc' (guarded per procedure above), or an agent
 * Bearer token with a scope (no console session counts there).
 */
type RouteAccess = readonly Role[] | 'public' | 'trpc' | 'metrics-token' | 'agent-token submissions:write' | 'agent-token submissions:read';
const PINNED_ROUTES: Readonly<Record<string, RouteAccess>> = {
  'app/api/audit/export/route.ts': ['approver', 'admin'],
  // verifying re-reads the whole log and records an event: bulk reading, so only those who may export
  'app/api/audit/verify/route.ts': ['approver', 'admin'],
  'app/api/auth/[...nextauth]/route.ts': 'public',
  'app/api/modules/upload/route.ts': RUNNERS,
  // a compliance report is the log's content leaving the system: those who may export it
  'app/api/reports/route.ts': ['approver', 'admin'],
  // Prometheus scrapers: its own bearer token, no session (behaviour: metrics-http.test.ts)
  'app/metrics/route.ts': 'metrics-token',
  'app/api/trpc/[trpc]/route.ts': 'trpc',
  'app/api/v1/openapi.json/route.ts': 'public',
  'app/api/v1/submissions/route.ts': 'agent-token submissions:write',
  'app/api/v1/submissions/[id]/route.ts': 'agent-token submissions:read',
};

type AnyRouter = { _def: { procedures: Record<string, unknown> } };
const procedurePaths = (router: AnyRouter) => Object.keys(router._def.procedures).sort();
const unpinned = (router: AnyRouter) => procedurePaths(router).filter((p) => !(p in PINNED_PROCEDURES));

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

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(path);
    return /^route\.(ts|tsx|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}
const ROOT = join(__dirname, '..', '..');

const paths = procedurePaths(appRouter as unknown as AnyRouter);

describe('tRPC access, pinned', () => {
  it('every procedure of appRouter has a pinned row, and every pinned row is a procedure', () => {
    expect(unpinned(appRouter as unknown as AnyRouter)).toEqual([]);
    expect(Object.keys(PINNED_PROCEDURES).sort()).toEqual(paths);
    expect(Object.keys(PROCEDURE_ACCESS).sort()).toEqual(paths);
  });

  it('the check itself notices a procedure without a pinned row', () => {
    const rogue = createTRPCRouter({ users: createTRPCRouter({ exportAll: publicProcedure.query(() => 1) }) });
    expect(unpinned(rogue as unknown as AnyRouter)).toEqual(['users.exportAll']);
  });

  it('every procedure is declared with its pinned permission', () => {
    const declared = Object.fromEntries(paths.map((p) => [p, (PROCEDURE_ACCESS as Record<string, string>)[p]]));
    expect(declared).toEqual(Object.fromEntries(paths.map((p) => [p, PINNED_PROCEDURES[p]![0]])));
  });

  for (const [path, [permission, roles]] of Object.entries(PINNED_PROCEDURES)) {
    describe(`${path} (${permission})`, () => {
      it('without a session: UNAUTHORIZED', async () => {
        expect((await outcome(path, null)).code).toBe('UNAUTHORIZED');
      });
      for (const role of ALL) {
        const may = roles.includes(role);
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

describe('route handlers, pinned', () => {
  it('every route handler file under app/ has a pinned row', () => {
    const found = routeFiles(join(ROOT, 'app')).map((f) => relative(ROOT, f).split('\\').join('/')).sort();
    expect(found).toEqual(Object.keys(PINNED_ROUTES).sort());
  });

  it('agent routes authenticate a Bearer token with their pinned scope (behaviour: submissions-http.test.ts)', () => {
    const source = readFileSync(join(ROOT, 'server/api/submissions-http.ts'), 'utf8');
    const scopeOf = (fn: string) => new RegExp(`function ${fn}\\([^]*?authenticate\\(request, deps, '([a-z:]+)'\\)`).exec(source)?.[1];
    expect(`agent-token ${scopeOf('handleSubmit')}`).toBe(PINNED_ROUTES['app/api/v1/submissions/route.ts']);
    expect(`agent-token ${scopeOf('handleGetSubmission')}`).toBe(PINNED_ROUTES['app/api/v1/submissions/[id]/route.ts']);
    expect(readFileSync(join(ROOT, 'app/api/v1/submissions/route.ts'), 'utf8')).toMatch(/submitRoute/);
    expect(readFileSync(join(ROOT, 'app/api/v1/submissions/[id]/route.ts'), 'utf8')).toMatch(/submissionRoute/);
  });

  it('/metrics answers only its token: a console session gets 401', async () => {
    const { handleMetrics } = await import('./metrics-http');
    const res = handleMetrics(new Request(`http://${HOST}/metrics`, { headers: { cookie: 'authjs.session-token=anything' } }), { token: () => 'a-token-of-sixteen+', render: () => 'secret' });
    expect(res.status).toBe(401);
    expect(readFileSync(join(ROOT, 'app/metrics/route.ts'), 'utf8')).toMatch(/metricsRoute/);
  });

  it('Auth.js and tRPC routes only delegate (their guards are tested elsewhere)', () => {
    expect(readFileSync(join(ROOT, 'app/api/auth/[...nextauth]/route.ts'), 'utf8')).toMatch(/handlers/);
    expect(readFileSync(join(ROOT, 'app/api/trpc/[trpc]/route.ts'), 'utf8')).toMatch(/trpcRoute|handleTRPCRequest/);
  });

  const HOST = 'console.example:3000';
  const upload = () => {
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array([0, 97, 115, 109])]), 'module.wasm');
    return new Request(`http://${HOST}/api/modules/upload`, { method: 'POST', headers: { host: HOST, origin: `http://${HOST}`, [UPLOAD_HEADER]: '1' }, body: form });
  };
  const verify = () => new Request(`http://${HOST}/api/audit/verify`, { method: 'POST', headers: { host: HOST, origin: `http://${HOST}`, 'content-type': 'application/json' }, body: '{}' });
  const exportLog = () => new Request(`http://${HOST}/api/audit/export?format=jsonl`, { headers: { host: HOST } });
  const auditDeps = (role: Role | null): AuditHttpDeps => ({
    user: async () => (role ? sessionFor(role) : null),
    services: () => {
      throw new Error(HANDLER_REACHED);
    },
  });

  /** The HTTP status a role gets, or 'reached' when the handler went past the guard to the (untouchable) services. */
  async function status(call: () => Promise<Response>): Promise<number | 'reached'> {
    try {
      return (await call()).status;
    } catch (e) {
      if ((e as Error).message === HANDLER_REACHED) return 'reached';
      throw e;
    }
  }

  const HANDLERS = {
    'app/api/modules/upload/route.ts': (role: Role | null) => status(() => handleUploadRequest(upload(), { user: async () => (role ? sessionFor(role) : null), services: () => untouchableServices })),
    'app/api/audit/verify/route.ts': (role: Role | null) => status(() => handleAuditVerify(verify(), auditDeps(role))),
    'app/api/audit/export/route.ts': (role: Role | null) => status(() => handleAuditExport(exportLog(), auditDeps(role))),
    'app/api/reports/route.ts': (role: Role | null) =>
      status(() => handleReportDownload(new Request(`http://${HOST}/api/reports?from=2026-11-01&to=2026-12-01`, { headers: { host: HOST } }), { ...auditDeps(role), services: auditDeps(role).services as never, chromium: () => '/usr/bin/chromium' })),
  } as const;

  it('the agent API answers 401 to every console session: only a Bearer agent token gets through', async () => {
    const noAgent = { agents: { authenticate: () => ({ ok: false, code: 'TOKEN_INVALID', message: 'no' }) } } as never;
    const cookie = { host: HOST, origin: `http://${HOST}`, cookie: 'authjs.session-token=anything' };
    const form = new FormData();
    form.append('module', new Blob([new Uint8Array([0, 97, 115, 109])]), 'module.wasm');
    const post = await handleSubmit(new Request(`http://${HOST}/api/v1/submissions`, { method: 'POST', headers: cookie, body: form }), { services: () => noAgent });
    expect(post.status).toBe(401);
    const get = await handleGetSubmission(new Request(`http://${HOST}/api/v1/submissions/x`, { headers: cookie }), 'x', { services: () => noAgent });
    expect(get.status).toBe(401);
    expect(readFileSync(join(ROOT, 'app/api/v1/submissions/route.ts'), 'utf8')).toMatch(/submitRoute/);
    expect(readFileSync(join(ROOT, 'app/api/v1/submissions/[id]/route.ts'), 'utf8')).toMatch(/submissionRoute/);
  });

  for (const [file, call] of Object.entries(HANDLERS)) {
    const roles = PINNED_ROUTES[file] as readonly Role[];
    it(`${file}: 401 without a session, 403 for ${ALL.filter((r) => !roles.includes(r)).join(', ') || 'nobody'}, through for ${roles.join(', ')}`, async () => {
      expect(await call(null)).toBe(401);
      for (const role of ALL) expect(await call(role), role).toBe(roles.includes(role) ? 'reached' : 403);
    });
  }
});

describe("the README's role table", () => {
  /** The permissions a README row names: its own backticked ids, plus the viewer's when it says so. */
  function readmeRows(): Map<string, string[]> {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const rows = new Map<string, string[]>();
    for (const line of readme.split('\n')) {
      const m = /^\| (viewer|operator|approver|admin) \| [^|]+ \| ([^|]+) \|$/.exec(line);
      if (!m) continue;
      const named = [...m[2]!.matchAll(/`([a-z]+\.[a-z]+)`/g)].map((x) => x[1]!);
      const inherited = m[2]!.includes("viewer's") ? (rows.get('viewer') ?? []) : [];
      rows.set(m[1]!, m[2]!.includes('every permission') ? [...PERMISSIONS] : [...inherited, ...named]);
    }
    return rows;
  }

  it('names exactly the permissions each role has in the permission table', () => {
    const rows = readmeRows();
    expect([...rows.keys()]).toEqual(ALL);
    for (const role of ALL) expect([...rows.get(role)!].sort(), role).toEqual([...permissionsOf(role)].sort());
  });
});
