import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../result';
import { describeIssues, tableElementsOf, ZLimitsSchema } from '../module/manifest';
import type { RunOutcome, RunRequest, RunResult } from './types';
import type { CompiledModule, ModuleCache, PrepareFn } from './module-cache';
import { checkImports, type ImportKind } from './wasi-imports';

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
export async function preflight(
  req: RunRequest, cache: ModuleCache, prepare?: PrepareFn,
): Promise<Result<CompiledModule | RunResult, 'INSTRUMENT_FAILED'>> {
  // Limits normally arrive validated; re-check so a bad number fails closed instead of in a worker.
  const limits = ZLimitsSchema.safeParse(req.limits);
  if (!limits.success) {
    return ok(emptyResult({ kind: 'denied', reason: `invalid limits: ${describeIssues(limits.error).join('; ')}` }));
  }
  // The cache is keyed by digest, so a wrong digest must never select another module's code.
  // Hashed on the thread pool when preparation is off-thread: a large module must not stall this thread.
  const digest = prepare ? await sha256Off(req.wasm) : createHash('sha256').update(req.wasm).digest('hex');
  if (digest !== req.wasmSha256) {
    return ok(emptyResult({ kind: 'denied', reason: 'wasm bytes do not match wasmSha256' }));
  }
  const caps = { maxMemoryPages: req.limits.memoryPages, maxTableElements: tableElementsOf(req.limits) };
  const compiled = prepare ? await cache.getOrPrepare(digest, req.wasm, caps, prepare) : cache.getOrCompile(digest, req.wasm, caps);
  // Initial memory or tables above the caps: refused before the engine allocates any of it, and
  // reported as the limit it hit (with its decision record), never as a crash of the process.
  if (!compiled.ok && compiled.code === 'LIMIT_EXCEEDED') return ok(emptyResult({ kind: 'memory_limit' }));
  if (!compiled.ok) return err('INSTRUMENT_FAILED', compiled.message);
  const imports = compiled.value.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind as ImportKind }));
  const check = checkImports(imports, req.capabilities);
  if (!check.allowed) {
    const reason = check.denied.map((d) => `${d.module}.${d.name}: ${d.reason}`).join('; ');
    return ok(emptyResult({ kind: 'denied', reason: `imports not granted: ${reason}` }));
  }
  if (!compiled.value.functionExports.has(req.entry)) {
    return ok(emptyResult({ kind: 'trap', trap: 'missing_entry' }));
  }
  return compiled;
}

/** SHA-256 through WebCrypto, which Node computes on its thread pool. */
async function sha256Off(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Buffer.from(digest).toString('hex');
}
