/**
 * Per-run overhead of each sandbox backend against the worker backend, side by side in one run:
 * `node bin/run-ts.mjs bench/backends.bench.ts`. Writes bench/results/backends.{json,md}.
 *
 * - warm: the same module again (instrumented and compiled already); the backends take turns, one
 *   run each per round, the order rotating, so load on the shared host hits them alike;
 * - cold: a module never seen before (instrument + compile on the backend's path), each round a new
 *   variant given to every backend;
 * - start: a fresh backend's first run (worker thread / jail / node process-free HTTP client).
 * The remote backend talks HTTP over loopback to an execution node in this process whose own local
 * backend is worker threads: its ratio is the protocol's cost (signing, verifying the job and the
 * module against the node's trust store, base64, HTTP), not a second machine's.
 */
import os from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateKeyPair, signEd25519, verifyEd25519 } from '../server/core/crypto/ed25519';
import { keyIdOf } from '../server/core/crypto/keys';
import type { SandboxBackend } from '../server/core/sandbox/backend';
import { createWorkerThreadsBackend } from '../server/core/sandbox/worker-threads';
import { DEFAULT_WORKER_URL } from '../server/core/sandbox/worker-threads/worker-url';
import { createProcessBackend, sandboxDirOf } from '../server/core/sandbox/process';
import { createExecutionNode, createRemoteBackend } from '../server/core/sandbox/remote';
import { testPublisher } from '../server/core/sandbox/remote/test-signed';
import * as m from '../server/core/sandbox/test-modules';
import { httpNodeTransport, startNodeServer } from '../server/services/node-http';

type Kind = 'worker-threads' | 'process' | 'remote';
const KINDS: readonly Kind[] = ['worker-threads', 'process', 'remote'];
const publisher = testPublisher();
const consoleKey = generateKeyPair();

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function open(kind: Kind): Promise<{ backend: SandboxBackend; close: () => Promise<void> }> {
  if (kind === 'worker-threads') {
    const b = createWorkerThreadsBackend({ size: 1, workerUrl: DEFAULT_WORKER_URL });
    return { backend: b, close: () => b.close() };
  }
  if (kind === 'process') {
    const b = createProcessBackend({ size: 1, sandboxDir: sandboxDirOf(DEFAULT_WORKER_URL), node: process.execPath, prespawn: true });
    if (!b.ok) throw new Error(b.message);
    return { backend: b.value, close: () => b.value.close() };
  }
  const nodeKey = generateKeyPair();
  const local = createWorkerThreadsBackend({ size: 1, workerUrl: DEFAULT_WORKER_URL });
  const node = createExecutionNode({
    seed: nodeKey.seed,
    publicKey: nodeKey.publicKey,
    consoles: (id) => (id === keyIdOf(consoleKey.publicKey) ? consoleKey.publicKey : undefined),
    publishers: publisher.publishers,
    backend: local,
    clock: () => new Date(),
    sign: signEd25519,
    verify: verifyEd25519,
  });
  const server = await startNodeServer(node, { host: '127.0.0.1', port: 0 });
  const remote = createRemoteBackend({
    nodes: [{ keyid: node.keyid, url: server.url, capacity: 1 }],
    transport: httpNodeTransport(),
    consoleKeyid: keyIdOf(consoleKey.publicKey),
    nodeKey: (id) => (id === node.keyid ? nodeKey.publicKey : undefined),
    sign: (msg) => signEd25519(consoleKey.seed, msg),
    verify: verifyEd25519,
    clock: () => new Date(),
    healthEveryMs: 0,
  });
  return {
    backend: remote,
    close: async () => {
      await remote.close();
      await server.close();
      await local.close();
    },
  };
}

