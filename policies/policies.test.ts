/**
 * The shipped policies are product behaviour: they must load, and they must treat an ordinary
 * module, a borderline one and a hostile one the way their descriptions promise.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { effectiveGrant, evaluatePre, evaluatePost, PRE_RULE_IDS, POST_RULE_IDS, parsePolicyText, type PreInput, type TPolicy } from '../server/core/guardian';
import { benignPre, makeManifest, makeReport, makeRun } from '../server/core/guardian/test-fixtures';
import type { RunResult } from '../server/core/sandbox/types';
import { policyFields } from '../server/core/guardian/fields';
import { POLICY_FORMAT, POLICY_LANGUAGE_VERSION } from '../server/core/guardian/schema';
import { SIGNAL_IDS, scoreThreat, shouldQuarantine, threatFactsFrom, type ThreatHistory } from '../server/core/threat';

const here = import.meta.dirname;

function load(name: string): TPolicy {
  const r = parsePolicyText(readFileSync(join(here, `${name}.json`), 'utf8'));
  if (!r.ok) throw new Error(`${name}.json: ${r.message}`);
  return r.value;
}

type Scenario = { manifest: PreInput['manifest']; report: PreInput['report']; history: ThreatHistory; rest: Partial<PreInput> };

const publisher = { keyid: 'k1', name: 'Ada', role: 'publisher' };

const SCENARIOS: Record<'benign' | 'borderline' | 'hostile', Scenario> = {
  // Signed by a publisher, approved, seen for the first time, asks for output only.
  benign: {
    manifest: makeManifest(),
    report: makeReport(),
    history: { signerTrusted: true, firstSeenDigest: true, hashDrift: null, priorPostFailures: 0, priorCapabilityDenials: 0 },
    rest: { approved: true },
  },
  // Signed but not approved; asks for clock and random and runs code on load.
  borderline: {
    manifest: makeManifest({ capabilities: ['stdout', 'clock', 'random', 'exit'] }),
    report: makeReport({ startFunction: 0 }),
    history: { signerTrusted: true, firstSeenDigest: true, hashDrift: null, priorPostFailures: 0, priorCapabilityDenials: 0 },
    rest: { approved: false },
  },
  // Unsigned, filesystem imports, huge memory, hidden data, quarantined, no entry.
  hostile: {
    manifest: makeManifest({ entry: 'main', capabilities: ['environ', 'stdin', 'stdout', 'random'], limits: { fuel: 1e12, memoryPages: 8192, wallMs: 60_000, outputBytes: 1 } }),
    report: makeReport({
      sizeBytes: 70 * 1024 * 1024,
      startFunction: 2,
      memories: [{ initialPages: 8192, maximumPages: null, imported: false, shared: false, memory64: false }],
      customSections: [{ name: 'payload', sizeBytes: 20 * 1024 * 1024 }],
      customSectionTotals: { count: 1, sizeBytes: 20 * 1024 * 1024 },
    }),
    history: { signerTrusted: false, firstSeenDigest: true, hashDrift: { previousSha256: 'c'.repeat(64), previousSizeBytes: 2048, sizeBytes: 70 * 1024 * 1024 }, priorPostFailures: 4, priorCapabilityDenials: 2 },
    rest: {
      signature: { verified: false, code: 'SIGNATURE_INVALID', signers: [] },
      deniedImports: [{ module: 'wasi_snapshot_preview1', name: 'path_open', reason: 'filesystem is never granted' }],
      quarantined: true,
      approved: false,
    },
  },
};

function preInput(policy: TPolicy, s: Scenario): PreInput {
  const threat = scoreThreat(policy.threat, threatFactsFrom(s.manifest, s.report, policy.limits, s.history));
  return benignPre({ manifest: s.manifest, limits: effectiveGrant(policy, s.manifest).limits, report: s.report, threat, signature: { verified: true, signers: [publisher] }, ...s.rest });
}

const RUNS: Record<'benign' | 'borderline' | 'hostile', RunResult> = {
  benign: makeRun(),
  borderline: makeRun({ outcome: { kind: 'ok', exitCode: 1 } }, '', 'usage: hello NAME\n'),
  hostile: makeRun({ outcome: { kind: 'trap', trap: 'unreachable' }, fuelUsed: 2e10 }, 'dump:\n-----BEGIN RSA PRIVATE KEY-----\n'),
};

type Expect = {
  pre: Record<keyof typeof SCENARIOS, 'allow' | 'deny'>;
  post: Record<keyof typeof RUNS, 'allow' | 'deny'>;
  /** Whether the run (a first failure, low threat band) quarantines the module. */
  quarantine: Record<keyof typeof RUNS, boolean>;
};

