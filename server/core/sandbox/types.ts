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
  /**
   * Set for `nightcore call`: `entry` is then the export to call with these typed arguments (after
   * `_initialize` when the module exports it) and its results are returned. Absent for a plain run.
   */
  readonly invoke?: Invocation;
  /**
   * Directories preopened for the module (fds 3, 4, ... in this order), each a fresh in-memory copy
   * made from this list; nothing on the host is ever reachable. Reading needs `fs.read`, changing the
   * copy needs `fs.write`; without them every file call answers NOTCAPABLE and is recorded.
   */
  readonly preopens?: readonly Preopen[];
  /**
   * What was signed, so a backend that leaves this trust boundary (an execution node) can verify the
   * module again against its own trust store. Local backends ignore it; a request without it is
   * refused by a node (it cannot tell who signed the code).
   */
  readonly provenance?: ModuleProvenance;
}

/** A stored module's signature evidence, as imported: a bundle's manifest and DSSE envelope, or a legacy tenant's signature record. */
export interface ModuleProvenance {
  readonly source: 'bundle' | 'legacy';
  /** The manifest JSON (bundle), or the stored manifest (legacy; unsigned). */
  readonly manifest: string;
  /** The DSSE envelope JSON (bundle), or the stored legacy signature record (`nightcore.legacy-signature/v1`). */
  readonly envelope: string;
}

export type WasmValueType = 'i32' | 'i64' | 'f32' | 'f64';

/** One typed argument or result. i64 travels as a bigint so no precision is lost. */
export type WasmValue =
  | { readonly type: 'i32' | 'f32' | 'f64'; readonly value: number }
  | { readonly type: 'i64'; readonly value: bigint };

/** A call of one export with arguments already checked against its signature. */
export interface Invocation {
  readonly args: readonly WasmValue[];
  /** The export's result types, so the results can be typed on the way back. */
  readonly results: readonly WasmValueType[];
}

/**
 * One entry of a preopened directory. `path` is relative to the directory, `/`-separated, with no
 * empty, `.` or `..` components; parents are created as needed.
 */
export type TreeEntry =
  | { readonly path: string; readonly kind: 'file'; readonly data: Uint8Array }
  | { readonly path: string; readonly kind: 'dir' }
  | { readonly path: string; readonly kind: 'symlink'; readonly target: string };

/** A directory as the guest sees it: its preopened name (e.g. `/` or `/data`) and its contents. */
export interface Preopen {
  readonly guestPath: string;
  readonly entries: readonly TreeEntry[];
}

/**
 * Every way a run can end, as data: the one list that policies (outcome_allowed), the API's filters
 * and the console name. `RunOutcome` below must cover exactly these kinds (checked at compile time).
 */
export const OUTCOME_KINDS = ['ok', 'trap', 'out_of_fuel', 'timeout', 'memory_limit', 'crashed', 'denied'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/** Closed union: every way a run can end. */
export type RunOutcome =
  | { readonly kind: 'ok'; readonly exitCode: number }
  /** `message`: the module's own explanation when it gave one (AssemblyScript `abort`), bounded. */
  | { readonly kind: 'trap'; readonly trap: string; readonly message?: string }
  | { readonly kind: 'out_of_fuel' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'memory_limit' }
  | { readonly kind: 'crashed'; readonly message: string }
  | { readonly kind: 'denied'; readonly reason: string };

type SameKinds<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type MustHold<T extends true> = T;
/** Fails to compile when a kind is added to the union but not to OUTCOME_KINDS, or the other way round. */
type OutcomeKindsMatchRunOutcome = MustHold<SameKinds<RunOutcome['kind'], OutcomeKind>>;

export interface RunResult {
  readonly outcome: RunOutcome;
  readonly fuelUsed: number;
  readonly peakMemoryPages: number;
  readonly wallMs: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** True when output was cut at limits.outputBytes. */
  readonly outputTruncated: boolean;
  /** WASI calls the grant refused (the call returned an errno instead of acting), per function. */
  readonly capabilityDenials: readonly CapabilityDenial[];
  /**
   * Each preopened directory's final state, in request order (absent when the run never reached a
   * worker). The governor releases it only when the decision is allow.
   */
  readonly filesystem?: readonly Preopen[];
  /** For an invocation that returned normally: the export's results, typed. Absent otherwise. */
  readonly returnValues?: readonly WasmValue[];
  /** Present when an execution node ran it: the node's signed result (remote/protocol.ts). */
  readonly attestation?: RemoteAttestation;
}

/** A node's signature over its result statement, kept in the decision record so anyone can check it. */
export interface RemoteAttestation {
  readonly nodeKeyid: string;
  /** SHA-256 of the signed bytes (domain-separated canonical statement). */
  readonly resultSha256: string;
  /** Base64 Ed25519 signature. */
  readonly signature: string;
  /** The statement as signed: a result (`nightcore.job-result/v1`) or a refusal (`nightcore.job-refusal/v1`). */
  readonly statement: { readonly format: string };
}

/**
 * One WASI function the module called without the capability for it. The host answered with a
 * WASI errno (e.g. NOTCAPABLE) instead of failing the link; post-exec rules and threat signals read it.
 */
export interface CapabilityDenial {
  /** The preview1 function name, e.g. `path_open`. */
  readonly fn: string;
  /** The capability that would have allowed it, or null when no grant can (sockets). */
  readonly capability: string | null;
  /** The WASI errno name returned, e.g. `NOTCAPABLE`, `NOTSUP`. */
  readonly errno: string;
  /** How many times it was called and refused in this run. */
  readonly count: number;
  /** The first few calls' arguments in a safe, bounded summary (at most 3, each ≤ 200 chars). */
  readonly samples: readonly string[];
}
