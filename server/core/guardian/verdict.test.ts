/** decide(): the summary sentence people read, with exact plurals (no "check(s)"). */
import { describe, it, expect } from 'vitest';
import type { TPolicy } from './schema';
import { decide, fail, pass, type Check } from './verdict';

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
