// @ts-check
/**
 * Preparation thread: inspects, instruments and compiles modules off the thread that serves
 * requests (core/sandbox/instrument/prepare-job.ts does the work). TypeScript is loaded through tsx,
 * once per thread; this entry sits in the services, not the core, because the core may not depend on a
 * module loader (the core's createWasmPreparer takes the entry's URL as an argument).
 *
 * Protocol: posts {type:'ready'}; then for each {type:'prepare', id, req} posts
 * {type:'done', id, result} where result is prepareJob's Result (a compiled WebAssembly.Module
 * crosses threads by structured clone). One job at a time.
 */
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

if (!parentPort) throw new Error('instrument-worker.mjs must be started as a worker thread');
const port = parentPort;
register();
const { prepareJob } = /** @type {typeof import('../core/sandbox/instrument/prepare-job.ts')} */ (await import('../core/sandbox/instrument/prepare-job.ts'));

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

port.postMessage({ type: 'ready' });