const TABLE: [string, Expect][] = [
  // default and permissive quarantine on danger (the leaked key), not on a usage error's exit code 1.
  ['default', { pre: { benign: 'allow', borderline: 'allow', hostile: 'deny' }, post: { benign: 'allow', borderline: 'deny', hostile: 'deny' }, quarantine: { benign: false, borderline: false, hostile: true } }],
  ['strict', { pre: { benign: 'allow', borderline: 'deny', hostile: 'deny' }, post: { benign: 'allow', borderline: 'deny', hostile: 'deny' }, quarantine: { benign: false, borderline: true, hostile: true } }],
  ['permissive', { pre: { benign: 'allow', borderline: 'allow', hostile: 'deny' }, post: { benign: 'allow', borderline: 'allow', hostile: 'deny' }, quarantine: { benign: false, borderline: false, hostile: true } }],
];

describe('shipped policy files', () => {
  it('every JSON file in policies/ loads, and its name matches the file', () => {
    const files = readdirSync(here).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['default.json', 'permissive.json', 'strict.json']);
    for (const f of files) expect(load(f.replace(/\.json$/, '')).name).toBe(f.replace(/\.json$/, ''));
  });

  it.each(TABLE)('%s enables every pre and post rule explicitly', (name) => {
    const p = load(name);
    expect(Object.keys(p.pre).sort()).toEqual([...PRE_RULE_IDS].sort());
    expect(Object.keys(p.post).sort()).toEqual([...POST_RULE_IDS].sort());
  });

  describe.each(TABLE)('%s', (name, expected) => {
    const policy = load(name);

    it.each(Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[])('pre-exec on a %s module', (scenario) => {
      const v = evaluatePre(policy, preInput(policy, SCENARIOS[scenario]));
      expect(v.decision, v.summary).toBe(expected.pre[scenario]);
      expect(v.policy).toEqual({ name, revision: policy.revision });
      expect(v.rules.every((r) => r.explanation.length > 0)).toBe(true);
    });

    it.each(Object.keys(RUNS) as (keyof typeof RUNS)[])('post-exec on a %s run', (run) => {
      const v = evaluatePost(policy, { result: RUNS[run] });
      expect(v.decision, v.summary).toBe(expected.post[run]);
      const q = shouldQuarantine(policy.threat, { post: v, band: 'low', priorPostFailures: 0 }).quarantine;
      expect(q).toBe(expected.quarantine[run]);
    });

    it('blocks the hostile module on trust, imports and quarantine, and scores it at or above the deny line', () => {
      const input = preInput(policy, SCENARIOS.hostile);
      const failed = evaluatePre(policy, input).rules.filter((r) => r.outcome === 'fail').map((r) => r.id);
      expect(failed).toEqual(expect.arrayContaining(['signature_trusted', 'imports_allowed', 'quarantined', 'max_declared_memory', 'threat_threshold', 'entry_exported']));
      expect(input.threat.score).toBeGreaterThanOrEqual(policy.pre.threat_threshold?.deny_at ?? 0);
      expect(input.threat.band).toBe('quarantine');
    });

    it('flags the leaked key and the trap in the hostile run', () => {
      const failed = evaluatePost(policy, { result: RUNS.hostile }).rules.filter((r) => r.outcome === 'fail').map((r) => r.id);
      expect(failed).toEqual(expect.arrayContaining(['outcome_allowed', 'output_patterns', 'max_fuel_used']));
    });
  });

  it('strict denies the borderline module for the reasons it promises', () => {
    const strict = load('strict');
    const failed = evaluatePre(strict, preInput(strict, SCENARIOS.borderline)).rules.filter((r) => r.outcome === 'fail').map((r) => r.id);
    // backend_allowed: strict keeps high-band modules off the console's own process (worker threads here).
    expect(failed.sort()).toEqual(['approval_required', 'backend_allowed', 'capabilities_allowed', 'start_section', 'threat_threshold']);
  });
});

describe('docs stay true to the code', () => {
  const docs = join(here, '..', 'docs');
  it('policy-reference.md lists every field of the schema with its exact type, default and range, and a meaning', () => {
    const text = readFileSync(join(docs, 'policy-reference.md'), 'utf8');
    const block = text.split('<!-- fields:begin -->')[1]?.split('<!-- fields:end -->')[0] ?? '';
    // Cells split on unescaped pipes; the header and separator rows are skipped.
    const rows = block.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
    const cell = (v: string) => v.replaceAll('|', '\\|');
    const expected = policyFields().map((f) => [
      `\`${f.path}\``,
      cell(f.type),
      ['required', 'absent', 'all defaults'].includes(f.default) ? f.default : `\`${f.default}\``,
      cell(f.range),
    ]);
    expect(rows.map((r) => r.slice(0, 4))).toEqual(expected);
    for (const r of rows) expect(r[4]?.length ?? 0, `${r[0]} needs a meaning`).toBeGreaterThan(10);
  });
  it('the declared language version is the one the schema accepts', () => {
    const text = readFileSync(join(docs, 'policy-reference.md'), 'utf8');
    expect(text).toContain(`\`${POLICY_FORMAT}\``);
    expect(POLICY_FORMAT).toBe(`nightcore.policy/v${POLICY_LANGUAGE_VERSION}`);
  });
  it('policy-reference.md documents every rule', () => {
    const text = readFileSync(join(docs, 'policy-reference.md'), 'utf8');
    for (const id of [...PRE_RULE_IDS, ...POST_RULE_IDS]) expect(text, id).toContain(`\`${id}\``);
  });
  it('threat-scoring.md lists every signal with its default weight', () => {
    const text = readFileSync(join(docs, 'threat-scoring.md'), 'utf8');
    const defaults = load('default').threat.weights;
    for (const id of SIGNAL_IDS) expect(text, id).toMatch(new RegExp(`\\| \`${id}\` \\|[^\\n]*\\| ${defaults[id]} \\|`));
  });
});

