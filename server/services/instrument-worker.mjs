// @ts-check
/**
 * Preparation thread: inspects, instruments and compiles modules off the thread that serves
 * requests (core/sandbox/instrument/prepare-job.ts does the work). This entry sits in the services,
 * not the core, because the core may not depend on a module loader (the core's createWasmPreparer
 * takes the entry's URL as an argument).
 *
 * The TypeScript is loaded from a bundle checked against its sources (bin/worker-bundle.mjs), built
 * first if it is missing or stale: through tsx, this thread took about 400 ms to start, which every
 * first run of a module waited for (issue 14). If no bundle can be built (esbuild missing, cache
 * folder not writable), the sources are loaded through tsx, as slowly as before, and the thread says so.
 *
 * Protocol: prepares a warm-up module of ours, posts {type:'ready', loadedFrom:'bundle'|'source'}; then for each {type:'prepare', id, req}
 * posts {type:'done', id, result} where result is prepareJob's Result (a compiled WebAssembly.Module
 * crosses threads by structured clone). One job at a time.
 */
import { parentPort } from 'node:worker_threads';
import { importWorkerBundle } from '../../bin/worker-bundle.mjs';
import { WARM_UP_PLAIN } from '../core/sandbox/warm-up-module.mjs';

if (!parentPort) throw new Error('instrument-worker.mjs must be started as a worker thread');
const port = parentPort;

/** @typedef {typeof import('../core/sandbox/instrument/prepare-job.ts')} PrepareJobModule */

/** @returns {Promise<{ mod: PrepareJobModule, loadedFrom: 'bundle' | 'source' }>} */
async function loadPrepareJob() {
  try {
    return { mod: /** @type {PrepareJobModule} */ (await importWorkerBundle('prepare-job')), loadedFrom: 'bundle' };
  } catch (e) {
    console.warn(`nightcore: the preparation thread cannot use its bundle (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); loading its sources through tsx, which starts slowly`);
    const { register } = await import('tsx/esm/api');
    register();
    return { mod: /** @type {PrepareJobModule} */ (await import('../core/sandbox/instrument/prepare-job.ts')), loadedFrom: 'source' };
  }
}
const { mod: { prepareJob }, loadedFrom } = await loadPrepareJob();

// Before saying ready: the first job compiles the inspector's and instrumenter's code (a few ms);
// paid now on a module of ours, not by the first module a user imports or runs (warm-up-module.mjs).
const warm = prepareJob({ wasm: WARM_UP_PLAIN, caps: { maxMemoryPages: 1, maxTableElements: 0 }, artefact: null, inspect: true });
if (!warm.ok) throw new Error(`the preparation thread's warm-up failed: ${warm.code}: ${warm.message}`);

port.on('message', (/** @type {{ type: string, id: number, req: import('../core/sandbox/instrument/prepare-job.ts').PrepareRequest }} */ msg) => {
  if (!msg || msg.type !== 'prepare') return;
  let result;
  try {
    result = prepareJob(msg.req);
  } catch (e) {
    // prepareJob throws only on a bug: report it as a failed job rather than killing the thread.
    result = { ok: false, code: 'CRASHED', message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage({ type: 'done', id: msg.id, result });
});

port.postMessage({ type: 'ready', loadedFrom });