async function timed(backend: SandboxBackend, req: ReturnType<typeof m.request>): Promise<number> {
  const t = performance.now();
  const r = await backend.run(req);
  const ms = performance.now() - t;
  if (!r.ok || r.value.outcome.kind !== 'ok') throw new Error(`${backend.kind}: ${JSON.stringify(r.ok ? r.value.outcome : r)}`);
  return ms;
}

async function main() {
  const hello = publisher.signed(m.request(m.HELLO, { capabilities: ['stdout'] }));

  // Start: a fresh backend's first run, three times each, interleaved.
  const start: Record<Kind, number[]> = { 'worker-threads': [], process: [], remote: [] };
  for (let rep = 0; rep < 3; rep++) {
    for (const kind of KINDS) {
      const t = performance.now();
      const b = await open(kind);
      await timed(b.backend, hello);
      start[kind].push(performance.now() - t);
      await b.close();
    }
  }

  const opened = await Promise.all(KINDS.map(open));
  const backends = Object.fromEntries(KINDS.map((k, i) => [k, opened[i]!.backend])) as Record<Kind, SandboxBackend>;
  for (const k of KINDS) for (let i = 0; i < 20; i++) await timed(backends[k], hello); // warm-up

  const warm: Record<Kind, number[]> = { 'worker-threads': [], process: [], remote: [] };
  for (let round_ = 0; round_ < 300; round_++) {
    for (let j = 0; j < KINDS.length; j++) {
      const kind = KINDS[(round_ + j) % KINDS.length]!;
      warm[kind].push(await timed(backends[kind], hello));
    }
  }

  const cold: Record<Kind, number[]> = { 'worker-threads': [], process: [], remote: [] };
  for (let round_ = 0; round_ < 40; round_++) {
    const req = publisher.signed(m.request(m.variant(m.HELLO, `cold-${round_}-${process.pid}`), { capabilities: ['stdout'] }));
    for (let j = 0; j < KINDS.length; j++) {
      const kind = KINDS[(round_ + j) % KINDS.length]!;
      cold[kind].push(await timed(backends[kind], req));
    }
  }
  for (const o of opened) await o.close();

  const summary = (xs: Record<Kind, number[]>) =>
    Object.fromEntries(
      KINDS.map((k) => [
        k,
        {
          p50: round(quantile(xs[k], 0.5), 3),
          p95: round(quantile(xs[k], 0.95), 3),
          runs: xs[k].length,
          p50OverWorker: round(quantile(xs[k], 0.5) / quantile(xs['worker-threads'], 0.5)),
        },
      ]),
    ) as Record<Kind, { p50: number; p95: number; runs: number; p50OverWorker: number }>;
  const results = {
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, platform: `${os.platform()} ${os.arch()}`, loadavg: os.loadavg().map((x) => round(x)) },
    warm: summary(warm),
    cold: summary(cold),
    start: summary(start),
  };
  console.log(JSON.stringify(results, null, 2));
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('backends.json', dir), `${JSON.stringify(results, null, 2)}\n`);
  const row = (name: string, s: ReturnType<typeof summary>) =>
    KINDS.map((k) => `| ${name} | ${k} | ${s[k].p50} | ${s[k].p95} | ×${s[k].p50OverWorker} | ${s[k].runs} |`).join('\n');
  const md = [
    '# backends benchmark: per-run overhead against worker threads',
    '',
    `${results.machine.cpu}, ${results.machine.cores} cores, node ${results.machine.node}, ${results.machine.platform}, load average ${results.machine.loadavg.join(' / ')} at the end`,
    '',
    'hello world (one `fd_write`), one run at a time, backends taking turns; remote = HTTP over loopback to a node in the same process running worker threads.',
    '',
    '| case | backend | p50 ms | p95 ms | p50 vs worker | runs |',
    '|---|---|---|---|---|---|',
    row('warm (cached module)', results.warm),
    row('cold (new module)', results.cold),
    row('start (new backend, first run)', results.start),
    '',
  ].join('\n');
  writeFileSync(new URL('backends.md', dir), md);
}

await main();
