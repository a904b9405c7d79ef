/** Types for worker-bundle.mjs (plain JS: it runs before any TypeScript loader). */
export const WORKER_BUNDLES: { readonly 'prepare-job': string };
export function workerCacheDir(root: string): string;
export function buildWorkerBundle(options: { root: string; name: string; cacheDir?: string }): Promise<{ bundle: string; inputs: [string, number, number, string, boolean][] }>;
export function freshWorkerBundle(root: string, name: string, cacheDir?: string): Promise<{ file: string; built: boolean }>;
export function importWorkerBundle(name: string): Promise<unknown>;
