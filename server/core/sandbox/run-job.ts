/**
 * What one run hands to run-module.mjs and what it reports back: the contract every backend that
 * executes in a JavaScript engine shares (worker threads today, a jailed process next). These
 * interfaces mirror the JSDoc typedefs in run-module.mjs; keep the two in step.
 */
import type { Capability } from '../module/manifest';
import type { CapabilityDenial, Invocation, Preopen, RunRequest, WasmValue } from './types';

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
  readonly preopens?: readonly Preopen[];
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
  readonly filesystem: readonly Preopen[];
  /** Results of an invocation that returned normally (absent for a plain run). */
  readonly returnValues?: readonly WasmValue[];
  /** The thread may be unhealthy (allocation failure, host error): replace it. */
  readonly recycle: boolean;
}

/** Everything of a job that comes from the request (the backend adds the module it prepared). */
export type RequestFields = Omit<WorkerJob, 'module' | 'memoryExport'>;

/** The one mapping from a request to what run-module.mjs takes, for every backend. */
export function jobFields(req: RunRequest): RequestFields {
  return {
    entry: req.entry,
    fuelBudget: req.limits.fuel,
    memoryPagesCap: req.limits.memoryPages,
    capabilities: [...req.capabilities],
    args: [...req.args],
    env: { ...req.env },
    stdin: req.stdin,
    seed: req.seed,
    outputBytes: req.limits.outputBytes,
    invoke: req.invoke ?? null,
    preopens: req.preopens ?? [],
  };
}
