/**
 * The worker-threads backend's executors: Node.js worker threads, each running one instrumented
 * module at a time (worker.mjs), over the shared executor pool (queue, wall-clock kill, replacement,
 * kill switch). Compiled modules are cached per digest and caps, and may be prepared off-thread.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { SandboxBackend } from '../backend';
import { createExecutorPool, type Executor, type ExecutorEvents } from '../executor-pool';
import { ModuleCache, type CompiledModule, type InstrumentFn, type PrepareFn } from './module-cache';
import { tableElementsOf } from '../../module/manifest';
import { jobFields } from '../run-job';
import { instrumentModule } from '../instrument';
import { WORKER_THREADS } from './guarantees';
import type { RunRequest } from '../types';

export interface SandboxPoolOptions {
  /** Worker threads (default os.availableParallelism()). */
  readonly size?: number;
  /** Runs that may wait for a worker; past it run() returns BUSY at once (default 4 × size). */
  readonly queueLimit?: number;
  /** Compiled modules kept (LRU, default 32). */
  readonly moduleCacheEntries?: number;
  /** Worker entry: DEFAULT_WORKER_URL (./worker-url.ts) from source; bundled hosts pass their own path. */
  readonly workerUrl: URL;
  /** Injected for tests or alternative instrumenters (default ./instrument instrumentModule). */
  readonly instrument?: InstrumentFn;
  /**
   * Off-thread instrumentation and compilation (services pass the preparation port backed by the
   * persisted artefacts). Without it, instrument runs on this thread: fine for tests and small modules.
   */
  readonly prepare?: PrepareFn;
  /** Workers started at once instead of on first use: all (true) or a count (see ExecutorPoolOptions). */
  readonly prespawn?: boolean | number;
  /** JS heap cap per worker. Does NOT cap wasm memory: that is the instrumenter's clamp. */
  readonly workerHeapMb?: number;
}

/** The pool is the worker-threads backend; checks common to all backends wrap it (see ./index.ts). */
export type SandboxPool = SandboxBackend;

function spawnWorker(workerUrl: URL, heapMb: number, events: ExecutorEvents): Executor {
  const worker = new Worker(workerUrl, {
    // No inherited loaders or flags, and no host environment: the sandbox reads none of it.
    execArgv: [],
    env: {},
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
  });
  worker.on('message', (msg: unknown) => events.onMessage(msg));
  worker.on('error', (e: Error) => events.onDeath(`worker error: ${e.message}`));
  worker.on('exit', (code: number) => events.onDeath(`worker exited unexpectedly (code ${code})`));
  return {
    send: (message) => worker.postMessage(message),
    // terminate() is the only thing that preempts a busy wasm loop.
    terminate: async () => void (await worker.terminate()),
    // Referenced while busy or starting; unref'd when idle, so idle workers never keep a CLI alive.
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

export function createSandboxPool(opts: SandboxPoolOptions): SandboxPool {
  const size = Math.max(1, opts.size ?? availableParallelism());
  const heapMb = opts.workerHeapMb ?? 128;
  const cache = new ModuleCache(Math.max(1, opts.moduleCacheEntries ?? 32), opts.instrument ?? instrumentModule);
  const caps = (req: RunRequest) => ({ maxMemoryPages: req.limits.memoryPages, maxTableElements: tableElementsOf(req.limits) });
  const prepare = opts.prepare;
  return createExecutorPool<CompiledModule>({
    description: WORKER_THREADS,
    size,
    queueLimit: Math.max(0, opts.queueLimit ?? size * 4),
    prespawn: opts.prespawn,
    spawn: (events) => spawnWorker(opts.workerUrl, heapMb, events),
    prepare: (req) => (prepare ? cache.getOrPrepare(req.wasmSha256, req.wasm, caps(req), prepare) : cache.getOrCompile(req.wasmSha256, req.wasm, caps(req))),
    job: (req, compiled) => ({ ...jobFields(req), module: compiled.module, memoryExport: compiled.memoryExport }),
    detail: () => ({ cacheEntries: cache.size, cacheHits: cache.hits, cacheMisses: cache.misses }),
  });
}
