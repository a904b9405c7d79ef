/** Types for module-store.mjs (plain JS so the jail loads it without a TypeScript loader). */
export const JAIL_MODULE_ENTRIES: number;
export function digestOf(bytes: Uint8Array): string;
export type Taken =
  | { kind: 'module'; module: WebAssembly.Module; digest: string }
  | { kind: 'need' }
  | { kind: 'error'; message: string };
export function createModuleStore(maxEntries?: number): {
  take(digest: string, bytes: Uint8Array | undefined): Taken;
  digests(): string[];
};
