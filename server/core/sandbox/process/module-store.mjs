// @ts-check
/**
 * The jail's compiled modules (the process backend's runner.mjs), keyed by the SHA-256 digest this
 * process computes itself from the bytes it received over its IPC channel, whose only writer is the
 * parent. A run may arrive without bytes (the parent believes this jail holds them): it then gets
 * the module compiled from bytes whose digest is the one named, or `need` (evicted, or never sent,
 * e.g. after a restart), never another module. Plain ES module, node builtins only, so it loads in
 * the jail without a TypeScript loader.
 */
import { createHash } from 'node:crypto';

/**
 * Compiled modules one jail keeps (least recently used goes first). The parent mirrors this exact
 * LRU to decide when it may leave the bytes out; a mismatch costs one round trip, never a wrong run.
 * Compiled code lives outside the JS heap: 16 modules of a few MB of machine code each at most.
 */
export const JAIL_MODULE_ENTRIES = 16;

/** @param {Uint8Array} bytes */
export const digestOf = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * @param {number} [maxEntries]
 */
export function createModuleStore(maxEntries = JAIL_MODULE_ENTRIES) {
  /** @type {Map<string, WebAssembly.Module>} */
  const compiled = new Map();
  return {
    /**
     * The module to run for `digest`: compiled from `bytes` when given (checked against the digest
     * first), else from the cache.
     * @param {string} digest @param {Uint8Array | undefined} bytes
     * @returns {{ kind: 'module', module: WebAssembly.Module, digest: string } | { kind: 'need' } | { kind: 'error', message: string }}
     */
    take(digest, bytes) {
      if (typeof digest !== 'string') return { kind: 'error', message: 'the run names no module digest' };
      if (bytes === undefined) {
        const hit = compiled.get(digest);
        if (!hit) return { kind: 'need' };
        compiled.delete(digest);
        compiled.set(digest, hit);
        return { kind: 'module', module: hit, digest };
      }
      const actual = digestOf(bytes);
      if (actual !== digest) return { kind: 'error', message: `the module's bytes have digest ${actual}, not ${digest}` };
      const module = new WebAssembly.Module(bytes);
      compiled.delete(actual);
      compiled.set(actual, module);
      while (compiled.size > maxEntries) compiled.delete(/** @type {string} */ (compiled.keys().next().value));
      return { kind: 'module', module, digest: actual };
    },
    /** Digests held, least recently used first. */
    digests: () => [...compiled.keys()],
  };
}
