import { describe, it, expect } from 'vitest';
import { ZThreatConfigSchema } from './config';
import { shouldQuarantine, type PostOutcome } from './quarantine';

const on = ZThreatConfigSchema.parse({});
const off = ZThreatConfigSchema.parse({ quarantine_on_post_failure: false });
/** The shipped default's shape: quarantine on danger, not on an ordinary failure. */
const dangerOnly = ZThreatConfigSchema.parse({
  quarantine_on_post_failure: false,
  quarantine_on_rules: ['output_patterns', 'denied_calls'],
  quarantine_after_post_failures: 3,
});

const denied = (...failed: string[]): PostOutcome => ({
  decision: 'deny',
  rules: [{ id: 'max_wall_ms', outcome: 'pass' }, ...failed.map((id) => ({ id, outcome: 'fail' as const }))],
});
const allowed: PostOutcome = { decision: 'allow', rules: [{ id: 'outcome_allowed', outcome: 'pass' }] };

describe('shouldQuarantine', () => {
  it('quarantines on any denied post-exec verdict when quarantine_on_post_failure is true', () => {
    expect(shouldQuarantine(on, { post: denied('exit_code'), band: 'low' })).toEqual({
      quarantine: true,
      source: 'post_exec',
      reason: 'The run failed a post-exec check, and this policy quarantines on any post-exec failure.',
    });
  });

  it('does not quarantine on post failure when every post trigger is off', () => {
    expect(shouldQuarantine(off, { post: denied('output_patterns'), band: 'high', priorPostFailures: 50 })).toEqual({ quarantine: false });
  });

  it('quarantines on the quarantine band regardless of the post settings', () => {
    for (const config of [on, off, dangerOnly]) {
      const d = shouldQuarantine(config, { band: 'quarantine' });
      expect(d.quarantine && d.source).toBe('threat');
    }
  });

  it('leaves an allowed run in a lower band alone', () => {
    for (const band of ['low', 'medium', 'high'] as const) {
      expect(shouldQuarantine(on, { band, post: allowed })).toEqual({ quarantine: false });
    }
  });

  it('a trap or an exit code alone does not quarantine under the danger-only triggers', () => {
    expect(shouldQuarantine(dangerOnly, { band: 'low', post: denied('outcome_allowed'), priorPostFailures: 0 })).toEqual({ quarantine: false });
    expect(shouldQuarantine(dangerOnly, { band: 'low', post: denied('exit_code'), priorPostFailures: 1 })).toEqual({ quarantine: false });
  });

  it('a listed rule failing quarantines and is named', () => {
    const d = shouldQuarantine(dangerOnly, { band: 'low', post: denied('exit_code', 'output_patterns'), priorPostFailures: 0 });
    expect(d).toEqual({ quarantine: true, source: 'post_exec', reason: 'The run failed output_patterns, which this policy treats as a sign of danger.' });
    expect(shouldQuarantine(dangerOnly, { post: denied('denied_calls') }).quarantine).toBe(true);
  });

  it('a listed rule that passed or skipped does not count', () => {
    const post: PostOutcome = { decision: 'deny', rules: [{ id: 'output_patterns', outcome: 'pass' }, { id: 'denied_calls', outcome: 'skip' }, { id: 'exit_code', outcome: 'fail' }] };
    expect(shouldQuarantine(dangerOnly, { post, priorPostFailures: 0 })).toEqual({ quarantine: false });
  });

  it('repeated failures quarantine at the threshold, counting this run', () => {
    expect(shouldQuarantine(dangerOnly, { post: denied('exit_code'), priorPostFailures: 1 }).quarantine).toBe(false);
    expect(shouldQuarantine(dangerOnly, { post: denied('exit_code'), priorPostFailures: 2 })).toEqual({
      quarantine: true,
      source: 'post_exec',
      reason: 'This module has now failed post-exec checks 3 times; this policy quarantines at 3.',
    });
    // An allowed run never counts toward the threshold, whatever the history.
    expect(shouldQuarantine(dangerOnly, { post: allowed, priorPostFailures: 99 })).toEqual({ quarantine: false });
  });

  it('a malformed failure count is treated as none, not as a reason to skip the rule checks', () => {
    expect(shouldQuarantine(dangerOnly, { post: denied('exit_code'), priorPostFailures: Number.NaN }).quarantine).toBe(false);
    expect(shouldQuarantine(dangerOnly, { post: denied('denied_calls'), priorPostFailures: -4 }).quarantine).toBe(true);
  });
});