describe('the default policy quarantines on danger, not on an ordinary failure', () => {
  const policy = load('default');
  const quarantines = (run: RunResult, priorPostFailures = 0) =>
    shouldQuarantine(policy.threat, { band: 'low', post: evaluatePost(policy, { result: run }), priorPostFailures });
  const denial = (count: number) => ({ fn: 'path_open', capability: 'fs.read', errno: 'NOTCAPABLE', count, samples: [] });

  it('a trap denies the run but does not quarantine', () => {
    const run = makeRun({ outcome: { kind: 'trap', trap: 'unreachable' } });
    expect(evaluatePost(policy, { result: run }).decision).toBe('deny');
    expect(quarantines(run)).toEqual({ quarantine: false });
  });

  it('exit code 1 (a usage error) denies the run but does not quarantine', () => {
    const run = makeRun({ outcome: { kind: 'ok', exitCode: 1 } }, '', 'usage: tool FILE\n');
    expect(evaluatePost(policy, { result: run }).decision).toBe('deny');
    expect(quarantines(run).quarantine).toBe(false);
  });

  it('a leaked secret in the output quarantines, whichever stream carries it', () => {
    const awsKey = ['AKIA', 'ABCDEFGHIJKLMNOP'].join('');
    expect(quarantines(makeRun({}, `key=${awsKey}\n`))).toMatchObject({ quarantine: true, source: 'post_exec', reason: expect.stringContaining('output_patterns') });
    expect(quarantines(makeRun({}, 'ok\n', ['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' '))).quarantine).toBe(true);
  });

  it('refused calls above the threshold quarantine; a few (optional config files) do not', () => {
    expect(quarantines(makeRun({ capabilityDenials: [denial(8)] })).quarantine).toBe(false);
    expect(quarantines(makeRun({ capabilityDenials: [denial(9)] }))).toMatchObject({ quarantine: true, reason: expect.stringContaining('denied_calls') });
  });

  it('repeated post-exec failures across runs quarantine at the fifth', () => {
    const trap = makeRun({ outcome: { kind: 'trap', trap: 'unreachable' } });
    expect(quarantines(trap, 3).quarantine).toBe(false);
    expect(quarantines(trap, 4)).toMatchObject({ quarantine: true, reason: 'This module has now failed post-exec checks 5 times; this policy quarantines at 5.' });
  });

  it('grants environ with no variables, and fits a Rust program (17 pages) and a 21.5 MB module', () => {
    expect(policy.capabilities).toContain('environ');
    expect(policy.env).toEqual([]);
    expect(policy.limits.memoryPages).toBeGreaterThanOrEqual(256);
    expect(policy.pre.max_module_size?.max_bytes).toBeGreaterThanOrEqual(21.5 * 1024 * 1024);
  });
});

describe('policy validation of the new settings', () => {
  const base = JSON.parse(readFileSync(join(here, 'default.json'), 'utf8')) as Record<string, any>;
  const withEdit = (edit: (p: Record<string, any>) => void) => {
    const copy = structuredClone(base);
    edit(copy);
    return parsePolicyText(JSON.stringify(copy));
  };

  it('refuses a quarantine trigger that names no post rule', () => {
    const r = withEdit((p) => (p.threat.quarantine_on_rules = ['output_pattern']));
    expect(!r.ok && r.issues).toEqual(['threat.quarantine_on_rules.0: "output_pattern" is not a post-exec rule']);
  });

  it('refuses deny_functions entries that are not preview1 functions, and misplaced wildcards', () => {
    const r = withEdit((p) => (p.pre.imports_allowed.deny_functions = ['path_opne', 'sock_*', 'net_*', '*', 'fd_*_get']));
    expect(!r.ok && r.issues).toEqual([
      'pre.imports_allowed.deny_functions.0: "path_opne" is not a WASI preview1 function',
      'pre.imports_allowed.deny_functions.2: no WASI preview1 function starts with "net_"',
      'pre.imports_allowed.deny_functions.3: a wildcard is allowed only at the end, after a prefix (e.g. "sock_*")',
      'pre.imports_allowed.deny_functions.4: a wildcard is allowed only at the end, after a prefix (e.g. "sock_*")',
    ]);
  });

  it('refuses a negative denied-calls threshold and a zero failure count', () => {
    const r = withEdit((p) => {
      p.post.denied_calls.max_denied_calls = -1;
      p.threat.quarantine_after_post_failures = 0;
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues?.map((i: string) => i.split(':')[0])).toEqual(['post.denied_calls.max_denied_calls', 'threat.quarantine_after_post_failures']);
  });
});
