/**
 * The console under load, end to end: 1,000,000 audit events and 200,000 runs (bench/seed-large.ts)
 * in a fresh data folder, then against the PRODUCTION server (`next start`, the existing .next build):
 *   1. each Watchtower / list tRPC query over real HTTP, signed in: p50/p95/p99 (target p95 <= 50 ms),
 *      side by side with the same procedure called in process (createCaller): the ratio is what
 *      HTTP, Next.js, the session check and JSON cost on top of the query;
 *   2. Watchtower first render: GET / to the last byte of HTML (cold and warm), and in Chromium the
 *      navigation until the stat cards are visible (target <= 1.5 s);
 *   3. 50 concurrent signed-in clients for 20 s (autocannon) over a mix of the page and its queries:
 *      requests/s, latency percentiles and non-2xx by status (target: zero 5xx).
 *
 * Run: node bin/run-ts.mjs bench/console.bench.ts [--data DIR] [--keep] [--duration S]
 *   --data DIR  reuse a folder seeded by an earlier --keep run (else a fresh temp folder is seeded)
 *   --app DIR   serve the build in DIR (a copy of this checkout with its own .next), so a rebuild for
 *               the bench does not pull the build out from under someone else's running server
 * Writes bench/results/console.json and bench/results/console.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { seedLarge, dbBytes, type SeedReport } from './seed-large';
import { openServices } from '../server/services/index';
import { DEFAULT_WORKER_URL } from '../server/core/sandbox/worker-threads/worker-url';
import { consoleQueries, inProcessCaller, type ConsoleQuery } from './console-queries';

/** autocannon ships no types; only what this bench uses. */
interface LoadResult {
  requests: { total: number; average: number };
  latency: { p97_5: number };
  non2xx: number;
  '5xx': number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (opts: object) => PromiseLike<LoadResult> & { on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void };
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const APP = arg('--app') ?? ROOT;
const RESULTS = join(ROOT, 'bench', 'results');
const PASSWORD = 'bench-admin-pass-0001'; // throwaway: the data folder is a temp folder
const ROUNDS = 100;
const DURATION_S = Number(arg('--duration') ?? 20);
const CLIENTS = 50;
const buildId = join(APP, '.next', 'BUILD_ID');
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, os: `${platform()} ${release()}`, date: new Date().toISOString(), loadavgAtStart: loadavg(), app: APP, buildTime: existsSync(buildId) ? statSync(buildId).mtime.toISOString() : null };

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const r2 = (x: number) => Math.round(x * 100) / 100;
const stats = (ts: number[]) => ({ p50: r2(pct(ts, 50)), p95: r2(pct(ts, 95)), p99: r2(pct(ts, 99)), max: r2(Math.max(...ts)) });

// ---- 0. data ----------------------------------------------------------------------------------
const reuse = arg('--data');
const dataDir = reuse ?? mkdtempSync(join(tmpdir(), 'nightcore-console-bench-'));
const marker = join(dataDir, 'bench-seed.json');
let seed: SeedReport & { dbBytes: number };
if (reuse && existsSync(marker)) {
  seed = JSON.parse(readFileSync(marker, 'utf8')) as typeof seed;
  console.log(`reusing ${dataDir} (${seed.runs} runs, ${seed.auditEvents} events)`);
} else {
  console.log(`seeding ${dataDir} ...`);
  const s = await seedLarge({ dataDir, adminPassword: PASSWORD, log: (l) => console.log(l) });
  seed = { ...s, dbBytes: dbBytes(dataDir) };
  writeFileSync(marker, JSON.stringify(seed));
  console.log(`seeded in ${Math.round(s.ms.total / 1000)} s: ${s.runs} runs, ${s.auditEvents} events, chain ok=${s.chainVerified}, ${Math.round(seed.dbBytes / 2 ** 20)} MiB`);
}

// ---- 1a. the queries, in process --------------------------------------------------------------
type Query = ConsoleQuery;
const services = openServices({ dataDir, workerUrl: DEFAULT_WORKER_URL });
const QUERIES = consoleQueries(services, seed.runs);
const callInProcess = inProcessCaller(services);
const directFirst: Record<string, { firstMs: number; bytes: number }> = {};
for (const q of QUERIES) {
  const t0 = performance.now();
  await callInProcess(q); // the first call: statements prepared, pages read, nothing kept yet
  const firstMs = r2(performance.now() - t0);
  let bytes = 0;
  for (let k = 0; k < 5; k++) bytes = JSON.stringify(await callInProcess(q)).length; // warm caches and statements
  directFirst[q.name] = { firstMs, bytes };
}
let servicesOpen = true;

