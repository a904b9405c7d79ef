/**
 * The console's queries at scale, as bench/console.bench.ts measures them: each procedure with the
 * inputs a user sends (deep cursors half way down the runs, the busiest module), and a caller that
 * runs them in process as the admin. Shared so other benches time exactly the same queries.
 */
import type { Services } from '../server/services/index';
import { createCaller } from '../server/api/root';

export interface ConsoleQuery {
  readonly name: string;
  readonly path: string;
  readonly input?: unknown;
}

export function consoleQueries(services: Services, runCount: number): ConsoleQuery[] {
  const sqlite = services.handle.sqlite;
  // A deep cursor: the run half way down the table, and one half way down a filtered listing.
  const mid = sqlite.prepare('SELECT id, started_at AS t FROM runs ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET ?').get(Math.floor(runCount / 2)) as { id: string; t: number };
  const busiest = sqlite.prepare('SELECT module_name AS m FROM runs INDEXED BY runs_module GROUP BY module_name ORDER BY count(*) DESC LIMIT 1').get() as { m: string };
  const cursor = { startedAt: new Date(mid.t).toISOString(), id: mid.id };
  return [
    { name: 'watchtower.summary 24h', path: 'watchtower.summary', input: { window: '24h' } },
    { name: 'watchtower.summary 7d', path: 'watchtower.summary', input: { window: '7d' } },
    { name: 'watchtower.summary 30d', path: 'watchtower.summary', input: { window: '30d' } },
    { name: 'watchtower.feed', path: 'watchtower.feed' },
    { name: 'runs.list first page', path: 'runs.list', input: { limit: 50 } },
    { name: 'runs.list deep page (cursor)', path: 'runs.list', input: { limit: 50, cursor } },
    { name: 'runs.list deny, first page', path: 'runs.list', input: { decision: 'deny', limit: 50 } },
    { name: `runs.list module+deny, deep page`, path: 'runs.list', input: { module: busiest.m, decision: 'deny', cursor, limit: 50 } },
    { name: 'runs.list outcome trap, deep page', path: 'runs.list', input: { outcome: 'trap', cursor, limit: 50 } },
    { name: 'modules.list', path: 'modules.list' },
    { name: 'audit.page newest', path: 'audit.page', input: { limit: 50 } },
    { name: 'audit.page action run.decided', path: 'audit.page', input: { action: 'run.decided', limit: 50 } },
    { name: 'audit.page action module.quarantined (rare)', path: 'audit.page', input: { action: 'module.quarantined', limit: 50 } },
    { name: 'quarantine.list', path: 'quarantine.list' },
  ];
}

/** Calls a console query in process, signed in as the folder's admin. */
export function inProcessCaller(services: Services): (q: ConsoleQuery) => Promise<unknown> {
  const admin = services.handle.sqlite.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: string };
  const caller = createCaller({ user: { id: admin.id, username: 'admin', role: 'admin' }, services }) as unknown as Record<string, Record<string, (i?: unknown) => Promise<unknown>>>;
  return (q) => {
    const [router, proc] = q.path.split('.') as [string, string];
    return caller[router]![proc]!(q.input);
  };
}
