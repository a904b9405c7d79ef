/**
 * Where the worker entry sits when this code runs from source (CLI, tests, benches). Kept out of
 * pool.ts on purpose: a bundler (the Next.js console) that sees `new URL(..., import.meta.url)`
 * next to `new Worker()` tries to bundle the worker and everything around it, so bundled hosts
 * pass their own URL instead (server/services/instance.ts).
 */
export const DEFAULT_WORKER_URL = new URL('./worker.mjs', import.meta.url);
