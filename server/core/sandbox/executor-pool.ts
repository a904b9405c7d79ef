/**
 * A pool of executors (threads or jailed processes) running one request at a time each: a bounded
 * queue (BUSY past it), a wall-clock timer per run that terminates the executor (the only way to
 * preempt a busy loop), replacement of executors that timed out, crashed or were killed, and the kill
 * switch. What an executor is, and how a request is prepared for it, is the backend's business.
 */
import { err, ok, type Result } from '../result';
import type { BackendDescription, BackendStats, SandboxBackend, SandboxRunError } from './backend';
import { emptyResult } from './request-checks';
import { isFromExecutor, type ToExecutor } from './executor-protocol';
import type { RunOutcome, RunRequest, RunResult } from './types';

/** One executor, as the pool drives it. */
export interface Executor {
  /** Sends a run; throws when the message cannot be sent. */
  send(message: ToExecutor): void;
  /** Stops it at once (preempts a busy loop); resolves when it is gone. */
  terminate(): Promise<void> | void;
  /** Keep the host process alive while this executor has work (or is starting). */
  ref(): void;
  unref(): void;
}

export interface ExecutorEvents {
  /** `{type:'ready'}` once, then `{type:'done', id, report}` per run. */
  onMessage(message: unknown): void;
  onDeath(reason: string): void;
}

export interface ExecutorPoolOptions<Prepared> {
  readonly description: BackendDescription;
  readonly size: number;
  readonly queueLimit: number;
  /**
   * Executors started as soon as the pool exists instead of on first use: all of them (true, a
   * long-running console) or this many (a host that opens the pool because a run is on its way).
   */
  readonly prespawn?: boolean | number;
  spawn(events: ExecutorEvents): Executor;
  /**
   * Turns a checked request into what the executor runs (instrument, compile), once per digest
   * ideally; may work off this thread. LIMIT_EXCEEDED (initial memory or tables above the caps) ends
   * the run as `memory_limit` before the engine allocates any of it.
   */
  prepare(req: RunRequest): PrepareResult<Prepared> | Promise<PrepareResult<Prepared>>;
  /** The message payload for one run. */
  job(req: RunRequest, prepared: Prepared): unknown;
  /** Backend-specific numbers for stats().detail. */
  detail?(): Record<string, number>;
}

export type PrepareResult<Prepared> = Result<Prepared, 'INSTRUMENT_FAILED' | 'LIMIT_EXCEEDED'>;

type Settle = (r: Result<RunResult, SandboxRunError>) => void;

/** A run accepted but still being prepared: the kill switch and close() can still end it. */
interface Pending {
  readonly settle: Settle;
}

interface Job {
  readonly id: number;
  readonly req: RunRequest;
  readonly payload: unknown;
  readonly settle: Settle;
  startedAt: number;
  timer: ReturnType<typeof setTimeout> | null;
}

interface Slot {
  executor: Executor;
  ready: boolean;
  dead: boolean;
  job: Job | null;
}

