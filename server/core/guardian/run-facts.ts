/**
 * The compact facts of one run that policy simulation needs to judge it again (simulate.ts), taken
 * from its decision record and stored with the run (`runs.guardian_facts`, migration 0024), so a
 * simulation over 200,000 runs reads about a hundred bytes per run instead of parsing every full
 * record (several KB each).
 *
 * Only what a rule reads is kept: the run's identity (module, time, decision) lives in the runs row's
 * own columns, and the module version's manifest and inspector report are read once per version.
 * Explanations (signer names, legacy folder names, refused call details) are not kept: the
 * simulation reports decisions, rules and counts, never a rule's sentence.
 *
 * Stored form (format 1): a positional JSON array, written by `encodeRunFacts` for new runs and by
 * the migration's SQL for runs recorded before it (the two must agree; run-facts-backfill.test.ts):
 *
 *   [1, verified, verificationCode, signerRoles[], legacy, quarantined, approved, backend, band,
 *    signals[index, units, ...], failingRules[], execution]
 *   execution = null | [outcomeKind, exitCode, fuel, peakMemoryPages, wallMs, outputBytes, outputTruncated, deniedCalls]
 *
 * Booleans are 0/1. null means "not recorded" where a fact can be missing (legacy, quarantined,
 * approved, backend, a signal's units, outputBytes): the simulation then says so rather than guessing.
 * (Migration 0024 wrote 0 for a legacy fact its record did not hold; 0026 turns those into null.)
 */
import { BACKEND_KINDS, type BackendKind } from '../sandbox/backend';
import { OUTCOME_KINDS, type OutcomeKind } from '../sandbox/types';
import { BANDS, type Band } from '../threat/bands';
import type { SignalId } from '../threat/config';
import type { DecisionRecord } from './decision-record';
import { deniedCallCount } from './denied-calls-rule';

export const RUN_FACTS_FORMAT = 1;

/**
 * Each threat signal's number in the stored form. Append only: a stored index must keep meaning the
 * same signal (the migration's SQL lists the same numbers). The type check below fails when a signal
 * is added to the scorer but not here.
 */
export const FACT_SIGNALS = [
  'unknown_signer',
  'first_seen_digest',
  'start_section',
  'large_custom_sections',
  'requested_capabilities',
  'memory_near_cap',
  'fuel_near_cap',
  'hash_drift',
  'prior_post_failures',
  'prior_capability_denials',
] as const satisfies readonly SignalId[];
type EverySignalNumbered = Exclude<SignalId, (typeof FACT_SIGNALS)[number]> extends never ? true : never;
const everySignalNumbered: EverySignalNumbered = true;
void everySignalNumbered;

export interface ExecutionFacts {
  readonly outcome: OutcomeKind;
  /** Only for outcome `ok`. */
  readonly exitCode: number | null;
  readonly fuel: number;
  readonly peakMemoryPages: number;
  readonly wallMs: number;
  /** stdout + stderr bytes; null in a record that did not hold it. */
  readonly outputBytes: number | null;
  readonly outputTruncated: boolean;
  /** Calls the sandbox refused, counted as the denied_calls rule counts them. */
  readonly deniedCalls: number;
}

export interface RunFacts {
  readonly verification: { readonly ok: boolean; readonly code: string | null };
  /** The role of each trusted key that signed the module, in record order. */
  readonly signerRoles: readonly string[];
  /**
   * Whether it was a legacy import; null in records written before module.legacy (89b9c62): tenant
   * folders could be imported from the first release on, so "absent" does not mean "a bundle".
   */
  readonly legacy: boolean | null;
  /** Whether the module was in quarantine; null when the quarantined rule was off (not recorded). */
  readonly quarantined: boolean | null;
  /** Whether people had approved the module; null in records written before approvals. */
  readonly approved: boolean | null;
  /** The backend that ran it; null when nothing ran or the record predates backends. */
  readonly backend: BackendKind | null;
  /** The threat band recorded. */
  readonly band: Band;
  /** Fired threat signals and how many times each counted; null units: its weight was 0 when recorded. */
  readonly signals: readonly (readonly [SignalId, number | null])[];
  /** Rules that failed (enforced) before or after the run. */
  readonly failing: readonly string[];
  /** Null when pre-exec denied: nothing ran. */
  readonly execution: ExecutionFacts | null;
}

/** What a rule needs from a recorded quarantined rule: it fails exactly when the module is in quarantine. */
function quarantinedFrom(record: DecisionRecord): boolean | null {
  const outcome = record.pre.rules.find((r) => r.id === 'quarantined')?.outcome;
  // would_fail: the rule was in dry-run and its check failed, so the module was in quarantine.
  return outcome === 'fail' || outcome === 'would_fail' ? true : outcome === 'pass' ? false : null;
}

