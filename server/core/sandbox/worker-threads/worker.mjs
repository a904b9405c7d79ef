// @ts-check
/**
 * Worker-thread entry for the sandbox pool. Plain ES module importing only node builtins and its
 * siblings, so it starts without a TypeScript loader (vitest, the tsx CLI, Next.js).
 *
 * Protocol: runs its warm-up (warm-up.mjs), posts {type:'ready'} once; then for each {type:'run', id, job} posts
 * {type:'done', id, report} (output buffers transferred, not copied). One run at a time.
 */
import { parentPort } from 'node:worker_threads';
import { runModule } from '../run-module.mjs';
import { warmUp } from './warm-up.mjs';

if (!parentPort) throw new Error('worker.mjs must be started as a worker thread');
const port = parentPort;

port.on('message', (/** @type {{ type: string, id: number, job: import('../run-module.mjs').RunJob }} */ msg) => {
  if (!msg || msg.type !== 'run') return;
  const report = runModule(msg.job);
  // Fresh, unshared buffers from the host sinks: transfer them instead of copying.
  const transfer = /** @type {ArrayBuffer[]} */ ([report.stdout.buffer, report.stderr.buffer]);
  port.postMessage({ type: 'done', id: msg.id, report }, transfer);
});

// Before saying ready: the thread's first run compiles the sandbox's own code (see warm-up.mjs).
warmUp();
port.postMessage({ type: 'ready' });
