// @ts-check
// Test fixture for pool-lifecycle.test.ts: a worker that starts normally, then dies mid-run,
// to exercise the pool's "worker exited unexpectedly" path. Not used by production code.
import { parentPort } from 'node:worker_threads';

if (!parentPort) throw new Error('must run as a worker thread');
parentPort.on('message', () => process.exit(7));
parentPort.postMessage({ type: 'ready' });
