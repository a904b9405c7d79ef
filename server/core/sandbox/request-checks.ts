/**
 * Checks every backend relies on, run before a request reaches one (cheapest first). Returns a
 * finished result when the run must not start, or undefined when it may. Pure apart from a small
 * per-digest cache of the module's import and export facts.
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../result';
import { describeIssues, ZLimitsSchema } from '../module/manifest';
import { inspectWasm } from '../wasm/inspect';
import type { RunOutcome, RunRequest, RunResult } from './types';
import { checkImports, type ImportKind } from './wasi-imports';
import { preopensProblem } from './preopen-check';

/** A result for a run that never executed (or whose executor was lost): nothing measured. */
export const emptyResult = (outcome: RunOutcome, wallMs = 0): RunResult => ({
  outcome,
  fuelUsed: 0,
  peakMemoryPages: 0,
  wallMs,
  stdout: new Uint8Array(0),
  stderr: new Uint8Array(0),
  outputTruncated: false,
  capabilityDenials: [],
});

interface LinkFacts {
  readonly imports: readonly { module: string; name: string; kind: ImportKind }[];
  readonly functionExports: ReadonlySet<string>;
}

const FACTS_CACHE = 256;
const facts = new Map<string, LinkFacts | 'malformed'>();

function linkFacts(digest: string, wasm: Uint8Array): LinkFacts | 'malformed' {
  const cached = facts.get(digest);
  if (cached) return cached;
  const inspected = inspectWasm(wasm);
  const value: LinkFacts | 'malformed' = inspected.ok
    ? {
        imports: inspected.value.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind as ImportKind })),
        functionExports: new Set(inspected.value.exports.filter((e) => e.kind === 'func').map((e) => e.name)),
      }
    : 'malformed';
  if (facts.size >= FACTS_CACHE) facts.delete(facts.keys().next().value!);
  facts.set(digest, value);
  return value;
}

/** Undefined when the request may run; otherwise how it ends, without executing. */
export function checkRequest(req: RunRequest): Result<RunResult, 'INSTRUMENT_FAILED'> | undefined {
  // Limits normally arrive validated; re-check so a bad number fails closed instead of in a backend.
  const limits = ZLimitsSchema.safeParse(req.limits);
  if (!limits.success) {
    return ok(emptyResult({ kind: 'denied', reason: `invalid limits: ${describeIssues(limits.error).join('; ')}` }));
  }
  const preopens = preopensProblem(req.preopens ?? []);
  if (preopens) return ok(emptyResult({ kind: 'denied', reason: `invalid preopened directories: ${preopens}` }));
  // Backends cache compiled code by digest, so a wrong digest must never select another module's code.
  const digest = createHash('sha256').update(req.wasm).digest('hex');
  if (digest !== req.wasmSha256) return ok(emptyResult({ kind: 'denied', reason: 'wasm bytes do not match wasmSha256' }));
  const link = linkFacts(digest, req.wasm);
  // Same code as a backend that fails to instrument it: the sandbox cannot meter what it cannot read.
  if (link === 'malformed') return err('INSTRUMENT_FAILED', 'the module does not parse as WebAssembly');
  // All 46 preview1 functions link whatever the grant: the grant is enforced at each call.
  const check = checkImports(link.imports);
  if (!check.allowed) {
    const reason = check.denied.map((d) => `${d.module}.${d.name}: ${d.reason}`).join('; ');
    return ok(emptyResult({ kind: 'denied', reason: `imports not provided: ${reason}` }));
  }
  if (!link.functionExports.has(req.entry)) return ok(emptyResult({ kind: 'trap', trap: 'missing_entry' }));
  return undefined;
}
