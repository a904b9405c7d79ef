/** The worker-threads backend: a pool of Node.js worker threads behind the backend-neutral checks. */
import type { ReportSource } from '../request-checks';
import { withRequestChecks, type SandboxBackend } from '../backend';
import { createSandboxPool, type SandboxPoolOptions } from './pool';

export type WorkerThreadsOptions = SandboxPoolOptions & {
  /** Reports made off the serving thread, for the checks run before the pool (see ../request-checks.ts). */
  readonly reports?: ReportSource;
};
export { WORKER_THREADS } from './guarantees';

export function createWorkerThreadsBackend(options: WorkerThreadsOptions): SandboxBackend {
  return withRequestChecks(createSandboxPool(options), options.reports);
}
