import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { err, ok, type Result } from '../../result';
import type { RunOutcome, RunRequest, RunResult } from '../types';
import type { BackendStats, SandboxBackend, SandboxRunError } from '../backend';
import { emptyResult } from '../request-checks';
import { ModuleCache, type CompiledModule, type CompileError, type InstrumentFn, type PrepareFn } from './module-cache';
import { tableElementsOf } from '../../module/manifest';
import { isFromWorker, type ToWorker } from './worker-protocol';
import { jobFields, type WorkerReport } from '../run-job';
import { instrumentModule } from '../instrument';
import { WORKER_THREADS } from './guarantees';

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
  /** JS heap cap per worker. Does NOT cap wasm memory: that is the instrumenter's clamp. */
  readonly workerHeapMb?: number;
}

/** The pool is the worker-threads backend; checks common to all backends wrap it (see ./index.ts). */
export type SandboxPool = SandboxBackend;

type Settle = (r: Result<RunResult, SandboxRunError>) => void;

/** A run accepted but still being prepared (instrumented and compiled, maybe off-thread). */
interface Pending {
  readonly settle: Settle;
}

interface Job {
  readonly id: number;
  readonly req: RunRequest;
  readonly compiled: CompiledModule;
  readonly settle: Settle;
  startedAt: number;
  timer: ReturnType<typeof setTimeout> | null;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  dead: boolean;
  job: Job | null;
}

