/**
 * The preparation port: inspect, instrument and compile a module on a separate thread, within a
 * time and size bound, so that module work never stalls the thread serving requests (issue 8: a
 * valid 5 MB module with a million functions held the console's only thread for ~9 s).
 *
 *   const preparer = createWasmPreparer({ workerUrl, timeoutMs, maxBytes });
 *   await preparer.instrument(wasm, caps)        → Result<Prepared, PrepareError>  (compiled, ready to run)
 *   await preparer.instrument(wasm, caps, saved) → compiles a persisted artefact without re-instrumenting
 *   await preparer.inspect(wasm)                 → Result<WasmReport, PrepareError>
 *
 * One thread, started on first use (or by start()), one job at a time (jobs wait in order). A job past `timeoutMs`
 * ends as TIMEOUT and its thread is terminated (the only way to stop a busy thread) and replaced;
 * a thread that dies (heap cap) ends its job as CRASHED. Inputs over `maxBytes` are refused at once.
 */
import { Worker } from 'node:worker_threads';
import { err, ok, type Result } from '../../result';
import type { WasmReport } from '../../wasm/report';
import type { InstrumentedArtefact, PrepareCaps, PrepareJobError, PrepareOutput, PrepareRequest } from './prepare-job';

export type { InstrumentedArtefact, PrepareCaps } from './prepare-job';

export type PrepareError = PrepareJobError | 'TIMEOUT' | 'TOO_LARGE' | 'CRASHED' | 'SHUT_DOWN';

export interface Prepared {
  readonly artefact: InstrumentedArtefact;
  /** True when instrumented by this call (persist it); false when a supplied artefact was compiled. */
  readonly fresh: boolean;
  readonly module: WebAssembly.Module;
  readonly report: WasmReport | null;
}

export interface WasmPreparerOptions {
  /** The thread's entry, supplied by the host (server/services/instrument-worker.mjs loads this code with tsx). */
  readonly workerUrl: URL;
  /** Wall-clock bound per job. */
  readonly timeoutMs: number;
  /** Largest module accepted, in bytes. */
  readonly maxBytes: number;
  /** JS heap cap of the preparation thread (default 512 MiB): a blow-up kills the thread, not the host. */
  readonly heapMb?: number;
}

export interface WasmPreparer {
  instrument(wasm: Uint8Array, caps: PrepareCaps, artefact?: InstrumentedArtefact | null, withReport?: boolean): Promise<Result<Prepared, PrepareError>>;
  inspect(wasm: Uint8Array): Promise<Result<WasmReport, PrepareError>>;
  /**
   * Starts the thread now instead of on the first job (a long-running host, so that no run waits
   * for the thread to load its code). Idle, it keeps no process alive.
   */
  start(): void;
  close(): Promise<void>;
}

export type JobResult = Result<PrepareOutput, PrepareError>;
interface Job {
  readonly id: number;
  readonly req: PrepareRequest;
  readonly settle: (r: JobResult) => void;
}

export function createWasmPreparer(opts: WasmPreparerOptions): WasmPreparer {
  const queue: Job[] = [];
  let worker: Worker | null = null;
  let ready = false;
  let current: { job: Job; timer: ReturnType<typeof setTimeout> } | null = null;
  let nextId = 1;
  let closed = false;

  function spawn(): Worker {
    const w = new Worker(opts.workerUrl, {
      execArgv: [],
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: opts.heapMb ?? 512, maxYoungGenerationSizeMb: 32 },
    });
    ready = false;
    w.on('message', (msg: { type?: string; id?: number; result?: JobResult }) => {
      if (w !== worker) return;
      if (msg?.type === 'ready') {
        ready = true;
        return pump();
      }
      if (msg?.type === 'done' && current && current.job.id === msg.id && msg.result) finish(msg.result);
    });
    const died = (why: string) => {
      if (w !== worker) return;
      worker = null;
      if (current) finish(err('CRASHED', `the preparation thread stopped: ${why}`));
      else if (!ready) failAll(err('CRASHED', `the preparation thread could not start: ${why}`));
    };
    w.on('error', (e) => died(e.message));
    w.on('exit', (code) => died(`exit code ${code}`));
    return w;
  }

  function finish(result: JobResult): void {
    if (!current) return;
    clearTimeout(current.timer);
    const { job } = current;
    current = null;
    job.settle(result);
    if (queue.length === 0) worker?.unref();
    pump();
  }

  function failAll(result: JobResult): void {
    for (const job of queue.splice(0)) job.settle(result);
  }

  function pump(): void {
    if (closed || current || queue.length === 0) return;
    if (!worker) worker = spawn();
    worker.ref();
    if (!ready) return;
    const job = queue.shift()!;
    const w = worker;
    const timer = setTimeout(() => {
      // A busy thread cannot be interrupted: end it, answer TIMEOUT, and start afresh for the rest.
      worker = null;
      void w.terminate();
      finish(err('TIMEOUT', `module preparation took longer than ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    current = { job, timer };
    w.postMessage({ type: 'prepare', id: job.id, req: job.req });
  }

  function submit(req: PrepareRequest): Promise<JobResult> {
    if (closed) return Promise.resolve(err('SHUT_DOWN', 'the preparation thread is closed'));
    if (req.wasm.length > opts.maxBytes) {
      return Promise.resolve(err('TOO_LARGE', `the module is ${req.wasm.length} bytes; at most ${opts.maxBytes} are prepared`));
    }
    return new Promise((settle) => {
      queue.push({ id: nextId++, req, settle });
      pump();
    });
  }

  return preparerOver(submit, {
    start() {
      if (closed || worker) return;
      worker = spawn();
      worker.unref();
    },
    async close() {
      closed = true;
      if (current) finish(err('SHUT_DOWN', 'the preparation thread was closed'));
      failAll(err('SHUT_DOWN', 'the preparation thread was closed'));
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  });
}

/** The port's two questions, asked of whatever runs prepareJob (this thread, or the preparation thread). */
export function preparerOver(submit: (req: PrepareRequest) => Promise<JobResult>, lifecycle: Pick<WasmPreparer, 'start' | 'close'>): WasmPreparer {
  return {
    async instrument(wasm, caps, artefact = null, withReport = false) {
      const r = await submit({ wasm, caps, artefact, inspect: withReport });
      if (!r.ok) return r;
      const { artefact: out, module, fresh, report } = r.value;
      if (!out || !module) return err('CRASHED', 'the preparation thread returned no module');
      return ok({ artefact: out, module, fresh, report });
    },
    async inspect(wasm) {
      const r = await submit({ wasm, caps: null, artefact: null, inspect: true });
      if (!r.ok) return r;
      return r.value.report ? ok(r.value.report) : err('CRASHED', 'the preparation thread returned no report');
    },
    ...lifecycle,
  };
}
