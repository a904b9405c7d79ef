// @ts-check
/**
 * Entry of one jailed sandbox process (the `process` backend). Plain ES module importing only node
 * builtins, so it starts without a TypeScript loader inside the jail.
 *
 * The module runs in a worker thread of this process, started from the worker backend's own entry
 * (../worker-threads/worker.mjs) with the worker backend's resource limits: the same V8 stack size
 * and the same frames below the module, so even a stack overflow comes at the same depth (and
 * fuel) as on worker threads. This process only relays and compiles.
 *
 * Protocol over the IPC channel (advanced serialization): posts {type:'ready'} once; then for each
 * {type:'run', id, job} posts {type:'done', id, moduleDigest, report}, or {type:'need', id} when the
 * job names a module by digest without its bytes and this process does not hold it (evicted, or
 * never sent: the parent then resends the run with the bytes). A compiled WebAssembly.Module cannot
 * cross a process boundary, so the parent sends the instrumented bytes when it believes this jail
 * lacks them; they are compiled here once and kept under the digest computed here (module-store.mjs).
 * `moduleDigest` in `done` is the digest of the module that ran (null when none did), which the
 * parent checks against the one it asked for. One run at a time. If the thread dies, so does this
 * process: the pool records the run as crashed and starts a fresh jail.
 */
import { Worker } from 'node:worker_threads';
import { createModuleStore } from './module-store.mjs';

if (typeof process.send !== 'function') throw new Error('runner.mjs must be started with an IPC channel');
const send = /** @type {(msg: unknown) => void} */ (process.send.bind(process));

/** As the worker backend's pool (worker-threads/pool.ts): heap, young generation, stack. */
const HEAP_MB = Number(process.argv[2]) > 0 ? Number(process.argv[2]) : 128;

const store = createModuleStore();
/** The run the thread is executing and the digest of its module, echoed in `done`. */
let current = /** @type {{ id: number, digest: string } | null} */ (null);

const thread = new Worker(new URL('../worker-threads/worker.mjs', import.meta.url), {
  execArgv: [],
  env: {},
  resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
});
thread.on('error', (e) => {
  process.stderr.write(`sandbox thread error: ${e.message}\n`);
  process.exit(70);
});
thread.on('exit', (code) => {
  process.stderr.write(`sandbox thread exited (code ${code})\n`);
  process.exit(70);
});

/** @param {string} message */
const crashed = (message) => ({
  outcome: { kind: 'crashed', message },
  fuelUsed: 0,
  peakMemoryPages: 0,
  stdout: new Uint8Array(0),
  stderr: new Uint8Array(0),
  outputTruncated: false,
  capabilityDenials: [],
  filesystem: [],
  recycle: true,
});

thread.on('message', (/** @type {any} */ msg) => {
  if (msg?.type === 'ready') send({ type: 'ready' });
  else if (msg?.type === 'done') {
    const digest = current?.id === msg.id ? current.digest : null;
    current = null;
    send({ type: 'done', id: msg.id, moduleDigest: digest, report: msg.report });
  }
});

process.on('message', (/** @type {any} */ msg) => {
  if (!msg || msg.type !== 'run') return;
  const { moduleDigest, moduleBytes, ...job } = msg.job;
  let taken;
  try {
    taken = store.take(moduleDigest, moduleBytes);
  } catch (e) {
    taken = { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
  if (taken.kind === 'need') return send({ type: 'need', id: msg.id });
  if (taken.kind === 'error') return send({ type: 'done', id: msg.id, moduleDigest: null, report: crashed(`sandbox process error: ${taken.message}`) });
  current = { id: msg.id, digest: taken.digest };
  thread.postMessage({ type: 'run', id: msg.id, job: { ...job, module: taken.module } });
});
