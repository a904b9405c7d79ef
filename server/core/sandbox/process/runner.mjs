// @ts-check
/**
 * Entry of one jailed sandbox process (the `process` backend). Plain ES module importing only node
 * builtins and the shared run code, so it starts without a TypeScript loader inside the jail.
 *
 * Protocol over the IPC channel (advanced serialization): posts {type:'ready'} once; then for each
 * {type:'run', id, job} posts {type:'done', id, report}. The job carries instrumented bytes
 * (a compiled WebAssembly.Module cannot cross a process boundary); they are compiled here once per
 * cache key. One run at a time.
 */
import { runModule } from '../run-module.mjs';

if (typeof process.send !== 'function') throw new Error('runner.mjs must be started with an IPC channel');
const send = /** @type {(msg: unknown) => void} */ (process.send.bind(process));

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

process.on('message', (/** @type {any} */ msg) => {
  if (!msg || msg.type !== 'run') return;
  const { moduleKey, moduleBytes, ...job } = msg.job;
  /** @type {import('../run-module.mjs').RunReport} */
  let report;
  try {
    report = runModule({ ...job, module: compile(moduleKey, moduleBytes) });
  } catch (e) {
    report = {
      outcome: { kind: 'crashed', message: `sandbox process error: ${e instanceof Error ? e.message : String(e)}` },
      fuelUsed: 0,
      peakMemoryPages: 0,
      stdout: new Uint8Array(0),
      stderr: new Uint8Array(0),
      outputTruncated: false,
      capabilityDenials: [],
      filesystem: [],
      recycle: true,
    };
  }
  send({ type: 'done', id: msg.id, report });
});

// Nothing else may keep the jail busy: no timers, no stdin.
send({ type: 'ready' });
