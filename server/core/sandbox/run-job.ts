/**
 * What one run hands to run-module.mjs and what it reports back: the contract every backend that
 * executes in a JavaScript engine shares (worker threads today, a jailed process next). These
 * interfaces mirror the JSDoc typedefs in run-module.mjs; keep the two in step.
 */
import type { Capability } from '../module/manifest';
import type { CapabilityDenial, Invocation, WasmValue } from './types';

export interface WorkerJob {
  readonly module: WebAssembly.Module;
  readonly entry: string;
  readonly memoryExport: string | null;
  readonly fuelBudget: number;
  readonly memoryPagesCap: number;
  readonly capabilities: readonly Capability[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  readonly seed: bigint;
  readonly outputBytes: number;
  /** Set for `nightcore call` (see RunRequest.invoke); `entry` is then the export to call. */
  readonly invoke?: Invocation | null;
}
/** What a worker can observe; timeout and denied are decided by the pool. */
export type WorkerOutcome =
  | { readonly kind: 'ok'; readonly exitCode: number }
  | { readonly kind: 'trap'; readonly trap: string; readonly message?: string }
  | { readonly kind: 'out_of_fuel' }
  | { readonly kind: 'memory_limit' }
  | { readonly kind: 'crashed'; readonly message: string };

export interface WorkerReport {
  readonly outcome: WorkerOutcome;
  readonly fuelUsed: number;
  readonly peakMemoryPages: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly outputTruncated: boolean;
  readonly capabilityDenials: readonly CapabilityDenial[];
  /** Results of an invocation that returned normally (absent for a plain run). */
  readonly returnValues?: readonly WasmValue[];
  /** The thread may be unhealthy (allocation failure, host error): replace it. */
  readonly recycle: boolean;
}
