/**
 * Messages between an executor pool and its executors (worker.mjs in a thread, runner.mjs in a jailed
 * process): `{type:'ready'}` once, then `{type:'run', id, job}` answered by `{type:'done', id, report}`.
 */
import type { WorkerReport } from './run-job';

export type ToExecutor = { readonly type: 'run'; readonly id: number; readonly job: unknown };
export type FromExecutor = { readonly type: 'ready' } | { readonly type: 'done'; readonly id: number; readonly report: WorkerReport };

export function isFromExecutor(msg: unknown): msg is FromExecutor {
  if (typeof msg !== 'object' || msg === null) return false;
  const type = (msg as { type?: unknown }).type;
  return type === 'ready' || (type === 'done' && typeof (msg as { id?: unknown }).id === 'number');
}
