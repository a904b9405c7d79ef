/**
 * What bench/cold.bench.ts and its child (cold-first-run.ts) run, loaded from a given checkout so
 * that the same measurements can be made of an earlier tree in the same run: its services, its
 * fixtures, its copies of the programs.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Harness } from '../server/services/test-fixtures';
import type { ModuleVersionRow } from '../server/services/module-registry';
import type { Capability } from '../server/core/module/manifest';
import type { ServiceOptions } from '../server/services';
import type { RunRequest } from '../server/core/sandbox/types';
import { request } from '../server/core/sandbox/test-modules';
import { DEFAULT_LIMITS } from '../server/core/module/sign';

export type Backend = 'worker-threads' | 'process';
export const BACKENDS: readonly Backend[] = ['worker-threads', 'process'];
/** How long a console sits idle after opening before the first module arrives. */
export const SETTLE_MS = 1000;

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly wasm: Uint8Array;
  readonly capabilities: Capability[];
  readonly memoryPages?: number;
  readonly input: { args?: string[]; stdin?: Uint8Array; seed?: bigint };
  readonly stdout: RegExp;
}

export interface Tree {
  readonly root: string;
  openHarness(options: Partial<ServiceOptions>): Harness;
  readonly checkpointWorkerUrl: URL;
  readonly workloads: readonly Workload[];
  variant(wasm: Uint8Array, tag: string): Uint8Array;
}

const load = async <T>(root: string, rel: string): Promise<T> => (await import(pathToFileURL(join(root, rel)).href)) as T;

export async function loadTree(root: string): Promise<Tree> {
  const { openHarness } = await load<typeof import('../server/services/test-fixtures')>(root, 'server/services/test-fixtures.ts');
  const { HELLO, variant } = await load<typeof import('../server/core/sandbox/test-modules')>(root, 'server/core/sandbox/test-modules.ts');
  const { program } = await load<typeof import('../server/core/sandbox/test-programs')>(root, 'server/core/sandbox/test-programs.ts');
  const { DEFAULT_CHECKPOINT_WORKER_URL } = await load<typeof import('../db/wal-checkpoint-url')>(root, 'db/wal-checkpoint-url.ts');
  const workloads: Workload[] = [
    { id: 'hello', title: 'hello world (WAT, 159 B)', wasm: HELLO, capabilities: ['stdout', 'stderr', 'exit'], input: {}, stdout: /^hello, world\n$/ },
    {
      id: 'c-sysinfo', title: 'C sysinfo (wasi-libc, 35 KB): 8 random bytes', wasm: program('sysinfo'),
      capabilities: ['args', 'environ', 'stdout', 'stderr', 'clock', 'random', 'exit'], memoryPages: 16, input: { args: ['random', '8'], seed: 5n }, stdout: /^[0-9a-f]{16}\n$/,
    },
    {
      id: 'rust-wordcount', title: 'Rust wordcount (std, 130 KB): 4.4 KB from stdin', wasm: program('wordcount'),
      capabilities: ['args', 'environ', 'stdin', 'stdout', 'stderr', 'exit'], memoryPages: 34,
      input: { args: ['-'], stdin: new TextEncoder().encode('the quick brown fox jumps over the lazy dog\n'.repeat(100)) }, stdout: /^100 900 4400 -\n$/,
    },
  ];
  return { root, openHarness: (o) => openHarness(o), checkpointWorkerUrl: DEFAULT_CHECKPOINT_WORKER_URL, workloads, variant };
}

/** Services as the console opens them: every executor and the preparation thread at once, WAL checkpoints on their own thread. */
/** The manifest fields a workload is installed with (its capabilities, and its memory when it needs more). */
export const manifestFields = (w: Workload) => ({ name: w.id, capabilities: w.capabilities, ...(w.memoryPages ? { limits: { ...DEFAULT_LIMITS, memoryPages: w.memoryPages } } : {}) });

/** The request the governor makes for this program (argv[0] = module name, manifest limits, the workload's input). */
export const requestOf = (w: Workload): RunRequest =>
  request(w.wasm, {
    capabilities: w.capabilities, args: [w.id, ...(w.input.args ?? [])], stdin: w.input.stdin ?? new Uint8Array(0), seed: w.input.seed ?? 1n,
    limits: { ...DEFAULT_LIMITS, memoryPages: w.memoryPages ?? DEFAULT_LIMITS.memoryPages },
  });

/** Throws unless the program wrote what it should: a bench never times a run that went wrong. */
export const checkOut = (w: Workload, what: string, stdout: Uint8Array) => {
  const out = Buffer.from(stdout).toString();
  if (!w.stdout.test(out)) throw new Error(`${w.id} ${what}: wrong output ${JSON.stringify(out)}`);
};

export const consoleHarness = (tree: Tree, backend: Backend, poolSize: number) =>
  tree.openHarness({ poolSize, prespawn: true, backend, checkpointWorkerUrl: tree.checkpointWorkerUrl });

let tag = 0;
/** A module never seen before (a variant: new digest), imported; its preparation started as the upload route does (not awaited). */
export function importNew(tree: Tree, h: Harness, w: Workload): ModuleVersionRow {
  const row = h.install(tree.variant(w.wasm, `cold-${process.pid}-${++tag}`), { name: `${w.id}-${tag}`, capabilities: w.capabilities, ...(w.memoryPages ? { limits: { memoryPages: w.memoryPages } } : {}) });
  void h.services.prepareImported(row).catch(() => undefined);
  return row;
}

/** One governed run: ms on this thread, and the module's own time in the sandbox (from its decision record). */
export async function timedRun(h: Harness, module: ModuleVersionRow, w: Workload): Promise<{ ms: number; moduleMs: number }> {
  const t = performance.now();
  const r = await h.services.governor.run(module, w.input, 'bench');
  const ms = performance.now() - t;
  if (!r.ok) throw new Error(`${w.id}: ${r.code} ${r.message}`);
  const out = Buffer.from(r.value.stdout).toString();
  if (r.value.record.decision !== 'allow' || !w.stdout.test(out)) {
    throw new Error(`${w.id}: not allowed or wrong output: ${JSON.stringify(r.value.record.execution)} ${JSON.stringify(out)}`);
  }
  return { ms, moduleMs: r.value.record.execution?.used.wallMs ?? 0 };
}
