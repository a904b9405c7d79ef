/** Hand-made inputs shared by the guardian and policy tests. Not shipped logic. */
import type { TManifest } from '../module/manifest';
import type { RunResult } from '../sandbox/types';
import type { WasmReport } from '../wasm/report';
import type { PreInput } from './pre';
import { parsePolicy, POLICY_FORMAT, type TPolicy } from './schema';

export function makeManifest(overrides: Partial<TManifest> = {}): TManifest {
  return {
    format: 'nightcore.module/v1',
    name: 'hello',
    version: '1.0.0',
    tenant: 'acme',
    description: 'prints hello',
    entry: '_start',
    capabilities: ['stdout', 'exit'],
    limits: { fuel: 1_000_000, memoryPages: 2, wallMs: 1000, outputBytes: 4096 },
    wasm: { sha256: 'a'.repeat(64) },
    ...overrides,
  };
}

export function makeReport(overrides: Partial<WasmReport> = {}): WasmReport {
  return {
    sizeBytes: 2048,
    version: 1,
    imports: [{ module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'func' }],
    exports: [
      { name: '_start', kind: 'func', index: 1 },
      { name: 'memory', kind: 'memory', index: 0 },
    ],
    memories: [{ initialPages: 1, maximumPages: 2, imported: false, shared: false, memory64: false }],
    tables: [],
    globalCount: 0,
    startFunction: null,
    customSections: [{ name: 'name', sizeBytes: 100 }],
    customSectionTotals: { count: 1, sizeBytes: 100 },
    importedFunctionCount: 1,
    functionCount: 1,
    codeSizeBytes: 500,
    dataSizeBytes: 16,
    dataSegmentCount: 1,
    ...overrides,
  };
}

/** A well-behaved, signed, approved, low-risk module. */
export function benignPre(overrides: Partial<PreInput> = {}): PreInput {
  return {
    manifest: makeManifest(),
    report: makeReport(),
    signature: { verified: true, signers: [{ keyid: 'k1', name: 'Ada', role: 'publisher' }] },
    // What effectiveGrant(policy(), makeManifest()) would give, but with the policy's 16 pages so the
    // limit rules have room to pass and fail in the cases below.
    limits: { fuel: 1_000_000, memoryPages: 16, wallMs: 1000, outputBytes: 4096, tableElements: 1000 },
    deniedImports: [],
    threat: { score: 0, band: 'low' },
    quarantined: false,
    approved: true,
    backend: 'worker-threads',
    legacy: null,
    ...overrides,
  };
}

const enc = new TextEncoder();

export function makeRun(overrides: Partial<RunResult> = {}, stdout = 'hello\n', stderr = ''): RunResult {
  return {
    outcome: { kind: 'ok', exitCode: 0 },
    fuelUsed: 1000,
    peakMemoryPages: 1,
    wallMs: 5,
    stdout: enc.encode(stdout),
    stderr: enc.encode(stderr),
    outputTruncated: false,
    capabilityDenials: [],
    ...overrides,
  };
}

/** Minimal valid policy JSON; tests add the rules they exercise. */
export function policyJson(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: POLICY_FORMAT,
    name: 'test',
    revision: 7,
    limits: { fuel: 10_000_000, memoryPages: 16, wallMs: 2000, outputBytes: 65536 },
    capabilities: ['stdout', 'stderr', 'exit'],
    ...extra,
  };
}

/** Parses or fails the test loudly: fixtures must be valid. */
export function policy(extra: Record<string, unknown> = {}): TPolicy {
  const r = parsePolicy(policyJson(extra));
  if (!r.ok) throw new Error(`fixture policy invalid: ${r.message}`);
  return r.value;
}
