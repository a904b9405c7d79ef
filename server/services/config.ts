/**
 * Runtime configuration from flags and environment, validated once at start. The core never reads
 * the environment; everything it needs is passed down from here.
 */
import { resolve } from 'node:path';

/** Data folder: `--data DIR`, else NIGHTCORE_DATA, else ./data (relative to the working directory). */
export function resolveDataDir(flag?: string): string {
  const chosen = flag ?? process.env.NIGHTCORE_DATA;
  return resolve(chosen && chosen.trim() !== '' ? chosen : 'data');
}

/** Guardian policy file: `--policy FILE`, else NIGHTCORE_POLICY, else the shipped default. */
export function resolvePolicyPath(flag?: string): string | undefined {
  const chosen = flag ?? process.env.NIGHTCORE_POLICY;
  return chosen && chosen.trim() !== '' ? resolve(chosen) : undefined;
}

/** Sandbox worker threads: NIGHTCORE_POOL_SIZE, else undefined (the pool uses one per core). */
export function resolvePoolSize(): number | undefined {
  const text = process.env.NIGHTCORE_POOL_SIZE;
  if (text === undefined || text.trim() === '') return undefined;
  const size = Number(text);
  if (!Number.isSafeInteger(size) || size < 1 || size > 256) {
    throw new Error(`NIGHTCORE_POOL_SIZE must be a whole number from 1 to 256, not "${text}"`);
  }
  return size;
}
