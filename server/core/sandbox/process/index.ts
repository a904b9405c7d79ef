/**
 * The `process` backend: every run executes in a separate OS process inside a bubblewrap jail (see
 * jail.ts), with the same instrumentation, fuel, WASI host and virtual clock as the worker backend,
 * so the same request gives the same result. A pre-spawned pool keeps latency low. Refuses to start
 * when bubblewrap is missing: never a silent fall-back to weaker isolation.
 */
import { spawn, type Serializable } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '../../result';
import { withRequestChecks, type SandboxBackend } from '../backend';
import { createExecutorPool, type Executor, type ExecutorEvents, type PrepareResult } from '../executor-pool';
import type { ReportSource } from '../request-checks';
import type { Caps, CompileError } from '../worker-threads/module-cache';
import { instrumentModule } from '../instrument';
import { tableElementsOf } from '../../module/manifest';
import type { RunRequest } from '../types';
import { jobFields } from '../run-job';
import { findJailTools, jailArgv, JAIL_USER, type JailTools } from './jail';
import { PROCESS } from './guarantees';
import { courierExecutor, createModuleCourier, type CourierCounters } from './module-courier';
import { digestOf, JAIL_MODULE_ENTRIES } from './module-store.mjs';

export { PROCESS } from './guarantees';
export { findJailTools, jailArgv, JAIL_MAX_TASKS, JAIL_SANDBOX_DIR, JAIL_USER } from './jail';

/** The sandbox code's folder (mounted in the jail), found from the worker entry beside it: worker-threads/worker.mjs. */
export const sandboxDirOf = (workerUrl: URL): string => dirname(dirname(fileURLToPath(workerUrl)));

export interface ProcessBackendOptions {
  /** Processes (default 2). */
  readonly size?: number;
  /** Runs that may wait for a process (default 4 × size). */
  readonly queueLimit?: number;
  /** Host folder of server/core/sandbox, mounted read-only in the jail. */
  readonly sandboxDir: string;
  /** The Node binary to run in the jail (process.execPath). */
  readonly node: string;
  readonly bwrap?: string;
  readonly prlimit?: string;
  /** Where to look for bwrap and prlimit when not given (default /usr/bin, /bin). */
  readonly systemDirs?: readonly string[];
  /** Start every process now (true: the console), this many (a run is on its way), or none until first use. */
  readonly prespawn?: boolean | number;
  /**
   * The host user the jail runs as. Default: nobody when the console runs as root (so even an escape
   * from V8 and the namespaces lands in an unprivileged account), else the console's own user.
   */
  readonly runAs?: { readonly uid: number; readonly gid: number };
  /** Instrumented modules kept (LRU, default 32). */
  readonly moduleCacheEntries?: number;
  /**
   * Off-thread instrumentation (services pass the preparation port backed by the persisted
   * artefacts): the jail needs the instrumented bytes, made on the preparation thread instead of the
   * thread serving requests. Without it, instrument runs on this thread: fine for tests and small modules.
   */
  readonly prepare?: PrepareBytesFn;
  /** Reports made off the serving thread, for the checks run before the pool (see ../request-checks.ts). */
  readonly reports?: ReportSource;
}

/** Instruments off this thread; resolves with the instrumented bytes the jail compiles. */
export type PrepareBytesFn = (wasmSha256: string, wasm: Uint8Array, caps: Caps) => Promise<Result<{ bytes: Uint8Array; memoryExport: string | null }, CompileError>>;

