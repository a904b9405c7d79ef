/** whyDenied / deniedBecause: the one sentence at the top of a denied run, and the quarantine cause. */
import { describe, it, expect } from 'vitest';
import type { DecisionRecord } from '../../core/guardian/decision-record';
import type { Verdict } from '../../core/guardian/verdict';
import { deniedBecause, outcomeText, whyDenied } from './run-why';

const policy = { name: 'default', revision: 1 };
const verdict = (phase: 'pre' | 'post', rules: Verdict['rules'], summary = 'summary'): Verdict => ({
  phase,
  decision: rules.some((r) => r.outcome === 'fail') || !rules.some((r) => r.outcome === 'pass') ? 'deny' : 'allow',
  policy,
  summary,
  rules,
});
const PASS = { id: 'signature_trusted', outcome: 'pass', severity: 'high', explanation: 'Signed by a trusted key.' } as const;
type Rec = Pick<DecisionRecord, 'decision' | 'pre' | 'post' | 'execution'>;
const execution = (outcome: NonNullable<DecisionRecord['execution']>['outcome']) =>
  ({ outcome, used: { fuel: 1, peakMemoryPages: 1, wallMs: 1, outputBytes: 0 }, outputTruncated: false, stdoutSha256: '', stderrSha256: '', outputSha256: '' }) as DecisionRecord['execution'];

describe('whyDenied', () => {
  it('is null for an allowed run', () => {
    const rec: Rec = { decision: 'allow', pre: verdict('pre', [PASS]), post: verdict('post', [PASS]), execution: execution({ kind: 'ok', exitCode: 0 }) };
    expect(whyDenied(rec)).toBeNull();
  });

  it('names the post-exec rule and the trap, not just "trapped"', () => {
    const rec: Rec = {
      decision: 'deny',
      pre: verdict('pre', [PASS]),
      post: verdict('post', [{ id: 'outcome_allowed', outcome: 'fail', severity: 'high', explanation: 'The run trapped (unreachable), which this policy does not allow' }]),
      execution: execution({ kind: 'trap', trap: 'unreachable' }),
    };
    const why = whyDenied(rec)!;
    expect(why).toMatchObject({ rule: 'outcome_allowed', phase: 'post', outcome: 'trap', outcomeText: 'trapped (unreachable)', failedRules: 1 });
    expect(deniedBecause(why)).toBe(
      'Denied because outcome_allowed failed after running: The run trapped (unreachable), which this policy does not allow. The module trapped (unreachable).',
    );
  });

  it('names a pre-exec rule, says nothing ran, and counts the other failures with a correct plural', () => {
    const fail = (id: string) => ({ id, outcome: 'fail', severity: 'high', explanation: `${id} failed.` }) as const;
    const rec = (n: number): Rec => ({
      decision: 'deny',
      pre: verdict('pre', [fail('quarantined'), fail('threat_score'), fail('signature_trusted')].slice(0, n) as never),
      post: null,
      execution: null,
    });
    expect(deniedBecause(whyDenied(rec(1))!)).toBe('Denied because quarantined failed before running: quarantined failed. Nothing ran.');
    expect(deniedBecause(whyDenied(rec(2))!)).toMatch(/Nothing ran\. 1 more rule failed too\.$/);
    expect(deniedBecause(whyDenied(rec(3))!)).toMatch(/Nothing ran\. 2 more rules failed too\.$/);
  });

  it('falls back to the verdict summary when no rule failed (default deny)', () => {
    const rec: Rec = { decision: 'deny', pre: verdict('pre', [], 'Denied before running: no rule allowed this run (default deny).'), post: null, execution: null };
    const why = whyDenied(rec)!;
    expect(why.rule).toBeNull();
    expect(deniedBecause(why)).toBe('Denied because no rule allowed it (default deny): Denied before running: no rule allowed this run (default deny). Nothing ran.');
  });

  it('describes every outcome kind in words', () => {
    expect(outcomeText(undefined)).toBe('did not run');
    expect(outcomeText({ kind: 'ok', exitCode: 3 })).toBe('exited with code 3');
    expect(outcomeText({ kind: 'trap', trap: 'unreachable', message: 'abort: bad index' })).toBe('trapped (unreachable: abort: bad index)');
    expect(outcomeText({ kind: 'out_of_fuel' })).toBe('ran out of fuel');
    expect(outcomeText({ kind: 'timeout' })).toBe('hit the wall-clock limit');
    expect(outcomeText({ kind: 'memory_limit' })).toBe('hit the memory limit');
    expect(outcomeText({ kind: 'crashed', message: 'worker exited' })).toBe('crashed (worker exited)');
    expect(outcomeText({ kind: 'denied', reason: 'no metering' })).toBe('was refused by the sandbox (no metering)');
  });
});
