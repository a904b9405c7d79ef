/** Assembling the decision record (format nightcore.decision/v1, docs/decision-record.md). */
import { sha256Hex } from '../crypto/digest';
import { DECISION_FORMAT, type DecisionRecord } from '../guardian/decision-record';
import { SANDBOX_RULE_ID, type Verdict } from '../guardian/verdict';
import type { Assessment } from './assess';
import type { StoredModule } from './ports';
import type { RunInput } from './input-limits';
import { recordValue } from '../sandbox/call-args';
import { describeDirs } from './input-tree';
import { tableElementsOf, type TEffectiveLimits, type TLimits } from '../module/manifest';
import type { Preopen } from '../sandbox/types';

/** Everything known before execution: the part of the record shared by every ending. */
export type RecordBase = Omit<DecisionRecord, 'backend' | 'execution' | 'post' | 'decision' | 'quarantine'>;

export interface Given {
  readonly runId: string;
  readonly actor: string;
  readonly startedAt: Date;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  readonly seed: bigint;
  readonly call?: RunInput['call'];
  readonly dirs?: readonly Preopen[];
  /** Names the caller gave that the policy did not allow (their values are never recorded). */
  readonly envWithheld?: readonly string[];
}

/** A manifest's or policy's limits with the defaults filled in, as the grant compares them. */
const effectiveLimitsOf = (l: TLimits): TEffectiveLimits => ({
  fuel: l.fuel,
  memoryPages: l.memoryPages,
  wallMs: l.wallMs,
  outputBytes: l.outputBytes,
  tableElements: tableElementsOf(l),
});

export function recordBase(module: StoredModule, a: Assessment, given: Given): RecordBase {
  return {
    format: DECISION_FORMAT,
    runId: given.runId,
    actor: given.actor,
    startedAt: given.startedAt.toISOString(),
    module: {
      id: module.id,
      name: module.name,
      version: module.version,
      tenant: module.tenant,
      wasmSha256: module.wasmSha256,
      manifestSha256: module.manifestSha256,
      signers: a.verified.signers,
      legacy: a.verified.legacy,
    },
    policy: { name: a.policy.name, revision: a.policy.revision, sha256: a.policySha256 },
    verification: { ok: a.verified.ok, code: a.verified.code, message: a.verified.message },
    threat: a.threat,
    granted: {
      capabilities: a.grant.capabilities,
      limits: a.grant.limits,
      env: a.grant.env,
      limitSources: { requested: effectiveLimitsOf(a.manifest.limits), policy: effectiveLimitsOf(a.policy.limits) },
    },
    input: {
      entry: given.call?.export ?? a.manifest.entry,
      ...(given.call ? { invocation: { args: given.call.args.map(recordValue), results: [...given.call.results] } } : {}),
      args: [...given.args],
      env: given.env,
      stdinSha256: sha256Hex(given.stdin),
      stdinBytes: given.stdin.length,
      seed: given.seed.toString(),
      ...(given.dirs && given.dirs.length > 0 ? { dirs: describeDirs(given.dirs) } : {}),
      ...(given.envWithheld && given.envWithheld.length > 0 ? { envWithheld: [...given.envWithheld].sort() } : {}),
    },
    approval: a.approval,
    pre: a.pre,
  };
}

/** Denied before execution: nothing ran, so there is no backend, execution or post verdict. */
export function deniedBeforeRunning(base: RecordBase, pre: Verdict = base.pre): DecisionRecord {
  return { ...base, pre, backend: null, execution: null, post: null, decision: 'deny', quarantine: null };
}

/**
 * The sandbox could not meter the module (e.g. shared memory, or bytes that do not parse): a
 * pre-exec denial, recorded, that names the cause in the verdict's summary and as a failed rule.
 */
export function sandboxRefused(base: RecordBase, message: string): DecisionRecord {
  const explanation = `The sandbox cannot meter this module: ${message}`;
  const pre: Verdict = {
    ...base.pre,
    decision: 'deny',
    summary: explanation,
    rules: [...base.pre.rules, { id: SANDBOX_RULE_ID, severity: 'critical', outcome: 'fail', explanation }],
  };
  return deniedBeforeRunning(base, pre);
}
