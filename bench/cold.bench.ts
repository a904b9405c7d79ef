/**
 * Cold paths (issue 14): `node bin/run-ts.mjs bench/cold.bench.ts [--baseline <checkout>]`
 * → bench/results/cold.{json,md}.
 *
 * Governed runs through the services, for three programs (hello world in WAT; the C `sysinfo` and the
 * Rust `wordcount` from testdata/programs, built with wasi-libc and Rust std) on two backends (worker
 * threads; jailed processes, bubblewrap):
 *
 *   - console, first module after start: a new process per sample (bench/cold-first-run.ts) opens
 *     the services as the console does (every executor and the preparation thread started at once,
 *     WAL checkpoints on their own thread), sits idle 1 s as a console does before its first request,
 *     imports a module, starts its preparation as the upload route does (not awaited) and runs it
 *     once: the process's very first governed run, on main-thread code nothing has run yet;
 *   - console that has served, newly imported module: console services kept open, which have first
 *     imported and run a few modules of each program; each sample imports a module never seen before
 *     (a variant: new digest) and runs it once: the "first run of a newly imported module" on
 *     a console that is serving;
 *   - warm: that module again (its compiled module cached);
 *   - fresh services: a new data folder and services opened without prespawn in this (already warm)
 *     process, then the first run: what a host pays that opens services for one run.
 *
 * With --baseline, the same measurements of another checkout (its services, fixtures and programs,
 * loaded in this process; its children run the same child script) take turns with this tree's, sample
 * by sample, so load on the shared host hits both alike: before/after as ratios from one run.
 * "module" is the sandbox's wall time for the run (from the decision record): on a cold run it
 * includes V8 compiling the module's functions on first call.
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { BACKENDS, SETTLE_MS, consoleHarness, importNew, loadTree, timedRun, type Tree } from './cold-workloads';

const { values: flags } = parseArgs({ options: { baseline: { type: 'string' } } });
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIRST_SAMPLES = 5;
const SAMPLES = 7;
const WARM_PER_SAMPLE = 4;
/** Modules of each program imported and run before the "newly imported" rows are measured. */
const SERVED_BEFORE = 5;
const CORES = os.availableParallelism();

const trees: { label: 'current' | 'baseline'; tree: Tree }[] = [{ label: 'current', tree: await loadTree(ROOT) }];
/** The commit a checkout is at (recorded beside its figures), or null outside git. */
const commitOf = (root: string): string | null => {
  const r = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};
if (flags.baseline) trees.push({ label: 'baseline', tree: await loadTree(resolve(flags.baseline)) });
const WORKLOADS = trees[0]!.tree.workloads;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const q = (xs: number[], f: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor(f * xs.length))] ?? NaN;
const r2 = (x: number) => Math.round(x * 100) / 100;
const dist = (xs: number[]) => ({ p50: r2(q(xs, 0.5)), p90: r2(q(xs, 0.9)), max: r2(q(xs, 1)), n: xs.length });

type Series = { ms: number[]; moduleMs: number[] };
/** Rows by name, then by tree label. */
const rows = new Map<string, Record<string, Series>>();
const push = (row: string, label: string, x: { ms: number; moduleMs: number }) => {
  const byTree = rows.get(row) ?? {};
  rows.set(row, byTree);
  const s = (byTree[label] ??= { ms: [], moduleMs: [] });
  s.ms.push(x.ms);
  s.moduleMs.push(x.moduleMs);
};
const closeHarness = async (h: ReturnType<Tree['openHarness']>) => {
  await h.services.close();
  rmSync(h.dataDir, { recursive: true, force: true });
};

// 1. The process's first run, one process per sample; trees, backends and programs take turns.
const CHILD = join(ROOT, 'bench', 'cold-first-run.ts');
for (let i = 0; i < FIRST_SAMPLES; i++) {
  for (const backend of BACKENDS) {
    for (const w of WORKLOADS) {
      for (const { label, tree } of trees) {
        const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run-ts.mjs'), CHILD, tree.root, backend, w.id], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`cold-first-run ${label} ${backend} ${w.id}: ${r.stderr}`);
        const x = JSON.parse(r.stdout.trim().split('\n').pop()!) as { openMs: number; ms: number; moduleMs: number };
        push(`console, first module after start: ${w.title}, ${backend}`, label, x);
        push(`opening console services (every executor and the preparation thread), ${backend}`, label, { ms: x.openMs, moduleMs: 0 });
      }
    }
  }
}