// ---- server -----------------------------------------------------------------------------------
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const logFile = join(dataDir, 'next-start.log');
const log = openSync(logFile, 'a');
const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'], {
  cwd: APP,
  detached: true, // own process group: stopped by its pid below, nothing else
  stdio: ['ignore', log, log],
  env: { ...process.env, NODE_ENV: 'production', NIGHTCORE_DATA: dataDir, NIGHTCORE_ADMIN_PASSWORD: PASSWORD, NIGHTCORE_POLICY: '' },
});
closeSync(log);
const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
const stopServer = async () => {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
};

// Declared before the run: markdown() is called inside it.
const NOTES = [
  '## Notes',
  '',
  '- watchtower.summary keeps the totals of a window\'s complete buckets between calls (server/services/watchtower.ts) and checks the runs inserted since for one that landed late; the "first" column is the full pass over every run in the window, paid once per window and again when a bucket rolls over (hourly for 24h, daily for 7d/30d).',
  '- Tails (p95/p99) on this shared 2-core machine follow the load average recorded above; p50 and the in-process column are the stable numbers.',
].join('\n');

try {
  for (let deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error(`next start exited:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    const ok = await fetch(`${base}/signin`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('the console did not become ready');
    await new Promise((r) => setTimeout(r, 250)); // polling start-up
  }

  /** Auth.js sign-in over HTTP (csrf, then the credentials form); returns the Cookie header. */
  const signIn = async (): Promise<string> => {
    const jar = new Map<string, string>();
    const keep = (r: Response) => r.headers.getSetCookie().forEach((c) => { const [kv] = c.split(';'); const i = kv!.indexOf('='); jar.set(kv!.slice(0, i), kv!.slice(i + 1)); });
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = await fetch(`${base}/api/auth/csrf`);
    keep(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const res = await fetch(`${base}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
      body: new URLSearchParams({ csrfToken, username: 'admin', password: PASSWORD, callbackUrl: `${base}/` }),
    });
    keep(res);
    if (res.status !== 302 || (res.headers.get('location') ?? '').includes('error=')) throw new Error(`sign-in failed: ${res.status} ${res.headers.get('location')}`);
    return cookie();
  };
  const cookie = await signIn();

  // ---- 2a. first render over HTTP (the very first GET / of this server process is the cold one)
  const getHome = async () => {
    const t = performance.now();
    const res = await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' });
    const html = await res.text();
    const ms = performance.now() - t;
    if (res.status !== 200 || !html.includes('watchtower-stats')) throw new Error(`GET / answered ${res.status} without the stat cards`);
    return { ms, bytes: html.length };
  };
  const cold = await getHome();
  const warm: number[] = [];
  for (let k = 0; k < 20; k++) warm.push((await getHome()).ms);
  const homeHttp = { coldMs: r2(cold.ms), warm: stats(warm), htmlBytes: cold.bytes };
  console.log(`GET / full HTML: cold ${homeHttp.coldMs} ms, warm p50 ${homeHttp.warm.p50} ms p95 ${homeHttp.warm.p95} ms`);

  // ---- 1b. the queries over HTTP
  const url = (q: Query) => `/api/trpc/${q.path}${q.input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(q.input))}`}`;
  const overHttp = async (q: Query) => {
    const t = performance.now();
    const res = await fetch(base + url(q), { headers: { cookie } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${q.name}: ${res.status} ${body.slice(0, 300)}`);
    return { ms: performance.now() - t, bytes: body.length };
  };
  const httpFirst: Record<string, { ms: number; bytes: number }> = {};
  for (const q of QUERIES) {
    httpFirst[q.name] = await overHttp(q);
    for (let k = 0; k < 5; k++) httpFirst[q.name]!.bytes = (await overHttp(q)).bytes;
  }
  // Round robin, in process and over HTTP back to back: a burst of load from other work on this
  // shared machine then lands on every query and on both sides alike, not on one query's sample.
  const samples = Object.fromEntries(QUERIES.map((q) => [q.name, { direct: [] as number[], http: [] as number[] }]));
  for (let k = 0; k < ROUNDS; k++) {
    for (const q of QUERIES) {
      const t = performance.now();
      await callInProcess(q);
      samples[q.name]!.direct.push(performance.now() - t);
      samples[q.name]!.http.push((await overHttp(q)).ms);
    }
  }
  await services.close();
  servicesOpen = false;
  const direct: Record<string, ReturnType<typeof stats> & { bytes: number; firstMs: number }> = {};
  const http: Record<string, ReturnType<typeof stats> & { bytes: number; firstMs: number; ratioP50: number }> = {};
  for (const q of QUERIES) {
    direct[q.name] = { ...stats(samples[q.name]!.direct), ...directFirst[q.name]! };
    const s = stats(samples[q.name]!.http);
    http[q.name] = { ...s, bytes: httpFirst[q.name]!.bytes, firstMs: r2(httpFirst[q.name]!.ms), ratioP50: r2(s.p50 / Math.max(direct[q.name]!.p50, 0.001)) };
    console.log(`${q.name.padEnd(44)} HTTP p50 ${s.p50} p95 ${s.p95} ms | in process p50 ${direct[q.name]!.p50} p95 ${direct[q.name]!.p95} ms | ${http[q.name]!.ratioP50}x`);
  }

  // ---- 2b. the browser: navigation to / until the stat cards are visible
  let browser: Record<string, unknown> = { skipped: 'no /usr/bin/chromium' };
  if (existsSync('/usr/bin/chromium')) {
    const b = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const context = await b.newContext();
      await context.addCookies(cookie.split('; ').map((c) => { const i = c.indexOf('='); return { name: c.slice(0, i), value: c.slice(i + 1), url: base }; }));
      const page = await context.newPage();
      const visit = async () => {
        const t = performance.now();
        await page.goto(`${base}/`, { waitUntil: 'load' });
        const loaded = performance.now() - t;
        await page.getByTestId('watchtower-stats').waitFor({ state: 'visible' });
        const visible = performance.now() - t;
        const nav = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; return { ttfb: n.responseStart, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd }; });
        return { loadMs: r2(loaded), statsVisibleMs: r2(visible), ...Object.fromEntries(Object.entries(nav).map(([k, v]) => [`${k}Ms`, r2(v)])) };
      };
      const first = await visit(); // first visit of a fresh browser: nothing cached
      const again: Awaited<ReturnType<typeof visit>>[] = [];
      for (let k = 0; k < 10; k++) again.push(await visit());
      browser = { first, repeat: { statsVisible: stats(again.map((v) => v.statsVisibleMs)), load: stats(again.map((v) => v.loadMs)) } };
      console.log(`browser: first visit stats visible ${first.statsVisibleMs} ms (load ${first.loadMs} ms); repeat p95 ${stats(again.map((v) => v.statsVisibleMs)).p95} ms`);
    } finally {
      await b.close();
    }
  }

  // ---- 3. 50 signed-in clients, each with its own session
  const cookies: string[] = [cookie];
  while (cookies.length < CLIENTS) cookies.push(await signIn());
  const MIX: Query[] = [{ name: 'GET /', path: '' }, QUERIES[0]!, QUERIES[3]!, QUERIES[4]!];
  const byEndpoint: Record<string, { n: number; ms: number[]; statuses: Record<string, number> }> = {};
  let next = 0;
  const instance = autocannon({
    url: base,
    connections: CLIENTS,
    duration: DURATION_S,
    timeout: 30,
    requests: [{ method: 'GET', path: '/' }],
    setupClient: (client: { setRequests(r: object[]): void }) => {
      const c = cookies[next++ % cookies.length]!;
      client.setRequests(MIX.map((q) => ({ method: 'GET', path: q.path === '' ? '/' : url(q), headers: { cookie: c }, name: q.name })));
    },
  });
  // 'response' fires before the client moves on, so currentRequest is the request just answered.
  instance.on('response', (client: unknown, status: number, _bytes: number, ms: number) => {
    const name = (client as { requestIterator: { currentRequest: { name: string } } }).requestIterator.currentRequest.name;
    const e = (byEndpoint[name] ??= { n: 0, ms: [], statuses: {} });
    e.n++;
    e.ms.push(ms);
    e.statuses[status] = (e.statuses[status] ?? 0) + 1;
  });
  const load = await instance;
  const statusCounts = Object.fromEntries(Object.entries(load.statusCodeStats ?? {}).map(([k, v]) => [k, (v as { count: number }).count]));
  const all = Object.values(byEndpoint).flatMap((e) => e.ms);
  const loadTest = {
    clients: CLIENTS,
    durationS: DURATION_S,
    requests: load.requests.total,
    requestsPerSec: r2(load.requests.average),
    latency: { ...stats(all), p97_5: load.latency.p97_5 },
    non2xx: load.non2xx,
    '5xx': load['5xx'],
    errors: load.errors,
    timeouts: load.timeouts,
    statusCounts,
    perEndpoint: Object.fromEntries(Object.entries(byEndpoint).map(([k, e]) => [k, { requests: e.n, ...stats(e.ms), statuses: e.statuses }])),
  };
  console.log(`load: ${loadTest.requests} requests, ${loadTest.requestsPerSec} req/s, p50 ${loadTest.latency.p50} ms p95 ${loadTest.latency.p95} ms p99 ${loadTest.latency.p99} ms, non-2xx ${loadTest.non2xx}, 5xx ${loadTest['5xx']}, errors ${loadTest.errors}`);

  // ---- results ---------------------------------------------------------------------------------
  const out = { machine: { ...machine, loadavgAtEnd: loadavg() }, seed, targets: { queryP95Ms: 50, firstRenderMs: 1500, fiveXX: 0 }, queries: { inProcess: direct, http }, home: { http: homeHttp, browser }, loadTest };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'console.json'), `${JSON.stringify(out, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'console.md'), markdown(out));
  console.log('wrote bench/results/console.json and console.md');
} finally {
  if (servicesOpen) await services.close();
  await stopServer();
  if (!reuse && !process.argv.includes('--keep')) rmSync(dataDir, { recursive: true, force: true });
}


function markdown(o: { machine: typeof machine & { loadavgAtEnd: number[] }; seed: typeof seed; queries: { inProcess: Record<string, ReturnType<typeof stats> & { bytes: number; firstMs: number }>; http: Record<string, ReturnType<typeof stats> & { bytes: number; firstMs: number; ratioP50: number }> }; home: { http: { coldMs: number; warm: ReturnType<typeof stats>; htmlBytes: number }; browser: Record<string, unknown> }; loadTest: Record<string, unknown> & { latency: ReturnType<typeof stats>; perEndpoint: Record<string, ReturnType<typeof stats> & { requests: number; statuses: Record<string, number> }> } }): string {
  const m = o.machine;
  const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  const b = o.home.browser as { first?: { statsVisibleMs: number; loadMs: number }; repeat?: { statsVisible: ReturnType<typeof stats> } };
  return [
    `# Console under load: ${o.seed.auditEvents.toLocaleString('en')} audit events, ${o.seed.runs.toLocaleString('en')} runs`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}, ${m.date}. Load average at start ${la(m.loadavgAtStart)}, at end ${la(m.loadavgAtEnd)} (shared machine).`,
    `Data: ${o.seed.moduleVersions} module versions, ${o.seed.runs} runs over 30 days (${o.seed.deniedRuns} denied), ${o.seed.auditEvents} audit events (chain verified: ${o.seed.chainVerified}), ${o.seed.quarantineActive} active quarantines; database ${Math.round(o.seed.dbBytes / 2 ** 20)} MiB; seeded in ${Math.round(o.seed.ms.total / 1000)} s.`,
    `Server: \`next start\` (production build in ${m.app}, built ${m.buildTime}), signed in as admin; in process = the same tRPC procedure through \`createCaller\` on the same data, in the bench process.`,
    '',
    '## tRPC queries (target p95 <= 50 ms over HTTP)',
    '',
    `${ROUNDS} rounds after 5 warm-up calls; each round calls every query once in process and once over HTTP, back to back, one at a time. "first" is the very first call (nothing prepared or kept yet).`,
    '',
    '| query | HTTP p50 ms | HTTP p95 ms | HTTP p99 ms | HTTP first ms | in-process p50 ms | in-process p95 ms | in-process first ms | HTTP/in-process (p50) | response bytes |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...Object.entries(o.queries.http).map(([k, h]) => { const d = o.queries.inProcess[k]!; return `| ${k} | ${h.p50} | ${h.p95} | ${h.p99} | ${h.firstMs} | ${d.p50} | ${d.p95} | ${d.firstMs} | ${h.ratioP50}x | ${h.bytes} |`; }),
    '',
    '## Watchtower first render (target <= 1.5 s)',
    '',
    `- GET / to the last byte of HTML: first request after start ${o.home.http.coldMs} ms; then p50 ${o.home.http.warm.p50} ms, p95 ${o.home.http.warm.p95} ms (${o.home.http.htmlBytes} bytes).`,
    b.first && b.repeat
      ? `- Chromium, navigation until \`watchtower-stats\` is visible: first visit ${b.first.statsVisibleMs} ms (load event ${b.first.loadMs} ms); repeat visits p50 ${b.repeat.statsVisible.p50} ms, p95 ${b.repeat.statsVisible.p95} ms.`
      : `- Chromium: ${JSON.stringify(o.home.browser)}`,
    '',
    `## ${o.loadTest.clients} concurrent signed-in clients, ${o.loadTest.durationS} s (target: zero 5xx)`,
    '',
    `${o.loadTest.requests} requests, ${o.loadTest.requestsPerSec} req/s; latency p50 ${o.loadTest.latency.p50} ms, p95 ${o.loadTest.latency.p95} ms, p99 ${o.loadTest.latency.p99} ms; non-2xx ${o.loadTest.non2xx}, 5xx ${o.loadTest['5xx']}, socket errors ${o.loadTest.errors}, timeouts ${o.loadTest.timeouts}. Status counts: ${JSON.stringify(o.loadTest.statusCounts)}.`,
    '',
    '| endpoint | requests | p50 ms | p95 ms | p99 ms | statuses |',
    '|---|---|---|---|---|---|',
    ...Object.entries(o.loadTest.perEndpoint).map(([k, e]) => `| ${k} | ${e.requests} | ${e.p50} | ${e.p95} | ${e.p99} | ${JSON.stringify(e.statuses)} |`),
    '',
    NOTES,
    '',
  ].join('\n');
}
