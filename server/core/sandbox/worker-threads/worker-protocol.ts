/** Messages between the pool (TypeScript) and worker.mjs (plain JS). */
import type { WorkerJob, WorkerReport } from '../run-job';

export type { WorkerJob, WorkerReport };

export type ToWorker = { readonly type: 'run'; readonly id: number; readonly job: WorkerJob };
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly report: WorkerReport };

export function isFromWorker(msg: unknown): msg is FromWorker {
  if (typeof msg !== 'object' || msg === null) return false;
  const type = (msg as { type?: unknown }).type;
  return type === 'ready' || (type === 'done' && typeof (msg as { id?: unknown }).id === 'number');
}