// 2. Fresh services in this process, no prespawn.
for (let i = 0; i < SAMPLES; i++) {
  for (const backend of BACKENDS) {
    for (const { label, tree } of trees) {
      const t = performance.now();
      const h = tree.openHarness({ poolSize: CORES, backend });
      const w = WORKLOADS[0]!;
      const module = h.install(tree.variant(w.wasm, `fresh-${process.pid}-${i}`), { name: 'hello', capabilities: w.capabilities });
      push(`opening fresh services (new data folder, no prespawn) and importing, ${backend}`, label, { ms: performance.now() - t, moduleMs: 0 });
      push(`fresh services (no prespawn): first run, ${w.title}, ${backend}`, label, await timedRun(h, module, w));
      await closeHarness(h);
    }
  }
}

// 3. Consoles that have served: newly imported modules, then the same module warm.
for (const backend of BACKENDS) {
  const open = trees.map(({ label, tree }) => ({ label, tree, h: consoleHarness(tree, backend, CORES) }));
  await sleep(SETTLE_MS);
  for (const { tree, h } of open) for (let i = 0; i < SERVED_BEFORE; i++) for (const w of tree.workloads) await timedRun(h, importNew(tree, h, w), w);
  for (let i = 0; i < SAMPLES; i++) {
    for (const w of WORKLOADS) {
      for (const { label, tree, h } of i % 2 ? [...open].reverse() : open) {
        const tw = tree.workloads.find((x) => x.id === w.id)!;
        const module = importNew(tree, h, tw);
        push(`console that has served, newly imported module: ${w.title}, ${backend}`, label, await timedRun(h, module, tw));
        for (let k = 0; k < WARM_PER_SAMPLE; k++) push(`warm: ${w.title}, ${backend}`, label, await timedRun(h, module, tw));
      }
    }
  }
  for (const { h } of open) await closeHarness(h);
}

// ── report ──────────────────────────────────────────────────────────────────────────────────────
const labels = trees.map((t) => t.label);
const result = {
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: CORES, node: process.version, os: `${os.platform()} ${os.release()}`, loadAverage1m: r2(os.loadavg()[0]!) },
  date: new Date().toISOString(),
  commit: commitOf(ROOT),
  baseline: flags.baseline ? { path: resolve(flags.baseline), commit: commitOf(resolve(flags.baseline)) } : null,
  settleMs: SETTLE_MS,
  rows: Object.fromEntries([...rows].map(([name, byTree]) => [name, Object.fromEntries(Object.entries(byTree).map(([l, s]) => [l, { run: dist(s.ms), moduleOwn: dist(s.moduleMs) }]))])),
  target: { newModuleFirstRunMs: 15 },
};
const cell = (s: Series | undefined) => (s ? `${r2(q(s.ms, 0.5))} / ${r2(q(s.ms, 0.9))}` : '');
const md = [
  '# Cold paths benchmark',
  '',
  `${result.machine.cpu}, ${CORES} cores, node ${result.machine.node}, ${result.machine.os}, ${result.date}, load average ${result.machine.loadAverage1m} at the end`,
  'Governed runs through the services (verify, inspect, pre-exec, run.started, sandbox, post-exec, decision record), ms on the calling thread, p50 / p90. ' +
    `"module" = the sandbox's wall time for the run, from the decision record. First-module rows: ${FIRST_SAMPLES} processes each; other cold rows ${SAMPLES} samples; warm rows ${SAMPLES * WARM_PER_SAMPLE}.` +
    (flags.baseline ? ` "before" = ${flags.baseline} at ${result.baseline?.commit ?? '?'}, measured in the same run, taking turns with this tree (${result.commit ?? '?'}) sample by sample.` : ''),
  '',
  `| path | ${labels.map((l) => (l === 'current' ? 'now p50 / p90 ms' : 'before p50 / p90 ms')).join(' | ')} | module p50 ms |${flags.baseline ? ' now / before (p50) |' : ''}`,
  `|---|${labels.map(() => '---:').join('|')}|---:|${flags.baseline ? '---:|' : ''}`,
  ...[...rows].sort(([a], [b]) => Number(a.startsWith('opening')) - Number(b.startsWith('opening'))).map(([name, byTree]) => {
    const now = byTree.current!;
    const before = byTree.baseline;
    const ratio = before ? ` ${r2(q(now.ms, 0.5) / q(before.ms, 0.5))}x |` : '';
    return `| ${name} | ${labels.map((l) => cell(byTree[l])).join(' | ')} | ${name.startsWith('opening') ? '' : r2(q(now.moduleMs, 0.5))} |${ratio}`;
  }),
  '',
].join('\n');
console.log(md);
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'cold.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(dir, 'cold.md'), md);
