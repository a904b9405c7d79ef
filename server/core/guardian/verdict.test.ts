/** decide(): the summary sentence people read, with exact plurals (no "check(s)"). */
import { describe, it, expect } from 'vitest';
import type { TPolicy } from './schema';
import { decide, fail, pass, type Check } from './verdict';
import { evaluatePre } from './pre';
import { evaluatePost } from './post';
import { shouldQuarantine } from '../threat/quarantine';
import { benignPre, makeRun, policy as makePolicy } from './test-fixtures';

const policy = { name: 'p', revision: 1 } as TPolicy;
type Id = 'tenant_allowed' | 'quarantined' | 'threat_threshold';
const IDS: readonly Id[] = ['tenant_allowed', 'quarantined', 'threat_threshold'];
const run = (checks: Partial<Record<Id, Check>>) =>
  decide<Id>('pre', policy, IDS, (id) => (checks[id] ? { severity: 'high' } : undefined), (id) => checks[id]!).summary;

describe('decide() summary', () => {
  it('one failed check is singular, several are plural', () => {
    expect(run({ quarantined: fail('q') })).toBe('Denied before running: 1 check failed (quarantined).');
    expect(run({ tenant_allowed: fail('t'), quarantined: fail('q') })).toBe('Denied before running: 2 checks failed (tenant_allowed, quarantined).');
  });
  it('one passed check is singular, several are plural', () => {
    expect(run({ quarantined: pass('ok') })).toBe('Allowed before running: the 1 applicable check passed.');
    expect(run({ quarantined: pass('ok'), threat_threshold: pass('ok') })).toBe('Allowed before running: all 2 applicable checks passed.');
  });
  it('no rule configured is a default deny', () => {
    expect(run({})).toBe('Denied before running: no rule allowed this run (default deny).');
  });
});

describe('dry-run', () => {

  it('a dry-run rule that fails never blocks, and the verdict records it and what would have happened', () => {
    const p = makePolicy({ pre: { quarantined: {}, tenant_allowed: { tenants: ['other'], dry_run: true } } });
    const v = evaluatePre(p, benignPre());
    expect(v.decision).toBe('allow');
    expect(v.rules.find((r) => r.id === 'tenant_allowed')).toMatchObject({ outcome: 'would_fail', dryRun: true, explanation: expect.stringMatching(/^Dry-run, not enforced: /) });
    expect(v.dryRun).toEqual({ policy: false, rules: ['tenant_allowed'], wouldFail: ['tenant_allowed'], wouldDecision: 'deny' });
    expect(v.summary).toContain('Dry-run: tenant_allowed would have denied');
    // Enforced, the same rule denies: dry-run changed only the enforcement.
    const enforced = makePolicy({ pre: { quarantined: {}, tenant_allowed: { tenants: ['other'] } } });
    expect(evaluatePre(enforced, benignPre()).decision).toBe('deny');
  });

  it('a dry-run rule that passes is recorded as dry-run too; an enforced failure still denies beside it', () => {
    const p = makePolicy({ pre: { quarantined: { dry_run: true }, tenant_allowed: { tenants: ['other'] } } });
    const v = evaluatePre(p, benignPre());
    expect(v.decision).toBe('deny');
    expect(v.rules.find((r) => r.id === 'quarantined')).toMatchObject({ outcome: 'pass', dryRun: true });
    expect(v.dryRun).toMatchObject({ rules: ['quarantined'], wouldFail: [], wouldDecision: 'deny' });
  });

  it('a policy in dry-run blocks on no rule; the default deny of a policy with no rule still holds', () => {
    const p = makePolicy({ dry_run: true, pre: { quarantined: {} }, post: { outcome_allowed: {}, output_patterns: { deny: ['hello'] } } });
    const pre = evaluatePre(p, benignPre({ quarantined: true }));
    expect(pre.decision).toBe('allow');
    expect(pre.dryRun).toMatchObject({ policy: true, wouldFail: ['quarantined'], wouldDecision: 'deny' });
    const post = evaluatePost(p, { result: makeRun({ outcome: { kind: 'trap', trap: 'unreachable' } }) });
    expect(post.decision).toBe('allow');
    expect([...(post.dryRun?.wouldFail ?? [])].sort()).toEqual(['outcome_allowed', 'output_patterns']);
    expect(evaluatePre(makePolicy({ dry_run: true }), benignPre()).decision).toBe('deny');
  });

  it('a dry-run failure never quarantines, even for a rule listed as dangerous', () => {
    const p = makePolicy({ post: { outcome_allowed: {}, output_patterns: { deny: ['hello'], dry_run: true } }, threat: { quarantine_on_post_failure: true, quarantine_on_rules: ['output_patterns'] } });
    const v = evaluatePost(p, { result: makeRun() });
    expect(v.decision).toBe('allow');
    expect(shouldQuarantine(p.threat, { post: v, band: 'low', priorPostFailures: 0 })).toEqual({ quarantine: false });
  });
});
