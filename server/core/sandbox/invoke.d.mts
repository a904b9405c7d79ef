/** Types for invoke.mjs (plain JS so worker threads load it without a TypeScript loader). */
import type { Invocation, WasmValue } from './types';

export const INITIALIZE_EXPORT: '_initialize';
export function invokeExport(
  exported: (name: string) => unknown,
  target: string,
  invocation: Invocation,
): { found: false } | { found: true; returnValues: WasmValue[] };