export function factsFromRecord(record: DecisionRecord): RunFacts {
  const signals: [SignalId, number | null][] = [];
  const byId = new Map(record.threat.signals.map((s) => [s.id, s]));
  for (const id of FACT_SIGNALS) {
    const s = byId.get(id);
    if (!s?.fired) continue;
    const units = s.weight > 0 ? Math.round(s.contribution / s.weight) : NaN;
    signals.push([id, Number.isFinite(units) ? units : null]);
  }
  const failing = new Set<string>();
  for (const v of [record.pre, record.post]) for (const r of v?.rules ?? []) if (r.outcome === 'fail') failing.add(r.id);
  const ex = record.execution;
  return {
    verification: { ok: record.verification.ok === true, code: record.verification.code ?? null },
    signerRoles: (record.module.signers ?? []).map((s) => s.role),
    legacy: record.module.legacy === undefined ? null : record.module.legacy !== null,
    quarantined: quarantinedFrom(record),
    approved: typeof record.approval?.approved === 'boolean' ? record.approval.approved : null,
    backend: record.backend?.kind ?? null,
    band: record.threat.band,
    signals,
    failing: [...failing],
    execution: ex
      ? {
          outcome: ex.outcome.kind,
          exitCode: ex.outcome.kind === 'ok' ? ex.outcome.exitCode : null,
          fuel: ex.used.fuel,
          peakMemoryPages: ex.used.peakMemoryPages,
          wallMs: ex.used.wallMs,
          outputBytes: typeof ex.used.outputBytes === 'number' ? ex.used.outputBytes : null,
          outputTruncated: ex.outputTruncated === true,
          deniedCalls: deniedCallCount(ex.capabilityDenials ?? []),
        }
      : null,
  };
}

const bit = (b: boolean) => (b ? 1 : 0);
const maybeBit = (b: boolean | null) => (b === null ? null : bit(b));

export function encodeRunFacts(f: RunFacts): string {
  const ex = f.execution;
  return JSON.stringify([
    RUN_FACTS_FORMAT,
    bit(f.verification.ok),
    f.verification.code,
    f.signerRoles,
    maybeBit(f.legacy),
    maybeBit(f.quarantined),
    maybeBit(f.approved),
    f.backend,
    f.band,
    f.signals.flatMap(([id, units]) => [FACT_SIGNALS.indexOf(id as (typeof FACT_SIGNALS)[number]), units]),
    f.failing,
    ex ? [ex.outcome, ex.exitCode, ex.fuel, ex.peakMemoryPages, ex.wallMs, ex.outputBytes, bit(ex.outputTruncated), ex.deniedCalls] : null,
  ]);
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isBit = (x: unknown): x is 0 | 1 => x === 0 || x === 1;
const isMaybeBit = (x: unknown): x is 0 | 1 | null => x === null || isBit(x);
const BACKENDS = new Set<string>(BACKEND_KINDS);
const BAND_NAMES = new Set<string>(BANDS);
const OUTCOMES = new Set<string>(OUTCOME_KINDS);

/**
 * The stored form back; undefined when it is not format 1 or does not have the expected shape (the
 * caller then reads the full record instead: nothing is guessed from a damaged value).
 */
export function decodeRunFacts(text: string): RunFacts | undefined {
  let a: unknown;
  try {
    a = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(a) || a.length !== 12 || a[0] !== RUN_FACTS_FORMAT) return undefined;
  const [, verified, code, roles, legacy, quarantined, approved, backend, band, flat, failing, ex] = a as unknown[];
  if (!isBit(verified) || !(code === null || typeof code === 'string') || !isStrings(roles) || !isMaybeBit(legacy)) return undefined;
  if (!isMaybeBit(quarantined) || !isMaybeBit(approved) || !(backend === null || (typeof backend === 'string' && BACKENDS.has(backend))) || typeof band !== 'string' || !BAND_NAMES.has(band)) return undefined;
  if (!Array.isArray(flat) || flat.length % 2 !== 0 || !isStrings(failing)) return undefined;
  const signals: [SignalId, number | null][] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const id = FACT_SIGNALS[flat[i] as number];
    const units = flat[i + 1] as unknown;
    if (id === undefined || !(units === null || isNum(units))) return undefined;
    signals.push([id, units]);
  }
  let execution: ExecutionFacts | null = null;
  if (ex !== null) {
    if (!Array.isArray(ex) || ex.length !== 8) return undefined;
    const [outcome, exitCode, fuel, peak, wallMs, outputBytes, truncated, deniedCalls] = ex as unknown[];
    if (typeof outcome !== 'string' || !OUTCOMES.has(outcome) || !(exitCode === null || isNum(exitCode)) || !isNum(fuel) || !isNum(peak) || !isNum(wallMs)) return undefined;
    if (!(outputBytes === null || isNum(outputBytes)) || !isBit(truncated) || !isNum(deniedCalls)) return undefined;
    execution = { outcome: outcome as OutcomeKind, exitCode, fuel, peakMemoryPages: peak, wallMs, outputBytes, outputTruncated: truncated === 1, deniedCalls };
  }
  return {
    verification: { ok: verified === 1, code },
    signerRoles: roles,
    legacy: legacy === null ? null : legacy === 1,
    quarantined: quarantined === null ? null : quarantined === 1,
    approved: approved === null ? null : approved === 1,
    backend: backend as BackendKind | null,
    band: band as Band,
    signals,
    failing,
    execution,
  };
}
