/** Types for wasi-host.mjs (plain JS so worker threads load it without a TypeScript loader). */
import type { CapabilityDenial, Preopen } from './types';

export const HOST_FUNCTION_GRANTS: Readonly<Record<string, readonly string[]>>;
export const VIRTUAL_EPOCH_NS: bigint;
export const NS_PER_FUEL: bigint;
export const HOST_CALL_FUEL: bigint;
export const BYTES_PER_FUEL: number;
export const VFS_MAX_BYTES: number;
export const VFS_MAX_NODES: number;

export class ProcExit {
  constructor(code: number);
  readonly code: number;
}

export class ProcRaise {
  constructor(signal: number);
  readonly signal: number;
}

export interface HostOptions {
  readonly capabilities: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  readonly seed: bigint;
  readonly outputBytes: number;
  readonly preopens?: readonly Preopen[];
  readonly getMemory: () => WebAssembly.Memory | null;
  readonly getFuelUsed: () => bigint;
  readonly chargeFuel?: (units: bigint) => void;
  /** Build just these host functions (the ones the module imports); default all. */
  readonly only?: readonly string[];
}

export interface HostOutput {
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly truncated: boolean;
}

export function createWasiHost(opts: HostOptions): {
  imports: Record<string, (...args: never[]) => unknown>;
  output: () => HostOutput;
  capabilityDenials: () => CapabilityDenial[];
  filesystem: () => Preopen[];
};
