/**
 * Policy simulation: judge recorded runs again under a candidate policy, without running anything,
 * and report which decisions would change (allow → deny, deny → allow, threat band changes), the
 * rules responsible and the modules affected. Pure: the caller supplies the runs and, per module
 * version, the manifest and inspector report the pre-exec rules read.
 *
 * Each run arrives as its compact facts (run-facts.ts: what the rules read, kept with the run), so
 * the same judging serves the stored facts and facts taken from a full decision record.
 *
 * Honesty rules (the simulation never guesses):
 * - a fact the record does not hold (the quarantine state, an approval or the backend in records
 *   written before those were recorded) is tried both ways; if the decision depends on it the run is
 *   `unknown`, with the missing fact counted in `notRecorded`;
 * - a run whose output size was not recorded cannot be judged by max_output_bytes without its output;
 * - a run that never executed cannot be judged after execution: if the candidate would let it start,
 *   its decision is `unknown` (post-exec facts do not exist);
 * - a lower fuel, memory or wall-clock grant than a run used turns its outcome into out_of_fuel,
 *   memory_limit or timeout (fuel is deterministic; the wall clock is not, so timeouts are counted
 *   as approximate);
 * - threat signals are re-weighted from the units recorded (contribution / weight); a signal whose
 *   recorded weight was 0 has no recorded units, and the thresholds in `threat.settings` are not
 *   re-applied (their inputs are not all recorded): both are reported, never silently assumed.
 */
import type { TManifest } from '../module/manifest';
import type { WasmReport } from '../wasm/report';
import type { BackendKind } from '../sandbox/backend';
import type { LegacyOrigin } from '../module/legacy';
import type { CapabilityDenial, RunOutcome, RunResult } from '../sandbox/types';
import { checkImports } from '../sandbox/wasi-imports';
import { bandFor, type Band } from '../threat/bands';
import { effectiveGrant } from './grant';
import { evaluatePost } from './post';
import { evaluatePre, type PreInput, type TrustedSigner } from './pre';
import type { ExecutionFacts, RunFacts } from './run-facts';
import type { TPolicy } from './schema';
import type { Verdict } from './verdict';

/** One recorded run as the simulation reads it: its identity and the facts its rules need (run-facts.ts). */
export interface RecordedRun {
  readonly id: string;
  readonly decision: 'allow' | 'deny';
  /** ISO 8601, as in the decision record. */
  readonly startedAt: string;
  readonly module: { readonly name: string; readonly version: string };
  readonly facts: RunFacts;
  /** The run's output, when the caller loaded it (output_patterns reads it). */
  readonly stdout?: Uint8Array;
  readonly stderr?: Uint8Array;
}

/** What the pre-exec rules read that lives with the module version, not the run. */
export interface ModuleFacts {
  readonly manifest: TManifest;
  readonly report: WasmReport;
}

export type SimulatedDecision = 'allow' | 'deny' | 'unknown';

export interface RunChange {
  readonly runId: string;
  readonly module: string;
  readonly startedAt: string;
  readonly from: 'allow' | 'deny';
  readonly to: SimulatedDecision;
  readonly bandFrom: Band;
  readonly bandTo: Band;
  /** Rules whose outcome changed (newly failing or no longer failing). */
  readonly rules: readonly string[];
  /** Why the decision is unknown, when it is. */
  readonly unknownBecause?: string;
}

export interface SimulationReport {
  readonly policy: { readonly name: string; readonly revision: number };
  readonly runs: number;
  readonly range: { readonly from: string; readonly to: string } | null;
  readonly counts: {
    readonly allowToDeny: number;
    readonly denyToAllow: number;
    readonly unchanged: number;
    readonly unknown: number;
    readonly bandChanges: number;
    /** Runs whose new outcome is a timeout (the wall clock varies between runs: approximate). */
    readonly approximateTimeouts: number;
  };
  /** Per rule: runs where it newly fails, and runs where it no longer fails. Most affected first. */
  readonly rules: readonly { readonly id: string; readonly newlyFailing: number; readonly noLongerFailing: number }[];
  /** Per module: its runs and how their decisions change. Most affected first. */
  readonly modules: readonly { readonly name: string; readonly runs: number; readonly allowToDeny: number; readonly denyToAllow: number; readonly unknown: number; readonly bandChanges: number }[];
  /** Facts the records did not hold, with how many runs needed them. */
  readonly notRecorded: readonly { readonly fact: string; readonly runs: number }[];
  /** The changed runs (at most `sampleLimit`, newest first as given). */
  readonly changes: readonly RunChange[];
}

