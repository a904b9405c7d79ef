/** Types for assemblyscript-abort.mjs (plain JS so worker threads load it without a TypeScript loader). */
export const ABORT_MODULE: 'env';
export const ABORT_NAME: 'abort';
export const MAX_ABORT_STRING_UNITS: number;
export class AbortTrap {
  readonly message: string;
  constructor(message: string);
}
export function readAssemblyScriptString(bytes: Uint8Array | null, ptr: unknown): string | null;
export function createAbortImport(getMemory: () => WebAssembly.Memory | null): {
  abort: (message: unknown, fileName: unknown, line: unknown, column: unknown) => never;
};
