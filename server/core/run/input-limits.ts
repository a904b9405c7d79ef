import type { Invocation, Preopen } from '../sandbox/types';
import { preopensProblem } from '../sandbox/preopen-check';

/** Bounds on what a caller may pass, so a decision record always fits its audit event. */
export const INPUT_LIMITS = {
  args: 64,
  argBytes: 4096,
  argsTotalBytes: 16384,
  stdinBytes: 16 * 1024 * 1024,
  callArgs: 64,
  /** Candidate environment variables (names of withheld ones are recorded). */
  envVars: 64,
  envBytes: 16384,
  /** Preopened directories: entries across all of them (each is a line of the decision record) and file bytes. */
  dirEntries: 5000,
  dirBytes: 32 * 1024 * 1024,
} as const;

export const MAX_SEED = (1n << 64n) - 1n;

export interface RunInput {
  readonly args?: readonly string[];
  readonly stdin?: Uint8Array;
  /** Fixed seed for the deterministic random source; a fresh one is drawn when absent. */
  readonly seed?: bigint;
  /** Candidate environment; only names the policy allow-lists reach the module. */
  readonly env?: Readonly<Record<string, string>>;
  /** `nightcore call`: the export to call instead of the manifest's entry, with arguments already typed (call-args.ts). */
  readonly call?: Invocation & { readonly export: string };
  /** Directories to preopen (`--dir HOST::GUEST`), already read into memory; the module gets a copy. */
  readonly dirs?: readonly Preopen[];
}

/** Undefined when the input fits; otherwise what is too large, in words. */
export function checkInput(input: RunInput): string | undefined {
  const args = input.args ?? [];
  if (args.length > INPUT_LIMITS.args) return `at most ${INPUT_LIMITS.args} arguments`;
  const sizes = args.map((a) => Buffer.byteLength(a));
  if (sizes.some((n) => n > INPUT_LIMITS.argBytes)) return `an argument is longer than ${INPUT_LIMITS.argBytes} bytes`;
  if (sizes.reduce((a, b) => a + b, 0) > INPUT_LIMITS.argsTotalBytes) return `arguments exceed ${INPUT_LIMITS.argsTotalBytes} bytes in all`;
  if ((input.stdin?.length ?? 0) > INPUT_LIMITS.stdinBytes) return `stdin is larger than ${INPUT_LIMITS.stdinBytes} bytes`;
  if (input.call) {
    if (input.call.args.length > INPUT_LIMITS.callArgs || input.call.results.length > INPUT_LIMITS.callArgs) return `a call takes at most ${INPUT_LIMITS.callArgs} arguments and results`;
    if (input.call.export.length === 0 || Buffer.byteLength(input.call.export) > INPUT_LIMITS.argBytes) return 'the export name is empty or too long';
  }
  const env = Object.entries(input.env ?? {});
  if (env.length > INPUT_LIMITS.envVars) return `at most ${INPUT_LIMITS.envVars} environment variables`;
  if (env.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0) > INPUT_LIMITS.envBytes) return `environment variables exceed ${INPUT_LIMITS.envBytes} bytes in all`;
  const dirs = input.dirs ?? [];
  const entries = dirs.reduce((n, d) => n + d.entries.length, 0);
  if (entries > INPUT_LIMITS.dirEntries) return `preopened directories hold more than ${INPUT_LIMITS.dirEntries} files, directories and links`;
  const bytes = dirs.reduce((n, d) => n + d.entries.reduce((m, e) => m + (e.kind === 'file' ? e.data.length : 0), 0), 0);
  if (bytes > INPUT_LIMITS.dirBytes) return `preopened directories hold more than ${INPUT_LIMITS.dirBytes} bytes`;
  const shape = preopensProblem(dirs);
  if (shape) return `preopened directories: ${shape}`;
  return undefined;
}
