import type { WasmReport } from '../wasm/report';
/**
 * The governor's ports: everything it needs from the outside world, as small interfaces. The
 * services layer supplies SQLite-backed adapters; tests supply fakes. Nothing here does I/O.
 */
import type { LegacyOrigin } from '../module/legacy';
import type { TManifest } from '../module/manifest';
import type { Signer, TrustedKey, VerifyCode } from '../module/verify';
import type { TPolicy } from '../guardian/schema';
import type { ThreatHistory } from '../threat';
import type { BackendKind, SandboxBackend } from '../sandbox/backend';
import type { DecisionRecord } from '../guardian/decision-record';
import type { AuditEventInput } from '../audit/event';
import type { Preopen } from '../sandbox/types';

/** A module version as stored: what the governor runs. */
export interface StoredModule {
  readonly id: number;
  readonly name: string;
  readonly version: string;
  readonly tenant: string;
  readonly wasmSha256: string;
  readonly manifestSha256: string;
  readonly sizeBytes: number;
  readonly wasm: Uint8Array;
  /** How it was imported ('bundle' or 'legacy') and what was signed, to verify it again. */
  readonly source: string;
  readonly manifestJson: string;
  readonly envelopeJson: string;
}

/** A stored version checked again against today's trust store (every run does this). */
export interface Reverification {
  readonly ok: boolean;
  readonly code: VerifyCode | null;
  readonly message: string | null;
  /** The stored manifest (canonical at import), or null if the stored row no longer parses. */
  readonly manifest: TManifest | null;
  readonly signers: readonly Signer[];
  /**
   * Non-null for a module imported from a legacy tenant folder: where its unsigned name and version
   * came from. The governor passes it to Guardian (legacy_modules) and into every decision record.
   */
  readonly legacy: LegacyOrigin | null;
}

/** Trust: verification of stored modules against the trust store as it is now. */
export interface TrustedModules {
  reverify(module: StoredModule): Reverification;
}

/** What Guardian needs to know about the past. */
export interface RunHistory {
  facts(module: StoredModule, signerTrusted: boolean): ThreatHistory;
  quarantined(wasmSha256: string): boolean;
}

/** Whether people approved running this module (the Agent Inbox answers here). */
export interface ApprovalStatus {
  readonly approved: boolean;
  /** Who answered, e.g. 'none' until an approval source exists, or 'inbox'. */
  readonly source: string;
  /** One plain sentence for the decision record. */
  readonly detail: string;
  /** The signed approvals the answer rests on (absent when the source has none to name). */
  readonly restsOn?: readonly ApprovalReference[];
}

/** One signed approval, named so an auditor can find and verify it again (docs/approvals.md). */
export interface ApprovalReference {
  readonly subject: string;
  readonly keyid: string;
  readonly approver: string;
  /** When the approver signed it (from the statement). */
  readonly time: string;
  /** SHA-256 of the canonical statement. */
  readonly statementSha256: string;
}

export interface Approvals {
  check(module: StoredModule, context: { readonly actor: string; readonly policy: TPolicy }): ApprovalStatus;
}

/** The approval source before the Agent Inbox exists: nothing is ever approved (default deny). */
export const NO_APPROVALS: Approvals = {
  check: () => ({ approved: false, source: 'none', detail: 'No approval source is configured, so nothing is approved.' }),
};

/**
 * Appends one event; throws or rejects when it cannot (the governor then refuses to run: fail
 * closed). A promise resolves only once the event is durable: storage may commit several runs'
 * events in one transaction (group commit), and a promise never resolves before that commit.
 */
export interface AuditSink {
  append(event: AuditEventInput): { readonly seq: number } | Promise<{ readonly seq: number }>;
}

/** Everything one decided run leaves behind. */
export interface DecidedRun {
  readonly record: DecisionRecord;
  readonly module: StoredModule;
  readonly stdin: Uint8Array;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly wallMs: number;
  /** The preopened input directories: storage keeps each file content once, by SHA-256, for replay. */
  readonly dirs?: readonly Preopen[];
}

/**
 * Stores a decided run: the `run.decided` audit event, the run row and any quarantine, in one
 * transaction (all or nothing). Throws or rejects when it cannot; a promise resolves only once the
 * run is committed (possibly in a transaction shared with other runs: group commit).
 */
export interface RunRecorder {
  record(run: DecidedRun): void | Promise<void>;
}

/** What replay needs of a recorded run. */
export interface RecordedRun {
  readonly record: DecisionRecord;
  readonly stdin: Uint8Array;
  /** Undefined when the module version is no longer stored. */
  readonly module: StoredModule | undefined;
  /** The recorded input directories rebuilt from stored contents, or why they cannot be (absent: none). */
  readonly dirs?: readonly Preopen[] | string;
}

export interface RecordedRuns {
  load(runId: string): RecordedRun | undefined;
}

export interface PolicyInForce {
  readonly policy: TPolicy;
  readonly sha256: string;
}

export interface GovernorPorts {
  readonly policy: () => PolicyInForce;
  readonly modules: TrustedModules;
  /**
   * The trust store's keys (revoked ones with their revocation time), for checking a remote run's
   * node attestation before a replay. Absent: a record that carries one cannot be replayed.
   */
  readonly trustedKey?: (keyid: string) => TrustedKey | undefined;
  readonly history: RunHistory;
  readonly approvals: Approvals;
  readonly audit: AuditSink;
  /** Started on first use (a command that runs nothing starts no workers). */
  readonly backend: () => SandboxBackend;
  /** Which backend runs would use, without starting it (dry runs judge `backend_allowed` too). */
  readonly backendKind?: () => BackendKind;
  readonly recorder: RunRecorder;
  readonly recorded: RecordedRuns;
  readonly clock: () => Date;
  readonly newRunId: () => string;
  /** A fresh unsigned 64-bit seed for runs that do not fix one. */
  readonly newSeed: () => bigint;
  /**
   * Inspector reports made off the serving thread (persisted at import): the governor loads one
   * before assessing, so a large module is never inspected on this thread. Absent: inspected here.
   */
  readonly loadReport?: (module: StoredModule) => Promise<WasmReport | undefined>;
  /** Told how long each stage of a run took (see RunStage), for profiling where run time goes. */
  readonly onStage?: (stage: RunStage, ms: number) => void;
}

/**
 * The stages of a run that executes, in order: `assess` verify and judge before running, `wait` for
 * a turn (fair queue), `started` until run.started is durable, `sandbox` the backend's run (its
 * checks, queue and execution), `decide` judge the result and until the decision is durable.
 */
export type RunStage = 'assess' | 'wait' | 'started' | 'sandbox' | 'decide';
