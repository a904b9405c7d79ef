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
 * {type:'run', id, job} posts {type:'done', id, report}. The job carries instrumented bytes
 * (a compiled WebAssembly.Module cannot cross a process boundary); they are compiled here once per
 * cache key and handed to the thread. One run at a time. If the thread dies, so does this process:
 * the pool records the run as crashed and starts a fresh jail.
 */
import { Worker } from 'node:worker_threads';

if (typeof process.send !== 'function') throw new Error('runner.mjs must be started with an IPC channel');
const send = /** @type {(msg: unknown) => void} */ (process.send.bind(process));

/** As the worker backend's pool (worker-threads/pool.ts): heap, young generation, stack. */
const HEAP_MB = Number(process.argv[2]) > 0 ? Number(process.argv[2]) : 128;

/** Compiled modules by key (digest and caps), bounded. */
const compiled = new Map();
const MAX_COMPILED = 16;

/** @param {string} key @param {Uint8Array} bytes */
function compile(key, bytes) {
  const hit = compiled.get(key);
  if (hit) return hit;
  const module = new WebAssembly.Module(bytes);
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value);
  compiled.set(key, module);
  return module;
}

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
  else if (msg?.type === 'done') send({ type: 'done', id: msg.id, report: msg.report });
});

process.on('message', (/** @type {any} */ msg) => {
  if (!msg || msg.type !== 'run') return;
  const { moduleKey, moduleBytes, ...job } = msg.job;
  let module;
  try {
    module = compile(moduleKey, moduleBytes);
  } catch (e) {
    send({ type: 'done', id: msg.id, report: crashed(`sandbox process error: ${e instanceof Error ? e.message : String(e)}`) });
    return;
  }
  thread.postMessage({ type: 'run', id: msg.id, job: { ...job, module } });
});
