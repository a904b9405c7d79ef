/**
 * Where the checkpoint worker sits when running from source. Separate from db/client.ts so a
 * bundler (the Next.js console) does not try to bundle the worker; bundled hosts pass their own.
 */
export const DEFAULT_CHECKPOINT_WORKER_URL = new URL('./wal-checkpoint-worker.mjs', import.meta.url);
