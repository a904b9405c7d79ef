import { describe, it, expect } from 'vitest';
import { parsePolicy, parsePolicyText } from './schema';
import { policyJson } from './test-fixtures';
import { MAX_PATTERN_LENGTH } from './safe-regex';

function issuesOf(value: unknown): readonly string[] {
  const r = parsePolicy(value);
  if (r.ok) throw new Error('expected the policy to be rejected');
  expect(r.code).toBe('POLICY_INVALID');
  return r.issues ?? [];
}

describe('policy schema', () => {
  it('accepts a minimal policy and fills documented defaults', () => {
    const r = parsePolicy(policyJson({ pre: { max_module_size: {} }, post: { outcome_allowed: {}, exit_code: {} } }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.env).toEqual([]);
    expect(r.value.description).toBe('');
    expect(r.value.pre.max_module_size).toEqual({ severity: 'medium', max_bytes: 16 * 1024 * 1024 });
    expect(r.value.pre.signature_trusted).toBeUndefined();
    expect(r.value.post.outcome_allowed?.kinds).toEqual(['ok']);
    expect(r.value.post.exit_code?.allowed).toEqual([0]);
    expect(r.value.threat.bands).toEqual({ low: 0, medium: 30, high: 60, quarantine: 85 });
    expect(r.value.threat.quarantine_on_post_failure).toBe(true);
  });

  it('reports several bad fields at once, each naming its path', () => {
    const issues = issuesOf(
      policyJson({
        revision: 0,
        limits: { fuel: -1, memoryPages: 16, wallMs: 2000, outputBytes: 65536 },
        capabilities: ['stdout', 'network'],
        env: ['BAD NAME'],
        pre: { max_module_size: { max_bytes: 'big' }, start_section: { mode: 'maybe' }, threat_threshold: { severity: 'urgent' } },
      }),
    );
    const paths = issues.map((i) => i.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'revision',
        'limits.fuel',
        'capabilities.1',
        'env.0',
        'pre.max_module_size.max_bytes',
        'pre.start_section.mode',
        'pre.threat_threshold.severity',
      ]),
    );
    expect(issues.length).toBeGreaterThanOrEqual(7);
  });

  it('rejects unknown rule names and unknown fields instead of ignoring a typo', () => {
    const issues = issuesOf(policyJson({ pre: { signature_trustd: {} }, post: { exit_code: { allow: [0] } } }));
    expect(issues.some((i) => i.startsWith('pre:') && i.includes('signature_trustd'))).toBe(true);
    expect(issues.some((i) => i.startsWith('post.exit_code:') && i.includes('allow'))).toBe(true);
  });

  it('requires the format, name and limits', () => {
    const issues = issuesOf({ revision: 1, capabilities: [] });
    const paths = issues.map((i) => i.split(':')[0]);
    expect(paths).toEqual(expect.arrayContaining(['format', 'name', 'limits']));
  });

  it('rejects bands that do not climb, naming the band', () => {
    const issues = issuesOf(policyJson({ threat: { bands: { low: 0, medium: 50, high: 40, quarantine: 90 } } }));
    expect(issues).toContain('threat.bands.high: must be greater than medium');
  });

  it('rejects a threat weight out of range and an unknown signal', () => {
    const issues = issuesOf(policyJson({ threat: { weights: { unknown_signer: 150, telepathy: 5 } } }));
    expect(issues.some((i) => i.startsWith('threat.weights.unknown_signer:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('threat.weights:') && i.includes('telepathy'))).toBe(true);
  });

  it('makes an invalid output regex a load error naming the field', () => {
    const issues = issuesOf(policyJson({ post: { output_patterns: { deny: ['ok', '([unclosed'] } } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^post\.output_patterns\.deny\.1: not a valid regular expression/);
  });

  it('rejects over-long and nested-quantifier patterns (ReDoS bound)', () => {
    const long = 'a'.repeat(MAX_PATTERN_LENGTH + 1);
    const issues = issuesOf(policyJson({ post: { output_patterns: { deny: [long, '(a+)+$', 'fine'] } } }));
    expect(issues[0]).toMatch(/^post\.output_patterns\.deny\.0: pattern is 201 characters/);
    expect(issues[1]).toMatch(/^post\.output_patterns\.deny\.1: .*nested quantifiers/);
    expect(issues).toHaveLength(2);
  });

  it('reports text that is not JSON with its own code', () => {
    const r = parsePolicyText('{ "name": ');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('POLICY_NOT_JSON');
  });

  it('parses valid JSON text', () => {
    const r = parsePolicyText(JSON.stringify(policyJson()));
    expect(r.ok && r.value.revision).toBe(7);
  });
});
