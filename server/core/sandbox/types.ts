import type { Capability, TLimits } from '../module/manifest';

/** One governed execution request, already narrowed to what the policy grants. */
export interface RunRequest {
  /** Hex SHA-256 of the original (uninstrumented) wasm; the compiled-module cache key. */
  readonly wasmSha256: string;
  readonly wasm: Uint8Array;
  /** Exported function to call (WASI command modules use `_start`). */
  readonly entry: string;
  readonly args: readonly string[];
  /** Only allow-listed variables reach here. */
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  /** Seeds the deterministic random source; recorded with the run so it can be replayed. */
  readonly seed: bigint;
  /** Effective grant = policy ∩ manifest request. */
  readonly capabilities: readonly Capability[];
  /** Effective limits = min(policy limits, manifest request). */
  readonly limits: TLimits;
}

/** Closed union: every way a run can end. */
export type RunOutcome =
  | { readonly kind: 'ok'; readonly exitCode: number }
  | { readonly kind: 'trap'; readonly trap: string }
  | { readonly kind: 'out_of_fuel' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'memory_limit' }
  | { readonly kind: 'crashed'; readonly message: string }
  | { readonly kind: 'denied'; readonly reason: string };

export interface RunResult {
  readonly outcome: RunOutcome;
  readonly fuelUsed: number;
  readonly peakMemoryPages: number;
  readonly wallMs: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** True when output was cut at limits.outputBytes. */
  readonly outputTruncated: boolean;
}
