/** The worker-threads backend: a pool of Node.js worker threads behind the backend-neutral checks. */
import { withRequestChecks, type SandboxBackend } from '../backend';
import { createSandboxPool, type SandboxPoolOptions } from './pool';

export type WorkerThreadsOptions = SandboxPoolOptions;
export { WORKER_THREADS } from './guarantees';

export function createWorkerThreadsBackend(options: WorkerThreadsOptions): SandboxBackend {
  return withRequestChecks(createSandboxPool(options));
}
