import { describe, it, expect } from 'vitest';
import { evaluatePre, PRE_RULE_IDS, type PreInput } from './pre';
import { effectiveGrant } from './grant';
import type { PreRuleId } from './schema';
import { benignPre, makeManifest, makeReport, policy } from './test-fixtures';

/** Evaluates a policy holding just one rule, and returns that rule's line of the verdict. */
function only(id: PreRuleId, settings: Record<string, unknown>, input: PreInput) {
  const verdict = evaluatePre(policy({ pre: { [id]: settings } }), input);
  const line = verdict.rules.find((r) => r.id === id);
  if (!line) throw new Error(`rule ${id} missing from verdict`);
  return { verdict, line };
}

type Case = { rule: PreRuleId; settings?: Record<string, unknown>; input: Partial<PreInput>; outcome: 'pass' | 'fail' | 'skip'; says: RegExp };

const mem = (initialPages: number, maximumPages: number | null) =>
  makeReport({ memories: [{ initialPages, maximumPages, imported: false, shared: false, memory64: false }] });

const LEGACY = { format: 'nightcore.legacy-signature/v1', folderName: 'tenant-a', unsignedManifestSha256: 'b'.repeat(64) } as const;

const tables = (...initials: number[]) =>
  makeReport({ tables: initials.map((initial) => ({ elementType: 'funcref', initial, maximum: null, imported: false })) });