export const DEFAULT_SAMPLE_LIMIT = 100;

const BACKENDS: readonly BackendKind[] = ['worker-threads', 'process', 'remote'];

type Tally = Map<string, number>;
const bump = (m: Tally, key: string, by = 1) => m.set(key, (m.get(key) ?? 0) + by);

/** Re-weights the recorded signals with the candidate's weights and bands. */
function rescore(facts: RunFacts, policy: TPolicy, missing: Set<string>): { score: number; band: Band } {
  let total = 0;
  for (const [id, recorded] of facts.signals) {
    let units = recorded;
    if (units === null) {
      missing.add(`threat signal ${id}: how many times it fired (its weight was 0 when recorded; counted once)`);
      units = 1;
    }
    total += units * policy.threat.weights[id];
  }
  const score = Math.min(100, total);
  return { score, band: bandFor(score, policy.threat.bands) };
}

/** Every combination of the facts the record lacks; one variant when it has them all. */
function preVariants(facts: RunFacts, missing: Set<string>): Pick<PreInput, 'quarantined' | 'approved' | 'backend' | 'legacy'>[] {
  const { quarantined: q, approved, backend, legacy } = facts;
  if (q === null) missing.add('whether the module was in quarantine (the rule was off when recorded)');
  if (approved === null) missing.add('whether the module was approved (not recorded by older versions)');
  if (backend === null) missing.add('the sandbox backend (nothing ran, or an older record)');
  // Tenant folders could be imported from the first release on; records before 89b9c62 do not say.
  if (legacy === null) missing.add('whether the module was a legacy import (not recorded by older versions)');
  const out: Pick<PreInput, 'quarantined' | 'approved' | 'backend' | 'legacy'>[] = [];
  for (const quarantined of q === null ? [false, true] : [q]) {
    for (const a of approved === null ? [false, true] : [approved]) {
      for (const b of backend === null ? BACKENDS : [backend]) {
        for (const l of legacy === null ? [false, true] : [legacy]) out.push({ quarantined, approved: a, backend: b, legacy: l ? LEGACY_NOT_KEPT : null });
      }
    }
  }
  return out;
}

/**
 * Stand-ins for what the facts do not keep because no rule decides on it, only its sentence does:
 * a legacy module's folder, refused calls' details, a trap's message. The simulation reports no sentence.
 */
const LEGACY_NOT_KEPT: LegacyOrigin = { format: 'nightcore.legacy-signature/v1', folderName: '(not kept for simulation)', unsignedManifestSha256: '' };
const signersWithRoles = (roles: readonly string[]): TrustedSigner[] => roles.map((role) => ({ keyid: '', name: '(not kept for simulation)', role }));
const refusedCalls = (n: number): CapabilityDenial[] => (n > 0 ? [{ fn: '(not kept for simulation)', capability: null, errno: '', count: n, samples: [] }] : []);
function outcomeOf(ex: ExecutionFacts): RunOutcome {
  return ex.outcome === 'ok' ? { kind: 'ok', exitCode: ex.exitCode ?? 0 } : ({ kind: ex.outcome } as RunOutcome);
}

/** The recorded execution under the candidate's grant: a lower limit than the run used ends it there. */
function resultUnder(run: RecordedRun, limits: { fuel: number; memoryPages: number; wallMs: number }): { result: RunResult; timeout: boolean } | undefined {
  const ex = run.facts.execution;
  if (!ex) return undefined;
  let outcome = outcomeOf(ex);
  let timeout = false;
  if (ex.fuel > limits.fuel) outcome = { kind: 'out_of_fuel' };
  else if (ex.peakMemoryPages > limits.memoryPages) outcome = { kind: 'memory_limit' };
  else if (ex.wallMs > limits.wallMs) {
    outcome = { kind: 'timeout' };
    timeout = true;
  }
  return {
    timeout,
    result: {
      outcome,
      fuelUsed: Math.min(ex.fuel, limits.fuel),
      peakMemoryPages: Math.min(ex.peakMemoryPages, limits.memoryPages),
      wallMs: Math.min(ex.wallMs, limits.wallMs),
      stdout: run.stdout ?? new Uint8Array(0),
      stderr: run.stderr ?? new Uint8Array(0),
      outputTruncated: ex.outputTruncated,
      capabilityDenials: refusedCalls(ex.deniedCalls),
    },
  };
}