export function createExecutorPool<Prepared>(opts: ExecutorPoolOptions<Prepared>): SandboxBackend {
  const size = Math.max(1, opts.size);
  const queueLimit = Math.max(0, opts.queueLimit);
  const slots: Slot[] = [];
  const queue: Job[] = [];
  const counters = { completed: 0, timeouts: 0, crashes: 0, killed: 0, replaced: 0 };
  let nextId = 1;
  let closed = false;
  const preparing = new Set<Pending>();
  const elapsed = (job: Job) => Math.round((performance.now() - job.startedAt) * 100) / 100;

  function spawn(): Slot {
    const slot: Slot = { executor: undefined as unknown as Executor, ready: false, dead: false, job: null };
    slot.executor = opts.spawn({ onMessage: (m) => onMessage(slot, m), onDeath: (reason) => onDeath(slot, reason) });
    slots.push(slot);
    return slot;
  }

  /** Removes a slot and terminates its executor; a warm replacement is started if it had served. */
  function retire(slot: Slot, replace: boolean): void {
    if (slot.dead) return;
    slot.dead = true;
    if (slot.job?.timer) clearTimeout(slot.job.timer);
    slot.job = null;
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    void slot.executor.terminate();
    if (replace && !closed) {
      counters.replaced++;
      spawn();
    }
  }

  function onMessage(slot: Slot, msg: unknown): void {
    if (slot.dead || !isFromExecutor(msg)) return;
    if (msg.type === 'ready') {
      slot.ready = true;
      pump();
      if (slot.job === null) slot.executor.unref();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    if (job.timer) clearTimeout(job.timer);
    slot.job = null;
    slot.executor.unref();
    counters.completed++;
    if (msg.report.outcome.kind === 'crashed') counters.crashes++;
    const { recycle, ...result } = msg.report;
    job.settle(ok({ ...result, wallMs: elapsed(job) }));
    if (recycle) retire(slot, true);
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
    // An executor that never started (bad entry, missing jail) is not respawned in a loop.
    if (!wasReady && slots.length === 0) {
      for (const queued of queue.splice(0)) queued.settle(ok(emptyResult({ kind: 'crashed', message: `sandbox failed to start: ${message}` })));
    }
    pump();
  }

  function onTimeout(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    counters.completed++;
    counters.timeouts++;
    const wallMs = elapsed(job);
    retire(slot, true);
    job.settle(ok(emptyResult({ kind: 'timeout' }, wallMs)));
    pump();
  }

  function dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    slot.executor.ref();
    job.startedAt = performance.now();
    job.timer = setTimeout(() => onTimeout(slot, job), job.req.limits.wallMs);
    try {
      slot.executor.send({ type: 'run', id: job.id, job: job.payload });
    } catch (e) {
      clearTimeout(job.timer);
      slot.job = null;
      slot.executor.unref();
      counters.completed++;
      counters.crashes++;
      job.settle(ok(emptyResult({ kind: 'crashed', message: `could not send the run: ${String(e)}` })));
    }
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.ready && !slot.dead && slot.job === null) dispatch(slot, queue.shift()!);
    }
    const starting = slots.filter((s) => !s.ready).length;
    for (let n = Math.min(queue.length - starting, size - slots.length); n > 0; n--) spawn();
  }

  /**
   * Ends one run wherever it is (being prepared, queued, executing) as denied; an executing run's
   * executor is terminated and replaced, like a wall-clock kill. Identified by its settle function.
   */
  function cancel(settle: Settle, pending: Pending | undefined, reason: string): void {
    const outcome: RunOutcome = { kind: 'denied', reason };
    const mine = (s: Settle) => s === settle;
    if (pending && preparing.delete(pending)) {
      counters.killed++;
      return pending.settle(ok(emptyResult(outcome)));
    }
    const q = queue.findIndex((j) => mine(j.settle));
    if (q >= 0) {
      const [job] = queue.splice(q, 1);
      counters.killed++;
      return job!.settle(ok(emptyResult(outcome)));
    }
    const slot = slots.find((s) => s.job !== null && mine(s.job.settle));
    if (!slot) return;
    const job = slot.job!;
    retire(slot, true);
    counters.killed++;
    job.settle(ok(emptyResult(outcome, elapsed(job))));
    pump();
  }

  /**
   * A run whose preparation (instrument, compile) is off this thread will need an executor: start
   * it now, so that its start overlaps the preparation instead of following it. Only here, once per
   * run, never from pump(): an executor that cannot start must not be restarted in a loop while a
   * long preparation is pending.
   */
  function spawnAhead(): void {
    const available = slots.filter((s) => !s.ready || s.job === null).length;
    if (available < queue.length + preparing.size && slots.length < size) spawn();
  }

  const prespawn = opts.prespawn === true ? size : Math.min(size, Math.max(0, Math.floor(Number(opts.prespawn ?? 0))));
  for (let i = 0; i < prespawn; i++) spawn();

  return {
    kind: opts.description.kind,
    description: opts.description,
    run(req, signal) {
      if (closed) return Promise.resolve(err('SHUT_DOWN', 'the sandbox is closed'));
      if (signal?.aborted) return Promise.resolve(ok(emptyResult({ kind: 'denied', reason: `kill switch: ${String(signal.reason)}` })));
      const active = slots.filter((s) => s.job !== null).length;
      // Runs still being prepared count as queued: they are on their way to the queue.
      if (active + queue.length + preparing.size >= size + queueLimit) {
        return Promise.resolve(err('BUSY', `sandbox busy: ${active} running, ${queue.length + preparing.size} queued (limit ${queueLimit})`));
      }
      const enqueue = (prepared: PrepareResult<Prepared>, settle: Settle): void => {
        if (!prepared.ok && prepared.code === 'LIMIT_EXCEEDED') return settle(ok(emptyResult({ kind: 'memory_limit' })));
        if (!prepared.ok) return settle(err('INSTRUMENT_FAILED', prepared.message));
        queue.push({ id: nextId++, req, payload: opts.job(req, prepared.value), settle, startedAt: 0, timer: null });
        pump();
      };
      return new Promise((resolve) => {
        let settled = false;
        let pending: Pending | undefined;
        const onAbort = () => cancel(settle, pending, `kill switch: ${String(signal!.reason)}`);
        const settle: Settle = (r) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const prepared = opts.prepare(req);
        if (!(prepared instanceof Promise)) return enqueue(prepared, settle);
        const waiting: Pending = { settle };
        pending = waiting;
        preparing.add(waiting);
        spawnAhead();
        prepared.then(
          (done) => {
            if (preparing.delete(waiting)) enqueue(done, settle); // else ended meanwhile
          },
          (e: unknown) => {
            if (preparing.delete(waiting)) settle(ok(emptyResult({ kind: 'crashed', message: `preparation failed: ${String(e)}` })));
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
      const { replaced, ...common } = counters;
      return {
        kind: opts.description.kind,
        capacity: size,
        running: slots.filter((s) => s.job !== null).length,
        queued: queue.length + preparing.size,
        queueLimit,
        ...common,
        detail: { executors: slots.length, replaced, ...(opts.detail?.() ?? {}) },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      const shutDown = err('SHUT_DOWN', 'the sandbox closed while the run was pending');
      for (const pending of [...preparing]) pending.settle(shutDown);
      preparing.clear();
      for (const job of queue.splice(0)) job.settle(shutDown);
      const executors = slots.splice(0);
      for (const slot of executors) {
        slot.dead = true;
        if (slot.job?.timer) clearTimeout(slot.job.timer);
        slot.job?.settle(shutDown);
        slot.job = null;
      }
      await Promise.all(executors.map((slot) => slot.executor.terminate()));
    },
  };
}
