/**
 * Per-run cost of the virtual filesystem: `node bin/run-ts.mjs bench/filesystem.bench.ts`
 * The same module run side by side, interleaved, with and without a preopened input tree of 1,000
 * files and 10 MB (10,240 bytes each, in 10 folders):
 *   1. the sandbox alone (worker backend): the copy into the worker, building the in-memory tree,
 *      and the final state coming back;
 *   2. the governed run (real services): plus hashing every file for the decision record and
 *      storing contents by digest (stored once: later runs of the same tree find them present);
 *   3. reading the host folder (`--dir`), which the CLI does once before a run.
 * The module touches no file, so the difference is the filesystem's fixed cost per run.
 * Writes bench/results/filesystem.{json,md}.
 */
import os from 'node:os';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createWorkerThreadsBackend } from '../server/core/sandbox/worker-threads';
import { DEFAULT_WORKER_URL } from '../server/core/sandbox/worker-threads/worker-url';
import * as m from '../server/core/sandbox/test-modules';
import { snapshotHostDirs } from '../server/services/host-dirs';
import { openHarness } from '../server/services/test-fixtures';

const FILES = 1000;
const FILE_BYTES = 10 * 1024;
const RUNS = 30;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const stats = (xs: number[]) => ({ p50: round(quantile(xs, 0.5)), p95: round(quantile(xs, 0.95)) });

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'nc-fs-bench-'));
  const host = join(work, 'tree');
  for (let d = 0; d < 10; d++) {
    mkdirSync(join(host, `dir${d}`), { recursive: true });
    for (let f = 0; f < FILES / 10; f++) writeFileSync(join(host, `dir${d}`, `file${f}.bin`), randomBytes(FILE_BYTES));
  }

  // 3. Reading the host folder.
  const readMs: number[] = [];
  let dirs: ReturnType<typeof snapshotHostDirs> | undefined;
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    dirs = snapshotHostDirs([{ host, guest: '/data' }]);
    readMs.push(performance.now() - t);
  }
  if (!dirs?.ok) throw new Error('snapshot failed');
  const preopens = dirs.value;
  const totalBytes = preopens[0]!.entries.reduce((n, e) => n + (e.kind === 'file' ? e.data.length : 0), 0);

  // 1. The sandbox alone.
  const pool = createWorkerThreadsBackend({ size: 1, workerUrl: DEFAULT_WORKER_URL });
  const bare = m.request(m.HELLO, { capabilities: ['stdout'] });
  const withTree = { ...bare, capabilities: ['stdout', 'fs.read'] as const, preopens };
  const must = async (req: typeof bare) => {
    const r = await pool.run(req);
    if (!r.ok || r.value.outcome.kind !== 'ok') throw new Error(`bench run failed: ${JSON.stringify(r.ok ? r.value.outcome : r)}`);
    return r.value;
  };
  await must(bare);
  await must(withTree);
  const sandboxBare: number[] = [];
  const sandboxTree: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await must(bare);
    sandboxBare.push(performance.now() - t);
    t = performance.now();
    await must(withTree);
    sandboxTree.push(performance.now() - t);
  }
  await pool.close();

  // 2. The governed run through real services.
  const policy = JSON.parse(readFileSync(new URL('../policies/default.json', import.meta.url), 'utf8'));
  policy.capabilities = [...policy.capabilities, 'fs.read'];
  const policyPath = join(work, 'policy.json');
  writeFileSync(policyPath, JSON.stringify(policy));
  const h = openHarness({ policyPath, poolSize: 1 });
  const module = h.install(m.HELLO, { name: 'fs-bench', capabilities: ['stdout', 'fs.read'] });
  const governed = async (withDirs: boolean) => {
    const r = await h.services.governor.run(module, withDirs ? { dirs: preopens } : {}, 'bench');
    if (!r.ok || r.value.record.decision !== 'allow') throw new Error(`governed run failed: ${JSON.stringify(r.ok ? r.value.record.post : r)}`);
  };
  const firstTree = performance.now();
  await governed(true); // stores the 1,000 contents for the first time
  const firstTreeMs = performance.now() - firstTree;
  await governed(false);
  const govBare: number[] = [];
  const govTree: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await governed(false);
    govBare.push(performance.now() - t);
    t = performance.now();
    await governed(true);
    govTree.push(performance.now() - t);
  }
  await h.services.close();

  const results = {
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, platform: `${os.platform()} ${os.arch()}`, loadavg: os.loadavg().map((x) => round(x, 1)) },
    tree: { files: FILES, bytes: totalBytes, folders: 10 },
    runs: RUNS,
    readHostFolderMs: stats(readMs),
    sandbox: { withoutMs: stats(sandboxBare), withTreeMs: stats(sandboxTree), addedP50Ms: round(quantile(sandboxTree, 0.5) - quantile(sandboxBare, 0.5)) },
    governed: {
      withoutMs: stats(govBare),
      withTreeMs: stats(govTree),
      addedP50Ms: round(quantile(govTree, 0.5) - quantile(govBare, 0.5)),
      firstRunStoringContentsMs: round(firstTreeMs),
    },
  };
  console.log(JSON.stringify(results, null, 2));
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('filesystem.json', dir), `${JSON.stringify(results, null, 2)}\n`);
  const md = [
    '# virtual filesystem benchmark',
    '',
    `${results.machine.cpu}, ${results.machine.cores} cores, node ${results.machine.node}, ${results.machine.platform}, load average ${results.machine.loadavg.join(' / ')}`,
    '',
    `Input tree: ${FILES} files, ${totalBytes} bytes in 10 folders; ${RUNS} runs each, interleaved; the module touches no file.`,
    '',
    '| measure | without | with the tree | added per run (p50) |',
    '|---|---|---|---|',
    `| sandbox run p50 / p95 | ${results.sandbox.withoutMs.p50} / ${results.sandbox.withoutMs.p95} ms | ${results.sandbox.withTreeMs.p50} / ${results.sandbox.withTreeMs.p95} ms | ${results.sandbox.addedP50Ms} ms |`,
    `| governed run p50 / p95 | ${results.governed.withoutMs.p50} / ${results.governed.withoutMs.p95} ms | ${results.governed.withTreeMs.p50} / ${results.governed.withTreeMs.p95} ms | ${results.governed.addedP50Ms} ms |`,
    `| reading the host folder (\`--dir\`) p50 / p95 | — | ${results.readHostFolderMs.p50} / ${results.readHostFolderMs.p95} ms | once per CLI run |`,
    `| first governed run of this tree (stores 1,000 contents) | — | ${results.governed.firstRunStoringContentsMs} ms | once per distinct content |`,
    '',
  ].join('\n');
  writeFileSync(new URL('filesystem.md', dir), md);
}

await main();