export function createSandboxPool(opts: SandboxPoolOptions): SandboxPool {
  const size = Math.max(1, opts.size ?? availableParallelism());
  const queueLimit = Math.max(0, opts.queueLimit ?? size * 4);
  const workerUrl = opts.workerUrl;
  const heapMb = opts.workerHeapMb ?? 128;
  const cache = new ModuleCache(Math.max(1, opts.moduleCacheEntries ?? 32), opts.instrument ?? instrumentModule);
  const slots: Slot[] = [];
  const queue: Job[] = [];
  const counters = { completed: 0, timeouts: 0, crashes: 0, killed: 0, workersReplaced: 0 };
  let nextId = 1;
  let closed = false;
  const preparing = new Set<Pending>();

  const elapsed = (job: Job) => Math.round((performance.now() - job.startedAt) * 100) / 100;

  function spawn(): Slot {
    const worker = new Worker(workerUrl, {
      // No inherited loaders or flags, and no host environment: the sandbox reads none of it.
      execArgv: [],
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    const slot: Slot = { worker, ready: false, dead: false, job: null };
    // Referenced while starting (a run may be waiting for it); unref'd once idle, so idle workers
    // never keep a CLI process alive.
    worker.on('message', (msg: unknown) => onMessage(slot, msg));
    worker.on('error', (e: Error) => onDeath(slot, `worker error: ${e.message}`));
    worker.on('exit', (code: number) => onDeath(slot, `worker exited unexpectedly (code ${code})`));
    slots.push(slot);
    return slot;
  }

  /** Removes a slot and terminates its thread; a warm replacement is started if it had served. */
  function retire(slot: Slot, replace: boolean): void {
    if (slot.dead) return;
    slot.dead = true;
    if (slot.job?.timer) clearTimeout(slot.job.timer);
    slot.job = null;
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    void slot.worker.terminate();
    if (replace && !closed) {
      counters.workersReplaced++;
      spawn();
    }
  }

  function onMessage(slot: Slot, msg: unknown): void {
    if (slot.dead || !isFromWorker(msg)) return;
    if (msg.type === 'ready') {
      slot.ready = true;
      pump();
      if (slot.job === null) slot.worker.unref();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    finish(slot, job, msg.report);
  }

  function finish(slot: Slot, job: Job, report: WorkerReport): void {
    if (job.timer) clearTimeout(job.timer);
    slot.job = null;
    slot.worker.unref();
    counters.completed++;
    if (report.outcome.kind === 'crashed') counters.crashes++;
    const { recycle: _recycle, ...result } = report;
    job.settle(ok({ ...result, wallMs: elapsed(job) }));
    if (report.recycle) retire(slot, true);
    pump();
  }

  function onDeath(slot: Slot, message: string): void {
    if (slot.dead) return;
    const job = slot.job;
    const wasReady = slot.ready;
    retire(slot, wasReady);
    if (job) {
      counters.completed++;
      counters.crashes++;
      job.settle(ok(emptyResult({ kind: 'crashed', message }, elapsed(job))));
    }
    // A worker that never started (bad entry file) is not respawned in a loop: fail the waiting runs.
    if (!wasReady && slots.length === 0) {
      for (const queued of queue.splice(0)) {
        queued.settle(ok(emptyResult({ kind: 'crashed', message: `sandbox worker failed to start: ${message}` })));
      }
    }
    pump();
  }

  function onTimeout(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    counters.completed++;
    counters.timeouts++;
    const wallMs = elapsed(job);
    // terminate() is the only thing that preempts a busy wasm loop; the thread is replaced.
    retire(slot, true);
    job.settle(ok(emptyResult({ kind: 'timeout' }, wallMs)));
    pump();
  }

  function dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref();
    const { req, compiled } = job;
    const message: ToWorker = {
      type: 'run',
      id: job.id,
      job: { ...jobFields(req), module: compiled.module, memoryExport: compiled.memoryExport },
    };
    job.startedAt = performance.now();
    job.timer = setTimeout(() => onTimeout(slot, job), req.limits.wallMs);
    try {
      slot.worker.postMessage(message);
    } catch (e) {
      // Not cloneable (should not happen for a valid RunRequest): end the run, keep the worker.
      clearTimeout(job.timer);
      slot.job = null;
      slot.worker.unref();
      counters.completed++;
      counters.crashes++;
      job.settle(ok(emptyResult({ kind: 'crashed', message: `could not send run to worker: ${String(e)}` })));
    }
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.ready && !slot.dead && slot.job === null) dispatch(slot, queue.shift() as Job);
    }
    // Start threads lazily, up to size, for runs still waiting.
    const starting = slots.filter((s) => !s.ready).length;
    for (let n = Math.min(queue.length - starting, size - slots.length); n > 0; n--) spawn();
  }

  return {
    kind: 'worker-threads',
    description: WORKER_THREADS,
    run(req) {
      if (closed) return Promise.resolve(err('SHUT_DOWN', 'sandbox pool is closed'));
      const active = slots.filter((s) => s.job !== null).length;
      // Runs still being prepared count as queued: they are on their way to the queue.
      if (active + queue.length + preparing.size >= size + queueLimit) {
        return Promise.resolve(err('BUSY', `sandbox busy: ${active} running, ${queue.length + preparing.size} queued (limit ${queueLimit})`));
      }
      const caps = { maxMemoryPages: req.limits.memoryPages, maxTableElements: tableElementsOf(req.limits) };
      const enqueue = (compiled: Result<CompiledModule, CompileError>, settle: Settle): void => {
        // Initial memory or tables above the caps: refused before the engine allocates any of it,
        // and reported as the limit it hit (with its decision record), never as a crash.
        if (!compiled.ok && compiled.code === 'LIMIT_EXCEEDED') return settle(ok(emptyResult({ kind: 'memory_limit' })));
        if (!compiled.ok) return settle(err('INSTRUMENT_FAILED', compiled.message));
        queue.push({ id: nextId++, req, compiled: compiled.value, settle, startedAt: 0, timer: null });
        pump();
      };
      const prepare = opts.prepare;
      if (!prepare) return new Promise((settle) => enqueue(cache.getOrCompile(req.wasmSha256, req.wasm, caps), settle));
      return new Promise((settle) => {
        // While it is prepared off-thread, the kill switch and close() can still end it.
        const pending: Pending = { settle };
        preparing.add(pending);
        cache.getOrPrepare(req.wasmSha256, req.wasm, caps, prepare).then(
          (compiled) => {
            if (preparing.delete(pending)) enqueue(compiled, settle); // else ended meanwhile
          },
          (e: unknown) => {
            if (preparing.delete(pending)) settle(ok(emptyResult({ kind: 'crashed', message: `preparation failed: ${String(e)}` })));
          },
        );
      });
    },

    killAll(reason) {
      const outcome: RunOutcome = { kind: 'denied', reason: `kill switch: ${reason}` };
      let count = 0;
      for (const pending of [...preparing]) {
        preparing.delete(pending);
        pending.settle(ok(emptyResult(outcome)));
        count++;
      }
      for (const job of queue.splice(0)) {
        job.settle(ok(emptyResult(outcome)));
        count++;
      }
      for (const slot of [...slots]) {
        const job = slot.job;
        if (!job) continue;
        retire(slot, true);
        job.settle(ok(emptyResult(outcome, elapsed(job))));
        count++;
      }
      counters.killed += count;
      return count;
    },

    stats(): BackendStats {
      const { workersReplaced, ...common } = counters;
      return {
        kind: 'worker-threads',
        capacity: size,
        running: slots.filter((s) => s.job !== null).length,
        queued: queue.length + preparing.size,
        queueLimit,
        ...common,
        detail: { workers: slots.length, workersReplaced, cacheEntries: cache.size, cacheHits: cache.hits, cacheMisses: cache.misses },
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      const shutDown = err('SHUT_DOWN', 'sandbox pool closed while the run was pending');
      for (const pending of [...preparing]) pending.settle(shutDown);
      preparing.clear();
      for (const job of queue.splice(0)) job.settle(shutDown);
      const threads = slots.splice(0);
      for (const slot of threads) {
        slot.dead = true;
        if (slot.job?.timer) clearTimeout(slot.job.timer);
        slot.job?.settle(shutDown);
        slot.job = null;
      }
      await Promise.all(threads.map((s) => s.worker.terminate()));
    },
  };
}
