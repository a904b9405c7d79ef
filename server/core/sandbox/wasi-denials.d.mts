/** Types for wasi-denials.mjs (plain JS so worker threads load it without a TypeScript loader). */
export const MAX_SAMPLES: number;
export const MAX_SAMPLE_CHARS: number;
export function sampleOf(args: readonly unknown[]): string;
export function createDenialLog(): {
  record(fn: string, capability: string | null, errno: number, args: readonly unknown[]): number;
  list(): { fn: string; capability: string | null; errno: string; count: number; samples: string[] }[];
};
