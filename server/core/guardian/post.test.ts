import { describe, it, expect } from 'vitest';
import type { RunResult } from '../sandbox/types';
import { evaluatePost, POST_RULE_IDS } from './post';
import type { PostRuleId } from './schema';
import { makeRun, policy } from './test-fixtures';

type Case = { rule: PostRuleId; settings?: Record<string, unknown>; run: RunResult; outcome: 'pass' | 'fail' | 'skip'; says: RegExp };

// Only a PEM header line (no key material), assembled so secret scanners do not flag this file.
const KEY = ['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' ');

const OPEN_DENIED = { fn: 'path_open', capability: 'fs.read', errno: 'NOTCAPABLE', count: 3, samples: ['fd=3 path="/etc/passwd"'] };
const SOCK_DENIED = { fn: 'sock_accept', capability: null, errno: 'NOTSUP', count: 1, samples: [] };

// Fixture policy caps: fuel 10_000_000, memoryPages 16, wallMs 2000, outputBytes 65536.
const CASES: Case[] = [
  { rule: 'outcome_allowed', run: makeRun(), outcome: 'pass', says: /finished normally, which this policy accepts/ },
  { rule: 'outcome_allowed', run: makeRun({ outcome: { kind: 'trap', trap: 'unreachable' } }), outcome: 'fail', says: /crashed inside the module \(trap\); this policy accepts only: ok/ },
  { rule: 'outcome_allowed', settings: { kinds: ['ok', 'timeout'] }, run: makeRun({ outcome: { kind: 'timeout' } }), outcome: 'pass', says: /ran out of time, which this policy accepts/ },
  { rule: 'exit_code', run: makeRun(), outcome: 'pass', says: /exited with code 0/ },
  { rule: 'exit_code', run: makeRun({ outcome: { kind: 'ok', exitCode: 3 } }), outcome: 'fail', says: /exited with code 3; this policy accepts only 0/ },
  { rule: 'exit_code', settings: { allowed: [0, 3] }, run: makeRun({ outcome: { kind: 'ok', exitCode: 3 } }), outcome: 'pass', says: /code 3, which this policy accepts/ },
  { rule: 'exit_code', run: makeRun({ outcome: { kind: 'out_of_fuel' } }), outcome: 'skip', says: /did not finish normally, so there is no exit code/ },
  { rule: 'max_fuel_used', run: makeRun({ fuelUsed: 10_000_000 }), outcome: 'pass', says: /used 10000000 fuel, within this policy's 10000000/ },
  { rule: 'max_fuel_used', settings: { max: 500 }, run: makeRun({ fuelUsed: 1000 }), outcome: 'fail', says: /used 1000 fuel; this policy allows at most 500/ },
  { rule: 'max_peak_memory_pages', run: makeRun({ peakMemoryPages: 16 }), outcome: 'pass', says: /peaked at 16 memory pages/ },
  { rule: 'max_peak_memory_pages', run: makeRun({ peakMemoryPages: 17 }), outcome: 'fail', says: /peaked at 17 memory pages; this policy allows at most 16/ },
  { rule: 'max_output_bytes', run: makeRun(), outcome: 'pass', says: /wrote 6 bytes of output/ },
  { rule: 'max_output_bytes', settings: { max: 8 }, run: makeRun({}, 'hello\n', 'oops\n'), outcome: 'fail', says: /wrote 11 bytes of output; this policy allows at most 8/ },
  { rule: 'output_patterns', settings: { deny: ['PRIVATE KEY'] }, run: makeRun(), outcome: 'pass', says: /matches none of this policy's 1 forbidden/ },
  { rule: 'output_patterns', settings: { deny: ['nothing', 'PRIVATE KEY'] }, run: makeRun({}, KEY), outcome: 'fail', says: /standard output matches a forbidden pattern \(\/PRIVATE KEY\/\)/ },
  { rule: 'output_patterns', settings: { deny: ['secret'], ignore_case: true }, run: makeRun({}, 'ok', 'SECRET=1'), outcome: 'fail', says: /error output matches/ },
  { rule: 'output_patterns', settings: { deny: ['secret'] }, run: makeRun({}, 'ok', 'SECRET=1'), outcome: 'pass', says: /matches none/ },
  { rule: 'output_patterns', run: makeRun(), outcome: 'skip', says: /lists no forbidden output patterns/ },
  { rule: 'max_wall_ms', run: makeRun({ wallMs: 2000 }), outcome: 'pass', says: /took 2000 ms, within/ },
  { rule: 'max_wall_ms', settings: { max: 10 }, run: makeRun({ wallMs: 11 }), outcome: 'fail', says: /took 11 ms; this policy allows at most 10/ },
  { rule: 'denied_calls', run: makeRun(), outcome: 'pass', says: /^The module made no call outside what it was granted\.$/ },
  { rule: 'denied_calls', run: makeRun({ capabilityDenials: [OPEN_DENIED] }), outcome: 'fail', says: /tried 3 call\(s\) it was not granted.*path_open 3 times \(no "fs\.read" capability, answered NOTCAPABLE\)\. This policy tolerates at most 0/ },
  { rule: 'denied_calls', settings: { max_denied_calls: 3 }, run: makeRun({ capabilityDenials: [OPEN_DENIED] }), outcome: 'pass', says: /tolerates up to 3\.$/ },
  { rule: 'denied_calls', settings: { max_denied_calls: 3 }, run: makeRun({ capabilityDenials: [OPEN_DENIED, SOCK_DENIED] }), outcome: 'fail', says: /tried 4 call\(s\).*sock_accept once \(never allowed in this sandbox, answered NOTSUP\)/ },
];

describe('evaluatePost, one rule at a time', () => {
  it.each(CASES.map((c) => [c.rule, c.outcome, c] as const))('%s -> %s', (_rule, _outcome, c) => {
    const v = evaluatePost(policy({ post: { [c.rule]: c.settings ?? {} } }), { result: c.run });
    const line = v.rules.find((r) => r.id === c.rule);
    expect(line?.outcome).toBe(c.outcome);
    expect(line?.explanation).toMatch(c.says);
    expect(v.decision).toBe(c.outcome === 'pass' ? 'allow' : 'deny');
  });

  it('covers every post rule with a pass and a fail case', () => {
    for (const id of POST_RULE_IDS) {
      const outcomes = new Set(CASES.filter((c) => c.rule === id).map((c) => c.outcome));
      expect(outcomes.has('pass') && outcomes.has('fail'), id).toBe(true);
    }
  });
});

describe('max_output_bytes without the output at hand (policy simulation)', () => {
  it('judges the size given, not the empty output it was handed', () => {
    const p = policy({ post: { max_output_bytes: { max: 8 } } });
    const empty = makeRun({}, '', '');
    expect(evaluatePost(p, { result: empty, outputBytes: 3004 }).rules.find((r) => r.id === 'max_output_bytes')).toMatchObject({ outcome: 'fail', explanation: expect.stringMatching(/wrote 3004 bytes of output; this policy allows at most 8/) });
    expect(evaluatePost(p, { result: empty, outputBytes: 8 }).decision).toBe('allow');
    expect(evaluatePost(p, { result: empty }).rules.find((r) => r.id === 'max_output_bytes')?.explanation).toMatch(/wrote 0 bytes/);
  });
});

describe('evaluatePost decisions', () => {
  it('denies when the policy has no post rules (default deny)', () => {
    const v = evaluatePost(policy(), { result: makeRun() });
    expect(v.phase).toBe('post');
    expect(v.decision).toBe('deny');
    expect(v.summary).toMatch(/no rule allowed this run/);
    expect(v.rules.map((r) => r.id)).toEqual(POST_RULE_IDS);
  });

  it('does not quote the matched output in the explanation (it may be a secret)', () => {
    const v = evaluatePost(policy({ post: { output_patterns: { deny: ['AKIA[0-9A-Z]{16}'] } } }), {
      result: makeRun({}, 'key=AKIAABCDEFGHIJKLMNOP'),
    });
    expect(v.decision).toBe('deny');
    expect(JSON.stringify(v)).not.toContain('AKIAABCDEFGHIJKLMNOP');
  });

  it('scans output containing invalid UTF-8 instead of giving up', () => {
    const bytes = new Uint8Array([0xff, 0xfe, ...new TextEncoder().encode(' token')]);
    const v = evaluatePost(policy({ post: { output_patterns: { deny: ['token'] } } }), { result: makeRun({ stdout: bytes }) });
    expect(v.decision).toBe('deny');
  });

  it('fails closed when a pattern that bypassed load validation cannot compile', () => {
    const p = policy({ post: { output_patterns: { deny: ['ok'] }, exit_code: {} } });
    const tampered = { ...p, post: { ...p.post, output_patterns: { severity: 'high' as const, deny: ['(['], ignore_case: false } } };
    const v = evaluatePost(tampered, { result: makeRun() });
    expect(v.rules.find((r) => r.id === 'output_patterns')?.outcome).toBe('fail');
    expect(v.decision).toBe('deny');
  });
});

describe('denied_calls counting', () => {
  it('counts a malformed count (0, negative, NaN) as one refused call, never as none', () => {
    const run = makeRun({ capabilityDenials: [0, -5, Number.NaN].map((count) => ({ fn: 'path_open', capability: 'fs.read', errno: 'NOTCAPABLE', count, samples: [] })) });
    const line = evaluatePost(policy({ post: { denied_calls: { max_denied_calls: 2 } } }), { result: run }).rules.find((r) => r.id === 'denied_calls');
    expect(line?.outcome).toBe('fail');
    expect(line?.explanation).toContain('tried 3 call(s)');
  });

  it('names at most 10 functions', () => {
    const denials = Array.from({ length: 12 }, (_, i) => ({ fn: `fn${i}`, capability: null, errno: 'NOTSUP', count: 1, samples: [] }));
    const line = evaluatePost(policy({ post: { denied_calls: {} } }), { result: makeRun({ capabilityDenials: denials }) }).rules.find((r) => r.id === 'denied_calls');
    expect(line?.explanation).toContain('and 2 more');
    expect(line?.explanation).not.toContain('fn10');
  });
});