const CASES: Case[] = [
  { rule: 'signature_trusted', input: {}, outcome: 'pass', says: /signed by trusted key\(s\): Ada \(publisher\)/ },
  { rule: 'signature_trusted', input: { signature: { verified: false, code: 'SIGNATURE_INVALID', signers: [] } }, outcome: 'fail', says: /could not be verified \(SIGNATURE_INVALID\)/ },
  { rule: 'signature_trusted', input: { signature: { verified: true, signers: [] } }, outcome: 'fail', says: /No key in the trust store/ },
  { rule: 'signature_trusted', settings: { required_roles: ['approver'] }, input: {}, outcome: 'fail', says: /needs a signer with role approver/ },
  { rule: 'legacy_modules', input: {}, outcome: 'pass', says: /signed bundle: its name and version are covered/ },
  { rule: 'legacy_modules', input: { legacy: LEGACY }, outcome: 'fail', says: /legacy import \(folder "tenant-a"\).*does not run legacy modules/ },
  { rule: 'legacy_modules', settings: { mode: 'allow' }, input: { legacy: LEGACY }, outcome: 'pass', says: /this policy allows legacy modules/ },
  { rule: 'imports_allowed', input: {}, outcome: 'pass', says: /imports 1 WASI function\(s\), each checked against the grant when it is called\.$/ },
  { rule: 'imports_allowed', input: { report: makeReport({ imports: [{ module: 'wasi_snapshot_preview1', name: 'path_open', kind: 'func' }, { module: 'wasi_snapshot_preview1', name: 'sock_accept', kind: 'func' }] }) }, outcome: 'pass', says: /imports 2 WASI function/ },
  { rule: 'imports_allowed', input: { report: makeReport({ imports: [{ module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'func' }, { module: 'env', name: 'abort', kind: 'func' }] }) }, outcome: 'pass', says: /AssemblyScript's env\.abort, which ends the run with the module's message/ },
  { rule: 'imports_allowed', settings: { deny_functions: ['sock_*', 'path_open'] }, input: { report: makeReport({ imports: [{ module: 'wasi_snapshot_preview1', name: 'path_open', kind: 'func' }, { module: 'wasi_snapshot_preview1', name: 'sock_accept', kind: 'func' }, { module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'func' }] }) }, outcome: 'fail', says: /^This policy refuses these WASI functions before running: path_open, sock_accept\.$/ },
  { rule: 'imports_allowed', settings: { deny_functions: ['sock_*'] }, input: {}, outcome: 'pass', says: /imports 1 WASI function/ },
  {
    rule: 'imports_allowed',
    input: {
      report: makeReport({ imports: [{ module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'func' }, { module: 'wbg', name: '__wbindgen_throw', kind: 'func' }, { module: 'env', name: 'emscripten_memcpy_js', kind: 'func' }] }),
      deniedImports: [
        { module: 'wbg', name: '__wbindgen_throw', reason: 'needs a JavaScript host' },
        { module: 'env', name: 'emscripten_memcpy_js', reason: 'needs a JavaScript host' },
      ],
    },
    outcome: 'fail',
    says: /imports 2 function\(s\) from outside WASI \(wbg\.__wbindgen_throw, env\.emscripten_memcpy_js\) from "wbg", "env": it was built for a JavaScript host .* which Night Core does not run\./,
  },
  { rule: 'imports_allowed', input: { deniedImports: [{ module: 'wasi_snapshot_preview1', name: 'memory', reason: 'imported memory is not provided' }] }, outcome: 'fail', says: /cannot link 1 WASI import\(s\): imported memory is not provided/ },
  { rule: 'capabilities_allowed', input: {}, outcome: 'pass', says: /Every capability .* allowed/ },
  { rule: 'capabilities_allowed', input: { manifest: makeManifest({ capabilities: ['stdout', 'environ', 'random'] }) }, outcome: 'fail', says: /asks for environ, random, which this policy does not allow/ },
  { rule: 'max_declared_memory', input: {}, outcome: 'pass', says: /starts with 1 memory pages, within the 16 this run may use/ },
  { rule: 'max_declared_memory', input: { report: mem(64, null) }, outcome: 'fail', says: /^The module asks for 64 memory pages at start; this run may use at most 16\.$/ },
  { rule: 'max_declared_memory', settings: { max_pages: 4 }, input: { report: mem(8, 8) }, outcome: 'fail', says: /asks for 8 memory pages at start; this run may use at most 4/ },
  // The effective grant is the ceiling even when the rule's own max_pages is higher.
  { rule: 'max_declared_memory', settings: { max_pages: 64 }, input: { report: mem(20, 20) }, outcome: 'fail', says: /asks for 20 memory pages at start; this run may use at most 16/ },
  { rule: 'max_table_elements', input: {}, outcome: 'skip', says: /declares no table/ },
  { rule: 'max_table_elements', input: { report: tables(600, 400) }, outcome: 'pass', says: /start with 1000 elements, within the 1000/ },
  { rule: 'max_table_elements', input: { report: tables(600, 401) }, outcome: 'fail', says: /start with 1001 elements; this run may use at most 1000/ },
  { rule: 'max_table_elements', input: { report: tables(10_000_000) }, outcome: 'fail', says: /start with 10000000 elements/ },
  { rule: 'max_declared_memory', settings: { check_maximum: true }, input: { report: mem(1, 100) }, outcome: 'fail', says: /may grow to 100 memory pages/ },
  { rule: 'max_declared_memory', settings: { check_maximum: true }, input: { report: mem(1, null) }, outcome: 'fail', says: /sets no memory maximum/ },
  { rule: 'max_declared_memory', input: { report: makeReport({ memories: [] }) }, outcome: 'skip', says: /declares no memory/ },
  { rule: 'max_module_size', settings: { max_bytes: 4096 }, input: {}, outcome: 'pass', says: /2048 bytes, within this policy's 4096/ },
  { rule: 'max_module_size', settings: { max_bytes: 1024 }, input: {}, outcome: 'fail', says: /is 2048 bytes; this policy allows at most 1024/ },
  { rule: 'start_section', input: {}, outcome: 'pass', says: /no start function/ },
  { rule: 'start_section', settings: { mode: 'deny' }, input: { report: makeReport({ startFunction: 0 }) }, outcome: 'fail', says: /does not allow that/ },
  { rule: 'start_section', settings: { mode: 'allow' }, input: { report: makeReport({ startFunction: 0 }) }, outcome: 'pass', says: /this policy allows that/ },
  { rule: 'custom_sections', input: {}, outcome: 'pass', says: /100 bytes of custom sections/ },
  { rule: 'custom_sections', settings: { max_total_bytes: 50 }, input: {}, outcome: 'fail', says: /100 bytes of custom sections; this policy allows at most 50/ },
  { rule: 'custom_sections', settings: { deny_names: ['name'] }, input: {}, outcome: 'fail', says: /forbids: name/ },
  { rule: 'tenant_allowed', input: {}, outcome: 'pass', says: /allows every tenant, including acme/ },
  { rule: 'tenant_allowed', settings: { tenants: ['acme', 'beta'] }, input: {}, outcome: 'pass', says: /Tenant acme is on this policy's list/ },
  { rule: 'tenant_allowed', settings: { tenants: ['beta'] }, input: {}, outcome: 'fail', says: /Tenant acme is not on/ },
  { rule: 'threat_threshold', settings: { deny_at: 50 }, input: { threat: { score: 49, band: 'medium' } }, outcome: 'pass', says: /49 \(medium\), below this policy's limit of 50/ },
  { rule: 'threat_threshold', settings: { deny_at: 50 }, input: { threat: { score: 50, band: 'medium' } }, outcome: 'fail', says: /50 \(medium\); this policy denies at 50 or above/ },
  { rule: 'threat_threshold', input: { threat: { score: Number.NaN, band: 'quarantine' } }, outcome: 'fail', says: /denies at 60/ },
  { rule: 'quarantined', input: {}, outcome: 'pass', says: /not in quarantine/ },
  { rule: 'quarantined', input: { quarantined: true }, outcome: 'fail', says: /in quarantine and cannot run until someone releases it/ },
  { rule: 'approval_required', input: { approved: true }, outcome: 'pass', says: /approved this module/ },
  { rule: 'approval_required', input: { approved: false }, outcome: 'fail', says: /needs a human approval, and none is recorded/ },
  { rule: 'approval_required', settings: { required: false }, input: { approved: false }, outcome: 'skip', says: /does not require a human approval/ },
  { rule: 'entry_exported', input: {}, outcome: 'pass', says: /exports its entry function "_start"/ },
  { rule: 'entry_exported', input: { manifest: makeManifest({ entry: 'main' }) }, outcome: 'fail', says: /does not export the entry function "main"/ },
  { rule: 'entry_exported', input: { manifest: makeManifest({ entry: 'memory' }) }, outcome: 'fail', says: /"memory" is a memory, not a function/ },
  { rule: 'backend_allowed', input: {}, outcome: 'pass', says: /^The worker-threads backend is allowed for this module\.$/ },
  { rule: 'backend_allowed', settings: { allowed: ['process', 'remote'] }, input: {}, outcome: 'fail', says: /runs modules on the worker-threads backend, which this policy does not allow \(allowed: process, remote\)/ },
  { rule: 'backend_allowed', settings: { tenants: { acme: ['process'] } }, input: {}, outcome: 'fail', says: /^Tenant acme may run only on process, not on worker-threads\.$/ },
  { rule: 'backend_allowed', settings: { tenants: { acme: ['process'] } }, input: { backend: 'process' }, outcome: 'pass', says: /process backend is allowed/ },
  { rule: 'backend_allowed', settings: { isolate_bands: ['high', 'quarantine'] }, input: { threat: { score: 70, band: 'high' } }, outcome: 'fail', says: /high threat band must run isolated from the console \(process or remote\), not on worker-threads/ },
  { rule: 'backend_allowed', settings: { isolate_bands: ['high'] }, input: { threat: { score: 70, band: 'high' }, backend: 'remote' }, outcome: 'pass', says: /remote backend is allowed/ },
  { rule: 'backend_allowed', settings: { isolate_bands: ['high'] }, input: { threat: { score: 10, band: 'low' } }, outcome: 'pass', says: /worker-threads backend is allowed/ },
];

describe('evaluatePre, one rule at a time', () => {
  it.each(CASES.map((c) => [c.rule, c.outcome, c] as const))('%s -> %s', (_rule, _outcome, c) => {
    const { verdict, line } = only(c.rule, c.settings ?? {}, benignPre(c.input));
    expect(line.outcome).toBe(c.outcome);
    expect(line.explanation).toMatch(c.says);
    // A lone failing rule denies; a lone passing rule allows; a lone skip leaves nothing that allowed the run.
    expect(verdict.decision).toBe(c.outcome === 'pass' ? 'allow' : 'deny');
  });

  it('covers every pre rule with a pass and a fail case', () => {
    for (const id of PRE_RULE_IDS) {
      const outcomes = new Set(CASES.filter((c) => c.rule === id).map((c) => c.outcome));
      expect(outcomes.has('pass') && outcomes.has('fail'), id).toBe(true);
    }
  });
});

describe('evaluatePre decisions', () => {
  it('denies when the policy has no pre rules (default deny) and lists every rule as not enabled', () => {
    const v = evaluatePre(policy(), benignPre());
    expect(v.decision).toBe('deny');
    expect(v.summary).toMatch(/no rule allowed this run/);
    expect(v.rules.map((r) => r.id)).toEqual(PRE_RULE_IDS);
    expect(v.rules.every((r) => r.outcome === 'skip' && r.explanation === 'This policy does not turn this check on.')).toBe(true);
  });

  it('denies when only skipped rules apply', () => {
    const v = evaluatePre(policy({ pre: { approval_required: { required: false } } }), benignPre());
    expect(v.decision).toBe('deny');
  });

  it('denies on any failing rule even when others pass, and names it in the summary', () => {
    const p = policy({ pre: { signature_trusted: {}, quarantined: {}, entry_exported: {} } });
    const v = evaluatePre(p, benignPre({ quarantined: true }));
    expect(v.decision).toBe('deny');
    expect(v.rules.filter((r) => r.outcome === 'pass').map((r) => r.id)).toEqual(['signature_trusted', 'entry_exported']);
    expect(v.summary).toBe('Denied before running: 1 check failed (quarantined).');
  });

  it('records the policy name and revision and the configured severity', () => {
    const v = evaluatePre(policy({ pre: { quarantined: { severity: 'low' } } }), benignPre());
    expect(v.policy).toEqual({ name: 'test', revision: 7 });
    expect(v.rules.find((r) => r.id === 'quarantined')?.severity).toBe('low');
    expect(v.decision).toBe('allow');
  });

  it('never throws on malformed input: the broken check fails closed', () => {
    const broken = { ...benignPre(), report: { ...makeReport(), exports: null } } as unknown as PreInput;
    const v = evaluatePre(policy({ pre: { entry_exported: {}, quarantined: {} } }), broken);
    const line = v.rules.find((r) => r.id === 'entry_exported');
    expect(line?.outcome).toBe('fail');
    expect(line?.explanation).toMatch(/could not be completed, so it counts as failed/);
    expect(v.decision).toBe('deny');
  });
});

describe('limits come from the effective grant (one source of truth)', () => {
  it('denies, naming max_declared_memory, a module whose initial memory fits the policy but not the grant', () => {
    // Regression: the rule used to judge against the policy's 16 pages and pass, while the sandbox
    // clamped to the manifest's 4 and refused the run with a record listing every rule as passed.
    const p = policy({ pre: { max_declared_memory: {}, entry_exported: {} } });
    const manifest = makeManifest({ limits: { fuel: 1000, memoryPages: 4, wallMs: 100, outputBytes: 10 } });
    const limits = effectiveGrant(p, manifest).limits;
    expect(limits.memoryPages).toBe(4);
    const v = evaluatePre(p, benignPre({ manifest, limits, report: mem(8, null) }));
    expect(v.decision).toBe('deny');
    expect(v.summary).toBe('Denied before running: 1 check failed (max_declared_memory).');
    expect(v.rules.find((r) => r.id === 'max_declared_memory')?.explanation).toMatch(/8 memory pages at start; this run may use at most 4/);
  });

  it('judges tables against min(policy, manifest) table elements, defaulting when either names none', () => {
    const p = policy({ limits: { fuel: 10, memoryPages: 1, wallMs: 10, outputBytes: 0, tableElements: 5000 }, pre: { max_table_elements: {} } });
    const asks = (tableElements?: number) =>
      effectiveGrant(p, makeManifest({ limits: { fuel: 1, memoryPages: 1, wallMs: 1, outputBytes: 0, ...(tableElements === undefined ? {} : { tableElements }) } })).limits;
    expect(asks(100).tableElements).toBe(100);
    expect(asks(9000).tableElements).toBe(5000);
    expect(asks().tableElements).toBe(5000); // the default (65536) is above the policy's 5000
    const v = evaluatePre(p, benignPre({ limits: asks(100), report: tables(101) }));
    expect(v.decision).toBe('deny');
    expect(v.summary).toMatch(/\(max_table_elements\)/);
  });
});

describe('imports_allowed explanations', () => {
  it('names every foreign import up to 20, then counts the rest', () => {
    const denied = Array.from({ length: 25 }, (_, i) => ({ module: 'env', name: `f${i}`, reason: 'needs a JavaScript host' }));
    const { line } = only('imports_allowed', {}, benignPre({ deniedImports: denied }));
    expect(line.explanation).toContain('env.f19 and 5 more');
    expect(line.explanation).not.toContain('env.f20');
  });

  it('reports a JavaScript-host problem and a policy refusal together', () => {
    const report = makeReport({
      imports: [
        { module: 'wasi_snapshot_preview1', name: 'sock_send', kind: 'func' },
        { module: 'env', name: 'memcpy', kind: 'func' },
      ],
    });
    const { line } = only('imports_allowed', { deny_functions: ['sock_send'] }, benignPre({ report, deniedImports: [{ module: 'env', name: 'memcpy', reason: 'x' }] }));
    expect(line.outcome).toBe('fail');
    expect(line.explanation).toMatch(/JavaScript host.*refuses these WASI functions before running: sock_send\./);
  });
});
