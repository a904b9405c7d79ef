/**
 * Checks every backend relies on, run before a request reaches one (cheapest first). Returns a
 * finished result when the run must not start, or undefined when it may. Pure apart from a small
 * per-digest cache of the module's import and export facts.
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../result';
import { describeIssues, ZLimitsSchema } from '../module/manifest';
import { inspectWasm } from '../wasm/inspect';
import type { WasmReport } from '../wasm/report';
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

const factsOf = (report: WasmReport): LinkFacts => ({
  imports: report.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind as ImportKind })),
  functionExports: new Set(report.exports.filter((e) => e.kind === 'func').map((e) => e.name)),
});

function remember(digest: string, value: LinkFacts | 'malformed'): void {
  if (facts.size >= FACTS_CACHE) facts.delete(facts.keys().next().value!);
  facts.set(digest, value);
}

function linkFacts(digest: string, wasm: Uint8Array): LinkFacts | 'malformed' {
  const cached = facts.get(digest);
  if (cached) return cached;
  const inspected = inspectWasm(wasm);
  const value: LinkFacts | 'malformed' = inspected.ok ? factsOf(inspected.value) : 'malformed';
  remember(digest, value);
  return value;
}

/**
 * Reports made off the serving thread (the services' preparation port): with it, a large module is
 * hashed on the thread pool and never inspected on the thread that serves requests.
 */
export type ReportSource = (wasmSha256: string, wasm: Uint8Array) => Promise<WasmReport | undefined>;

/** Modules up to this size are hashed on the calling thread (SHA-256 of 64 KiB takes about 0.1 ms). */
export const HASH_HERE_MAX_BYTES = 64 * 1024;

/** Like checkRequest, without module work on this thread: hashing on the thread pool, the report from `reports`. */
export async function checkRequestOffThread(req: RunRequest, reports: ReportSource): Promise<Result<RunResult, 'INSTRUMENT_FAILED'> | undefined> {
  const limits = checkLimits(req);
  if (limits) return limits;
  // A small module is hashed here: handing 159 bytes to the thread pool cost more than hashing them
  // (about 0.3 ms of round trip per run under load, bench/profile-governed.ts). A large one still
  // goes to the pool, so this thread never spends long on it. The check itself runs on every run.
  const digest =
    req.wasm.length <= HASH_HERE_MAX_BYTES
      ? createHash('sha256').update(req.wasm).digest('hex')
      : Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', req.wasm as Uint8Array<ArrayBuffer>)).toString('hex');
  if (digest !== req.wasmSha256) return ok(emptyResult({ kind: 'denied', reason: 'wasm bytes do not match wasmSha256' }));
  if (!facts.has(digest)) {
    const report = await reports(digest, req.wasm);
    if (report) remember(digest, factsOf(report));
  }
  return checkLink(req, linkFacts(digest, req.wasm));
}

function checkLimits(req: RunRequest): Result<RunResult, 'INSTRUMENT_FAILED'> | undefined {
  // Limits normally arrive validated; re-check so a bad number fails closed instead of in a backend.
  const limits = ZLimitsSchema.safeParse(req.limits);
  if (!limits.success) {
    return ok(emptyResult({ kind: 'denied', reason: `invalid limits: ${describeIssues(limits.error).join('; ')}` }));
  }
  const preopens = preopensProblem(req.preopens ?? []);
  if (preopens) return ok(emptyResult({ kind: 'denied', reason: `invalid preopened directories: ${preopens}` }));
  return undefined;
}

/** Undefined when the request may run; otherwise how it ends, without executing. */
export function checkRequest(req: RunRequest): Result<RunResult, 'INSTRUMENT_FAILED'> | undefined {
  const limits = checkLimits(req);
  if (limits) return limits;
  // Backends cache compiled code by digest, so a wrong digest must never select another module's code.
  const digest = createHash('sha256').update(req.wasm).digest('hex');
  if (digest !== req.wasmSha256) return ok(emptyResult({ kind: 'denied', reason: 'wasm bytes do not match wasmSha256' }));
  return checkLink(req, linkFacts(digest, req.wasm));
}

function checkLink(req: RunRequest, link: LinkFacts | 'malformed'): Result<RunResult, 'INSTRUMENT_FAILED'> | undefined {
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
