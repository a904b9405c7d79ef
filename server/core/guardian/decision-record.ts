/**
 * The decision record: one self-contained account of a governed run, written to the audit log
 * as the payload of `run.decided`. Format `nightcore.decision/v1` (see docs/decision-record.md).
 *
 * Two types: `WrittenDecisionRecord` is what this release writes (every field it knows, filled);
 * `DecisionRecord` is what a reader gets from parseDecisionRecord (decision-record-schema.ts): any
 * published version, so fields added since the first release may be absent. Readers use the second,
 * which makes the compiler ask how each of them treats an older record.
 */
import type { z } from 'zod';
import { DECISION_FORMAT, type ZDecisionRecordSchema, type ZDecisionVerdictsSchema } from './decision-record-schema';
import type { Capability, TEffectiveLimits, TLimits } from '../module/manifest';
import type { LegacyOrigin } from '../module/legacy';
import type { CapabilityDenial, RemoteAttestation, RunOutcome, WasmValue } from '../sandbox/types';
import type { BackendKind } from '../sandbox/backend';
import type { ThreatAssessment } from '../threat';
import type { Verdict } from './verdict';
import type { RecordedDir, RecordedDirState } from '../run/input-tree';

export { DECISION_FORMAT };

/** A typed wasm value in a record: decimal text, so i64 and NaN/infinities survive JSON. */
export interface RecordedValue {
  readonly type: WasmValue['type'];
  readonly value: string;
}

export interface WrittenDecisionRecord {
  readonly format: typeof DECISION_FORMAT;
  readonly runId: string;
  readonly actor: string;
  readonly startedAt: string;
  readonly module: {
    readonly id: number;
    readonly name: string;
    readonly version: string;
    readonly tenant: string;
    readonly wasmSha256: string;
    readonly manifestSha256: string;
    readonly signers: readonly { readonly keyid: string; readonly name: string; readonly role: string }[];
    /** Non-null for a module imported from a legacy tenant folder: its name and version are unsigned. */
    readonly legacy: LegacyOrigin | null;
  };
  readonly policy: { readonly name: string; readonly revision: number; readonly sha256: string };
  readonly verification: { readonly ok: boolean; readonly code: string | null; readonly message: string | null };
  readonly threat: ThreatAssessment;
  /** What the run was allowed: policy ∩ manifest request. */
  readonly granted: {
    readonly capabilities: readonly Capability[];
    readonly limits: TLimits;
    readonly env: readonly string[];
    /**
     * Where each limit came from: the manifest's request and the policy's cap (the grant is the
     * smaller). Absent in records written before it was added.
     */
    readonly limitSources?: { readonly requested: TEffectiveLimits; readonly policy: TEffectiveLimits };
  };
  readonly input: {
    readonly entry: string;
    readonly args: readonly string[];
    /** Only allow-listed variables; recorded so the run can be replayed (never allow-list secrets). */
    readonly env: Readonly<Record<string, string>>;
    readonly stdinSha256: string;
    readonly stdinBytes: number;
    /** Decimal string: the seed of the deterministic random source, needed for replay. */
    readonly seed: string;
    /** For `nightcore call`: `entry` is the export called, with these typed arguments (after `_initialize`). */
    readonly invocation?: { readonly args: readonly RecordedValue[]; readonly results: readonly WasmValue['type'][] };
    /** Preopened directories (`--dir`): every file by SHA-256, and one digest per tree (absent when none). */
    readonly dirs?: readonly RecordedDir[];
    /** Environment variables the caller gave that the policy did not allow: names only, never values. */
    readonly envWithheld?: readonly string[];
  };
  /** Whether people approved this module, and who answered (absent in records written before approvals). */
  readonly approval?: {
    readonly approved: boolean;
    readonly source: string;
    readonly detail: string;
    /** The signed approvals it rests on (Agent Inbox; absent in older records and from other sources). */
    readonly restsOn?: readonly { readonly subject: string; readonly keyid: string; readonly approver: string; readonly time: string; readonly statementSha256: string }[];
  };
  readonly pre: Verdict;
  /** The sandbox backend that executed the run; null when nothing ran (absent in older records). */
  readonly backend?: { readonly kind: BackendKind; readonly attestation?: RemoteAttestation } | null;
  /** Null when pre-exec denied: nothing ran. */
  readonly execution: {
    readonly outcome: RunOutcome;
    readonly used: { readonly fuel: number; readonly peakMemoryPages: number; readonly wallMs: number; readonly outputBytes: number };
    readonly outputTruncated: boolean;
    /** WASI calls refused at the call because the grant lacked them (absent in older records). */
    readonly capabilityDenials?: readonly CapabilityDenial[];
    readonly stdoutSha256: string;
    readonly stderrSha256: string;
    /** SHA-256 of "<stdoutSha256>\n<stderrSha256>": one digest that replay compares. */
    readonly outputSha256: string;
    /** For `nightcore call`: the export's typed results, as decimal strings (absent for a plain run). */
    readonly returnValues?: readonly RecordedValue[];
    /** Each preopened directory's final state (digest, entries, bytes); released only when the decision is allow. */
    readonly filesystem?: readonly RecordedDirState[];
  } | null;
  readonly post: Verdict | null;
  readonly decision: 'allow' | 'deny';
  readonly quarantine: { readonly source: 'post_exec' | 'threat'; readonly reason: string } | null;
}

/** Arrays and objects made read-only all the way down: readers never change a record. */
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A decision record of any published version, as readers see it (parseDecisionRecord). */
export type DecisionRecord = DeepReadonly<z.output<typeof ZDecisionRecordSchema>>;

/** How a record was decided, and nothing else (parseDecisionVerdicts): what a list explains a row from. */
export type DecisionVerdicts = DeepReadonly<z.output<typeof ZDecisionVerdictsSchema>>;

/** Every record is its verdicts (fails to compile otherwise): whyDenied reads either. */
const _recordHasVerdicts = (r: DecisionRecord): DecisionVerdicts => r;
void _recordHasVerdicts;

/** What this release writes is one of the versions it reads (fails to compile otherwise). */
const _writtenIsReadable = (r: WrittenDecisionRecord): DecisionRecord => r;
void _writtenIsReadable;
