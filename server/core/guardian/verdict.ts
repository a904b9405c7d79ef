import type { PostRuleId, PreRuleId, Severity, TPolicy } from './schema';

export type RuleOutcome = 'pass' | 'fail' | 'skip';

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
}

export interface Verdict {
  readonly phase: 'pre' | 'post';
  readonly decision: 'allow' | 'deny';
  /** Stored in the decision record so the verdict can be traced to the exact policy text. */
  readonly policy: { readonly name: string; readonly revision: number };
  /** One sentence: why the decision came out this way. */
  readonly summary: string;
  readonly rules: readonly RuleResult[];
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
  configured: (id: Id) => { severity: Severity } | undefined,
  check: (id: Id) => Check,
): Verdict {
  const rules = ids.map((id): RuleResult => {
    const cfg = configured(id);
    if (cfg === undefined) return { id, outcome: 'skip', severity: 'low', explanation: NOT_ENABLED };
    let result: Check;
    try {
      result = check(id);
    } catch (e) {
      result = fail(`The check could not be completed, so it counts as failed (${e instanceof Error ? e.message : String(e)}).`);
    }
    return { id, outcome: result.outcome, severity: cfg.severity, explanation: result.explanation };
  });
  const failed = rules.filter((r) => r.outcome === 'fail');
  const passed = rules.filter((r) => r.outcome === 'pass');
  const phaseName = phase === 'pre' ? 'before running' : 'after running';
  let summary: string;
  if (failed.length > 0) {
    summary = `Denied ${phaseName}: ${checks(failed.length)} failed (${listForSentence(failed.map((r) => r.id))}).`;
  } else if (passed.length === 0) {
    summary = `Denied ${phaseName}: no rule allowed this run (default deny).`;
  } else {
    summary =
      passed.length === 1 ? `Allowed ${phaseName}: the 1 applicable check passed.` : `Allowed ${phaseName}: all ${passed.length} applicable checks passed.`;
  }
  return {
    phase,
    decision: failed.length === 0 && passed.length > 0 ? 'allow' : 'deny',
    policy: { name: policy.name, revision: policy.revision },
    summary,
    rules,
  };
}
