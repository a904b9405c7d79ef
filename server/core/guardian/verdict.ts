import type { PostRuleId, PreRuleId, Severity, TPolicy } from './schema';

/**
 * `would_fail`: a rule in dry-run that would have denied. It is recorded, but it never blocks,
 * never quarantines and never counts as a denying rule (those all look for `fail`).
 */
export type RuleOutcome = 'pass' | 'fail' | 'skip' | 'would_fail';

/**
 * Not a policy rule: the sandbox itself refused the module (it cannot be metered). Listed as a
 * failed rule so a deny always names what denied it.
 */
export const SANDBOX_RULE_ID = 'sandbox_accepts';

export interface RuleResult {
  readonly id: PreRuleId | PostRuleId | typeof SANDBOX_RULE_ID;
  readonly outcome: RuleOutcome;
  readonly severity: Severity;
  /** One plain sentence a manager can read. */
  readonly explanation: string;
  /** Present (true) when the rule ran in dry-run: its verdict was recorded, not enforced. */
  readonly dryRun?: true;
}

/** Which rules ran in dry-run, and what the verdict would have been had they been enforced. */
export interface DryRunSummary {
  /** The whole policy is in dry-run (`dry_run: true` at the top). */
  readonly policy: boolean;
  readonly rules: readonly string[];
  /** Dry-run rules whose check failed. */
  readonly wouldFail: readonly string[];
  readonly wouldDecision: 'allow' | 'deny';
}

export interface Verdict {
  readonly phase: 'pre' | 'post';
  readonly decision: 'allow' | 'deny';
  /** Stored in the decision record so the verdict can be traced to the exact policy text. */
  readonly policy: { readonly name: string; readonly revision: number };
  /** One sentence: why the decision came out this way. */
  readonly summary: string;
  readonly rules: readonly RuleResult[];
  /** Absent when no rule ran in dry-run (and in records written before dry-run existed). */
  readonly dryRun?: DryRunSummary;
}

/** What a single rule check returns before the evaluator attaches id and severity. */
export type Check = { readonly outcome: RuleOutcome; readonly explanation: string };
export const pass = (explanation: string): Check => ({ outcome: 'pass', explanation });
export const fail = (explanation: string): Check => ({ outcome: 'fail', explanation });
export const skip = (explanation: string): Check => ({ outcome: 'skip', explanation });

export const NOT_ENABLED = 'This policy does not turn this check on.';

/** Joins a list for a sentence, naming at most `max` items so explanations stay readable. */
export function listForSentence(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** "1 check", "3 checks": people read these summaries, so the plural is exact. */
const checks = (n: number): string => `${n} ${n === 1 ? 'check' : 'checks'}`;

/**
 * Runs every known rule in a fixed order. Unconfigured rules are listed as skipped so the record
 * shows what was NOT checked. A check that throws fails closed. Default deny: the run is allowed
 * only if at least one rule passed and none failed.
 */
export function decide<Id extends PreRuleId | PostRuleId>(
  phase: 'pre' | 'post',
  policy: TPolicy,
  ids: readonly Id[],
  configured: (id: Id) => { severity: Severity; dry_run?: boolean } | undefined,
  check: (id: Id) => Check,
): Verdict {
  const policyDryRun = policy.dry_run === true;
  const rules = ids.map((id): RuleResult => {
    const cfg = configured(id);
    if (cfg === undefined) return { id, outcome: 'skip', severity: 'low', explanation: NOT_ENABLED };
    let result: Check;
    try {
      result = check(id);
    } catch (e) {
      result = fail(`The check could not be completed, so it counts as failed (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (!policyDryRun && cfg.dry_run !== true) return { id, outcome: result.outcome, severity: cfg.severity, explanation: result.explanation };
    // Dry-run: evaluated exactly as enforced, recorded, but a failure cannot deny.
    const outcome = result.outcome === 'fail' ? 'would_fail' : result.outcome;
    const explanation = result.outcome === 'fail' ? `Dry-run, not enforced: ${result.explanation}` : result.explanation;
    return { id, outcome, severity: cfg.severity, explanation, dryRun: true };
  });
  const dry = rules.filter((r) => r.dryRun === true);
  const wouldFail = dry.filter((r) => r.outcome === 'would_fail');
  const failed = rules.filter((r) => r.outcome === 'fail');
  const passed = rules.filter((r) => r.outcome === 'pass');
  // A dry-run failure answered too: counting it keeps default deny from blocking in its place.
  const answered = passed.length + wouldFail.length;
  const phaseName = phase === 'pre' ? 'before running' : 'after running';
  let summary: string;
  if (failed.length > 0) {
    summary = `Denied ${phaseName}: ${checks(failed.length)} failed (${listForSentence(failed.map((r) => r.id))}).`;
  } else if (answered === 0) {
    summary = `Denied ${phaseName}: no rule allowed this run (default deny).`;
  } else if (passed.length === 0) {
    summary = `Allowed ${phaseName}: no enforced check failed.`;
  } else {
    summary =
      passed.length === 1 ? `Allowed ${phaseName}: the 1 applicable check passed.` : `Allowed ${phaseName}: all ${passed.length} applicable checks passed.`;
  }
  const decision = failed.length === 0 && answered > 0 ? 'allow' : 'deny';
  if (dry.length === 0) return { phase, decision, policy: { name: policy.name, revision: policy.revision }, summary, rules };
  const wouldDecision = decision === 'allow' && wouldFail.length > 0 ? 'deny' : decision;
  if (wouldFail.length > 0) {
    summary += ` Dry-run: ${listForSentence(wouldFail.map((r) => r.id))} would have denied (not enforced).`;
  } else {
    summary += ` ${dry.length === 1 ? '1 rule' : `${dry.length} rules`} in dry-run passed.`;
  }
  return {
    phase,
    decision,
    policy: { name: policy.name, revision: policy.revision },
    summary,
    rules,
    dryRun: { policy: policyDryRun, rules: dry.map((r) => r.id), wouldFail: wouldFail.map((r) => r.id), wouldDecision },
  };
}
