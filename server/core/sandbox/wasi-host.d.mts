/** Types for wasi-host.mjs (plain JS so worker threads load it without a TypeScript loader). */
export const HOST_FUNCTION_GRANTS: Readonly<Record<string, readonly string[]>>;
export const VIRTUAL_EPOCH_NS: bigint;
export const NS_PER_FUEL: bigint;

export class ProcExit {
  constructor(code: number);
  readonly code: number;
}

export interface HostOptions {
  readonly capabilities: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  readonly seed: bigint;
  readonly outputBytes: number;
  readonly getMemory: () => WebAssembly.Memory | null;
  readonly getFuelUsed: () => bigint;
}

export interface HostOutput {
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly truncated: boolean;
}

export function createWasiHost(opts: HostOptions): {
  imports: Record<string, (...args: never[]) => unknown>;
  output: () => HostOutput;
};
