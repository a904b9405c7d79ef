/**
 * Where the preparation thread's entry sits when this code runs from source (CLI, tests). Kept out
 * of the code that opens the services for the same reason as the sandbox's worker-url.ts: bundled
 * hosts pass their own path.
 */
export const DEFAULT_INSTRUMENT_WORKER_URL = new URL('./instrument-worker.mjs', import.meta.url);