interface Prepared {
  readonly key: string;
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes`: the name the jail keeps the compiled module under. */
  readonly digest: string;
  readonly memoryExport: string | null;
}

const STDERR_TAIL = 2048;

interface JailOptions {
  readonly tools: JailTools;
  readonly sandboxDir: string;
  readonly runAs: ProcessBackendOptions['runAs'];
  readonly counters: CourierCounters;
}

function spawnJailed({ tools, sandboxDir, runAs, counters }: JailOptions, events: ExecutorEvents): Executor {
  const child = spawn(tools.bwrap, jailArgv({ tools, sandboxDir, maxOpenFiles: 64 }), {
    ...(runAs ?? {}),
    // No host environment reaches the jail; Node adds only its IPC channel variables.
    env: {} as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL)));
  const courier = createModuleCourier({ jailEntries: JAIL_MODULE_ENTRIES, counters });
  const { executor, onJailMessage } = courierExecutor(
    {
      send: (message) => {
        if (!child.connected) throw new Error('the sandbox process is not connected');
        child.send(message as Serializable);
      },
      kill: () => void child.kill('SIGKILL'),
      ref: () => {
        child.ref();
        child.channel?.ref();
      },
      unref: () => {
        child.unref();
        child.channel?.unref();
      },
    },
    courier,
    events,
  );
  child.on('message', onJailMessage);
  child.on('error', (e) => events.onDeath(`sandbox process error: ${e.message}`));
  child.on('exit', (code, signal) => events.onDeath(`sandbox process exited (${signal ?? `code ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`));
  return executor;
}

export function createProcessBackend(opts: ProcessBackendOptions): Result<SandboxBackend, 'BACKEND_UNAVAILABLE'> {
  const tools = findJailTools({ bwrap: opts.bwrap, prlimit: opts.prlimit, node: opts.node, systemDirs: opts.systemDirs });
  if (!tools.ok) return tools;
  const size = Math.max(1, opts.size ?? 2);
  const runAs = opts.runAs ?? (process.getuid?.() === 0 ? JAIL_USER : undefined);
  const cacheEntries = Math.max(1, opts.moduleCacheEntries ?? 32);
  const instrumented = new Map<string, Prepared>();
  const counters = { hits: 0, misses: 0 };
  const sent: CourierCounters = { withBytes: 0, withoutBytes: 0, resent: 0 };

  function remember(key: string, bytes: Uint8Array, memoryExport: string | null): Prepared {
    // Hashed once per instrumentation, not per run.
    const prepared = { key, bytes, digest: digestOf(bytes), memoryExport };
    instrumented.set(key, prepared);
    while (instrumented.size > cacheEntries) instrumented.delete(instrumented.keys().next().value!);
    return prepared;
  }

  function prepare(req: RunRequest): PrepareResult<Prepared> | Promise<PrepareResult<Prepared>> {
    // Both clamps are part of the bytes, so both are part of the key.
    const maxTableElements = tableElementsOf(req.limits);
    const key = `${req.wasmSha256}:${req.limits.memoryPages}:${maxTableElements}`;
    const hit = instrumented.get(key);
    if (hit) {
      counters.hits++;
      instrumented.delete(key);
      instrumented.set(key, hit);
      return ok(hit);
    }
    counters.misses++;
    if (opts.prepare) {
      return opts.prepare(req.wasmSha256, req.wasm, { maxMemoryPages: req.limits.memoryPages, maxTableElements }).then((made) =>
        made.ok ? ok(remember(key, made.value.bytes, made.value.memoryExport)) : made,
      );
    }
    const result = instrumentModule(req.wasm, { maxMemoryPages: req.limits.memoryPages, maxTableElements });
    // Initial memory or tables above the caps end as memory_limit, as on worker threads.
    if (!result.ok && result.code === 'LIMIT_EXCEEDED') return err('LIMIT_EXCEEDED', result.message);
    if (!result.ok) return err('INSTRUMENT_FAILED', `instrumentation failed (${result.code}): ${result.message}`);
    return ok(remember(key, result.value.bytes, result.value.memoryExport));
  }

  const pool = createExecutorPool<Prepared>({
    description: PROCESS,
    size,
    queueLimit: opts.queueLimit ?? size * 4,
    prespawn: opts.prespawn,
    spawn: (events) => spawnJailed({ tools: tools.value, sandboxDir: opts.sandboxDir, runAs, counters: sent }, events),
    prepare,
    job: (req, p) => ({ ...jobFields(req), moduleDigest: p.digest, moduleBytes: p.bytes, memoryExport: p.memoryExport }),
    detail: () => ({
      cacheEntries: instrumented.size,
      cacheHits: counters.hits,
      cacheMisses: counters.misses,
      runsWithModuleBytes: sent.withBytes,
      runsWithoutModuleBytes: sent.withoutBytes,
      moduleBytesResent: sent.resent,
    }),
  });
  return ok(withRequestChecks(pool, opts.reports));
}