const failing = (v: Verdict | null | undefined) => new Set((v?.rules ?? []).filter((r) => r.outcome === 'fail').map((r) => r.id as string));

interface Judged {
  readonly to: SimulatedDecision;
  readonly band: Band;
  /** Null when the module version is gone: nothing was judged. */
  readonly pre: Verdict | null;
  readonly post: Verdict | null;
  readonly timeout: boolean;
  readonly unknownBecause?: string;
}

/**
 * Pre-exec verdicts memoized per simulation: a verdict depends only on the module version (manifest
 * and report), the recorded signature result, the re-weighted threat score and the facts tried, and
 * thousands of runs share those. The key holds every one of them, so a hit is the same evaluation.
 */
type PreMemo = Map<ModuleFacts, Map<string, Verdict>>;

function judge(run: RecordedRun, mod: ModuleFacts, candidate: TPolicy, missing: Set<string>, memo: PreMemo): Judged {
  const f = run.facts;
  const grant = effectiveGrant(candidate, mod.manifest);
  const threat = rescore(f, candidate, missing);
  const base = {
    manifest: mod.manifest,
    limits: grant.limits,
    report: mod.report,
    signature: { verified: f.verification.ok, code: f.verification.code ?? undefined, signers: signersWithRoles(f.signerRoles) },
    deniedImports: checkImports(mod.report.imports).denied,
    threat,
  };
  const variants = preVariants(f, missing);
  const byFacts = memo.get(mod) ?? new Map<string, Verdict>();
  memo.set(mod, byFacts);
  const signed = `${f.verification.ok}|${f.verification.code ?? ''}|${f.signerRoles.join(',')}|${threat.score}|${threat.band}`;
  const verdicts = variants.map((v) => {
    const key = `${signed}|${v.quarantined}|${v.approved}|${v.backend}|${v.legacy !== null}`;
    let verdict = byFacts.get(key);
    if (!verdict) byFacts.set(key, (verdict = evaluatePre(candidate, { ...base, ...v })));
    return verdict;
  });
  const pre = verdicts[0]!;
  if (verdicts.some((v) => v.decision !== pre.decision)) {
    return { to: 'unknown', band: threat.band, pre, post: null, timeout: false, unknownBecause: 'the decision depends on a fact that was not recorded' };
  }
  if (pre.decision === 'deny') return { to: 'deny', band: threat.band, pre, post: null, timeout: false };
  const under = resultUnder(run, grant.limits);
  if (!under) return { to: 'unknown', band: threat.band, pre, post: null, timeout: false, unknownBecause: 'it never ran, so there are no post-exec facts' };
  const outputLoaded = run.stdout !== undefined && run.stderr !== undefined;
  const outputBytes = f.execution!.outputBytes;
  if (!outputLoaded && outputBytes === null && candidate.post.max_output_bytes) {
    missing.add('how many bytes of output the run wrote (not in older records)');
    return { to: 'unknown', band: threat.band, pre, post: null, timeout: under.timeout, unknownBecause: 'max_output_bytes needs the output size, which was not recorded' };
  }
  // Without the output at hand, max_output_bytes judges the size recorded.
  const post = evaluatePost(candidate, { result: under.result, ...(outputLoaded || outputBytes === null ? {} : { outputBytes }) });
  if (post.decision === 'allow' && candidate.post.output_patterns && !outputLoaded) {
    missing.add('the output (output_patterns needs it; not loaded)');
    return { to: 'unknown', band: threat.band, pre, post, timeout: under.timeout, unknownBecause: 'output_patterns needs the output, which was not loaded' };
  }
  return { to: post.decision, band: threat.band, pre, post, timeout: under.timeout };
}

/** Rules whose failing state differs between the recorded and the simulated verdicts. */
function changedRules(run: RecordedRun, j: Judged): { newly: string[]; noLonger: string[] } {
  const before = new Set(run.facts.failing);
  const after = new Set([...failing(j.pre), ...failing(j.post)]);
  return { newly: [...after].filter((id) => !before.has(id)), noLonger: [...before].filter((id) => !after.has(id)) };
}

