/** classifyChange: one test per kind of field, both directions, and the conservative default. */
import { describe, expect, it } from 'vitest';
import { classifyChange } from './classify';
import { parsePolicy, type TPolicy } from './schema';
import { policyJson } from './test-fixtures';

/** A policy anchored in both phases (quarantined and outcome_allowed always answer). */
const BASE = policyJson({
  pre: { quarantined: {}, max_module_size: { max_bytes: 1000 }, tenant_allowed: { tenants: ['a', 'b'] }, start_section: { mode: 'allow' }, signature_trusted: { required_roles: ['publisher'] }, imports_allowed: { deny_functions: ['sock_*'] }, backend_allowed: { tenants: { a: ['process'] } } },
  post: { outcome_allowed: { kinds: ['ok', 'trap'] }, output_patterns: { deny: ['secret'] }, max_fuel_used: {}, exit_code: {} },
  threat: { quarantine_after_post_failures: 5 },
  approval: { groups: { managers: ['carol', 'dave'] }, quorum: [{ role: 'approver', count: 1 }], reason_required: false },
});

function parse(v: unknown): TPolicy {
  const r = parsePolicy(v);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}
function classify(edit: (p: Record<string, any>) => void, base: Record<string, unknown> = BASE) {
  const candidate = structuredClone(base) as Record<string, any>;
  edit(candidate);
  return classifyChange(parse(base), parse(candidate));
}
const kind = (edit: (p: Record<string, any>) => void) => classify(edit).kind;

