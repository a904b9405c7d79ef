import { createHash } from 'node:crypto';
import { ok, type Result } from '../result';
import { describeIssues, ZLimitsSchema } from '../module/manifest';
import type { RunOutcome, RunRequest, RunResult } from './types';
import type { CompiledModule, ModuleCache } from './module-cache';
import { checkLinkable, type ImportKind } from './wasi-imports';
import { preopensProblem } from './preopen-check';

/** A result for a run that never executed (or whose worker was lost): nothing measured. */
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

/**
 * Everything decided before a run reaches a worker, cheapest first. Returns the compiled module to
 * dispatch, or a finished RunResult when the run must not start (denied / missing entry).
 */
export function preflight(req: RunRequest, cache: ModuleCache): Result<CompiledModule | RunResult, 'INSTRUMENT_FAILED'> {
  // Limits normally arrive validated; re-check so a bad number fails closed instead of in a worker.
  const limits = ZLimitsSchema.safeParse(req.limits);
  if (!limits.success) {
    return ok(emptyResult({ kind: 'denied', reason: `invalid limits: ${describeIssues(limits.error).join('; ')}` }));
  }
  const preopens = preopensProblem(req.preopens ?? []);
  if (preopens) return ok(emptyResult({ kind: 'denied', reason: `invalid preopened directories: ${preopens}` }));
  // The cache is keyed by digest, so a wrong digest must never select another module's code.
  const digest = createHash('sha256').update(req.wasm).digest('hex');
  if (digest !== req.wasmSha256) {
    return ok(emptyResult({ kind: 'denied', reason: 'wasm bytes do not match wasmSha256' }));
  }
  const compiled = cache.getOrCompile(digest, req.wasm, req.limits.memoryPages);
  if (!compiled.ok) return compiled;
  const imports = compiled.value.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind as ImportKind }));
  const check = checkLinkable(imports);
  if (!check.allowed) {
    const reason = check.denied.map((d) => `${d.module}.${d.name}: ${d.reason}`).join('; ');
    return ok(emptyResult({ kind: 'denied', reason: `imports not provided: ${reason}` }));
  }
  if (!compiled.value.functionExports.has(req.entry)) {
    return ok(emptyResult({ kind: 'trap', trap: 'missing_entry' }));
  }
  return compiled;
}