export function simulatePolicy<R extends RecordedRun>(
  candidate: TPolicy,
  runs: Iterable<R>,
  factsOf: (run: R) => ModuleFacts | undefined,
  options: { readonly sampleLimit?: number } = {},
): SimulationReport {
  const limit = options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT;
  const counts = { allowToDeny: 0, denyToAllow: 0, unchanged: 0, unknown: 0, bandChanges: 0, approximateTimeouts: 0 };
  const newlyFailing: Tally = new Map();
  const noLongerFailing: Tally = new Map();
  const modules = new Map<string, { name: string; runs: number; allowToDeny: number; denyToAllow: number; unknown: number; bandChanges: number }>();
  const notRecorded: Tally = new Map();
  const changes: RunChange[] = [];
  const memo: PreMemo = new Map();
  let total = 0;
  let from: string | undefined;
  let to: string | undefined;

  for (const run of runs) {
    total++;
    const f = run.facts;
    if (from === undefined || run.startedAt < from) from = run.startedAt;
    if (to === undefined || run.startedAt > to) to = run.startedAt;
    const name = run.module.name;
    const m = modules.get(name) ?? { name, runs: 0, allowToDeny: 0, denyToAllow: 0, unknown: 0, bandChanges: 0 };
    modules.set(name, m);
    m.runs++;
    const missing = new Set<string>();
    const mod = factsOf(run);
    const j: Judged = mod
      ? judge(run, mod, candidate, missing, memo)
      : { to: 'unknown', band: f.band, pre: null, post: null, timeout: false, unknownBecause: 'its module version is no longer stored' };
    if (!mod) missing.add('the module version (no longer stored)');
    for (const fact of missing) bump(notRecorded, fact);
    const bandChanged = j.band !== f.band;
    if (bandChanged) {
      counts.bandChanges++;
      m.bandChanges++;
    }
    if (j.timeout && j.to !== run.decision) counts.approximateTimeouts++;
    const { newly, noLonger } = mod ? changedRules(run, j) : { newly: [], noLonger: [] };
    let changed = bandChanged;
    if (j.to === 'unknown') {
      counts.unknown++;
      m.unknown++;
      changed = true;
    } else if (j.to === run.decision) {
      counts.unchanged++;
    } else {
      changed = true;
      if (j.to === 'deny') {
        counts.allowToDeny++;
        m.allowToDeny++;
      } else {
        counts.denyToAllow++;
        m.denyToAllow++;
      }
    }
    if (j.to !== run.decision) {
      for (const id of newly) bump(newlyFailing, id);
      for (const id of noLonger) bump(noLongerFailing, id);
    }
    if (changed && changes.length < limit) {
      changes.push({
        runId: run.id,
        module: `${name}@${run.module.version}`,
        startedAt: run.startedAt,
        from: run.decision,
        to: j.to,
        bandFrom: f.band,
        bandTo: j.band,
        rules: [...newly, ...noLonger],
        ...(j.unknownBecause ? { unknownBecause: j.unknownBecause } : {}),
      });
    }
  }

  const ruleIds = new Set([...newlyFailing.keys(), ...noLongerFailing.keys()]);
  return {
    policy: { name: candidate.name, revision: candidate.revision },
    runs: total,
    range: from !== undefined && to !== undefined ? { from, to } : null,
    counts,
    rules: [...ruleIds]
      .map((id) => ({ id, newlyFailing: newlyFailing.get(id) ?? 0, noLongerFailing: noLongerFailing.get(id) ?? 0 }))
      .sort((a, b) => b.newlyFailing + b.noLongerFailing - (a.newlyFailing + a.noLongerFailing) || a.id.localeCompare(b.id)),
    modules: [...modules.values()]
      .filter((m) => m.allowToDeny + m.denyToAllow + m.unknown + m.bandChanges > 0)
      .sort((a, b) => b.allowToDeny + b.denyToAllow + b.unknown - (a.allowToDeny + a.denyToAllow + a.unknown) || a.name.localeCompare(b.name)),
    notRecorded: [...notRecorded.entries()].map(([fact, n]) => ({ fact, runs: n })).sort((a, b) => b.runs - a.runs),
    changes,
  };
}