describe('classifyChange', () => {
  it('no change, and a new revision number alone, are unchanged; a description is neutral', () => {
    expect(kind(() => {})).toBe('unchanged');
    expect(kind((p) => (p.revision = 99))).toBe('unchanged');
    expect(kind((p) => (p.description = 'now documented'))).toBe('neutral');
  });

  it('a limit (cap): lower is tightening, higher is weakening; an absent table cap is the default', () => {
    expect(kind((p) => (p.limits.fuel = 1))).toBe('tightening');
    expect(kind((p) => (p.limits.memoryPages = 17))).toBe('weakening');
    expect(kind((p) => (p.limits.tableElements = 1000))).toBe('tightening');
    expect(kind((p) => (p.limits.tableElements = 65536))).toBe('unchanged');
    expect(kind((p) => (p.limits.tableElements = 70000))).toBe('weakening');
  });

  it('an allow-list (capabilities, env, tenants, outcome kinds): granting is weakening, revoking tightening, reordering no change', () => {
    expect(kind((p) => p.capabilities.push('clock'))).toBe('weakening');
    expect(kind((p) => (p.capabilities = ['stdout']))).toBe('tightening');
    expect(kind((p) => (p.capabilities = [...p.capabilities].reverse()))).toBe('unchanged');
    expect(kind((p) => (p.env = ['HOME']))).toBe('weakening');
    expect(kind((p) => (p.pre.tenant_allowed.tenants = ['a']))).toBe('tightening');
    expect(kind((p) => (p.pre.tenant_allowed.tenants = '*'))).toBe('weakening');
    expect(kind((p) => (p.post.outcome_allowed.kinds = ['ok', 'trap', 'timeout']))).toBe('weakening');
    expect(kind((p) => (p.post.exit_code.allowed = [0, 1]))).toBe('weakening');
  });

  it('a deny-list (deny_functions, output patterns, isolate bands, quarantine rules): adding is tightening, removing weakening', () => {
    expect(kind((p) => p.pre.imports_allowed.deny_functions.push('proc_raise'))).toBe('tightening');
    expect(kind((p) => (p.pre.imports_allowed.deny_functions = []))).toBe('weakening');
    expect(kind((p) => (p.post.output_patterns.deny = ['secret', 'AKIA']))).toBe('tightening');
    expect(kind((p) => (p.post.output_patterns.deny = ['secre']))).toBe('weakening');
    expect(kind((p) => (p.post.output_patterns.ignore_case = true))).toBe('tightening');
    expect(kind((p) => (p.threat.quarantine_on_rules = ['output_patterns']))).toBe('tightening');
  });

  it('a rule: turning it on is tightening, off weakening; dry-run on is weakening, off tightening', () => {
    const on = classify((p) => (p.pre.entry_exported = {}));
    expect(on.kind).toBe('tightening');
    expect(on.changes).toEqual([expect.objectContaining({ path: 'pre.entry_exported', from: 'off', to: 'on', effect: 'tighter' })]);
    expect(kind((p) => delete p.post.output_patterns)).toBe('weakening');
    const dry = classify((p) => (p.pre.quarantined.dry_run = true));
    expect(dry.kind).toBe('weakening');
    expect(dry.changes[0]).toMatchObject({ path: 'pre.quarantined.dry_run', effect: 'weaker', why: expect.stringContaining('dry-run') });
    expect(kind((p) => (p.dry_run = true))).toBe('weakening');
    const back = structuredClone(BASE) as Record<string, any>;
    back.pre.quarantined.dry_run = true;
    expect(classify((p) => (p.pre.quarantined.dry_run = false), back).kind).toBe('tightening');
    expect(kind((p) => (p.pre.quarantined.dry_run = false))).toBe('unchanged');
  });

  it('severity is neutral: it never changes a decision', () => {
    expect(kind((p) => (p.pre.quarantined.severity = 'low'))).toBe('neutral');
  });

  it('a mode (allow/deny) and a switch (true is stricter)', () => {
    expect(kind((p) => (p.pre.start_section.mode = 'deny'))).toBe('tightening');
    const denied = structuredClone(BASE) as Record<string, any>;
    denied.pre.start_section.mode = 'deny';
    expect(classify((p) => (p.pre.start_section.mode = 'allow'), denied).kind).toBe('weakening');
    expect(kind((p) => (p.threat.quarantine_on_post_failure = false))).toBe('weakening');
    expect(kind((p) => (p.approval.reason_required = true))).toBe('tightening');
  });

  it('required signer roles: [] means any role', () => {
    expect(kind((p) => (p.pre.signature_trusted.required_roles = []))).toBe('weakening');
    expect(kind((p) => (p.pre.signature_trusted.required_roles = ['publisher', 'ops']))).toBe('weakening');
  });

  it('post max_* compares the effective cap (max, else the policy limit)', () => {
    expect(kind((p) => (p.post.max_fuel_used.max = 10))).toBe('tightening');
    expect(kind((p) => (p.post.max_fuel_used.max = 20_000_000))).toBe('weakening');
    expect(kind((p) => (p.post.max_fuel_used.max = 10_000_000))).toBe('unchanged');
  });

  it('threat: weights up and history counts up are tightening; any band move is weakening (not provably tighter)', () => {
    expect(kind((p) => (p.threat.weights = { unknown_signer: 60 }))).toBe('tightening');
    expect(kind((p) => (p.threat.weights = { unknown_signer: 40 }))).toBe('weakening');
    expect(kind((p) => (p.threat.settings = { near_cap_percent: 80 }))).toBe('tightening');
    expect(kind((p) => (p.threat.bands = { low: 0, medium: 20, high: 60, quarantine: 85 }))).toBe('weakening');
    expect(kind((p) => (p.threat.quarantine_after_post_failures = null))).toBe('weakening');
    expect(kind((p) => (p.threat.quarantine_after_post_failures = 3))).toBe('tightening');
  });

  it('approval: a bigger quorum and fewer group members are tightening; anything looser is weakening', () => {
    expect(kind((p) => (p.approval.quorum = [{ role: 'approver', count: 2 }]))).toBe('tightening');
    expect(kind((p) => (p.approval.quorum = [{ role: 'approver', count: 1 }, { group: 'managers', count: 1 }]))).toBe('tightening');
    expect(kind((p) => (p.approval.quorum = [{ role: 'admin', count: 1 }]))).toBe('weakening');
    expect(kind((p) => (p.approval.groups = { managers: ['carol'] }))).toBe('tightening');
    expect(kind((p) => (p.approval.groups = { managers: ['carol', 'dave', 'mallory'] }))).toBe('weakening');
    expect(kind((p) => (p.approval.approval_ttl_hours = 1))).toBe('tightening');
    expect(kind((p) => (p.approval.submission_ttl_hours = 1000))).toBe('weakening');
  });

  it('backend pins: a new pin is tightening, unpinning or adding a backend weakening', () => {
    expect(kind((p) => (p.pre.backend_allowed.tenants = { a: ['process'], b: ['remote'] }))).toBe('tightening');
    expect(kind((p) => (p.pre.backend_allowed.tenants = {}))).toBe('weakening');
    expect(kind((p) => (p.pre.backend_allowed.tenants = { a: ['process', 'worker-threads'] }))).toBe('weakening');
  });

  it('conservative: a renamed policy is weakening (no comparator proves it tighter)', () => {
    const r = classify((p) => (p.name = 'other'));
    expect(r.kind).toBe('weakening');
    expect(r.changes[0]!.why).toContain('not provably tighter');
  });

  it('one weaker change among tighter ones makes the whole change a weakening', () => {
    const r = classify((p) => {
      p.limits.fuel = 1;
      p.capabilities.push('random');
    });
    expect(r.kind).toBe('weakening');
    expect(r.changes.map((c) => c.effect).sort()).toEqual(['tighter', 'weaker']);
  });

  it('in a phase with no enforced always-answering rule, turning a rule on is weakening (it can end a default deny)', () => {
    const bare = policyJson({ post: { exit_code: {} } });
    expect(classify((p) => (p.post.max_fuel_used = {}), bare).kind).toBe('weakening');
    expect(classify((p) => (p.pre = { quarantined: {} }), bare).kind).toBe('weakening');
  });
});
