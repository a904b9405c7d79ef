// @ts-check
/**
 * Runs one instrumented module to completion inside the current thread and reports how it ended.
 * Never throws: every way a run can end becomes an outcome. Plain ES module (loaded by worker.mjs).
 *
 * Outcome rules (documented in README.md beside this file):
 * - proc_exit(n) → ok with exitCode n; the entry returning normally → ok with exitCode 0.
 * - RuntimeError while nightcore_fuel < 0 → out_of_fuel, fuelUsed = budget exactly.
 * - RangeError "Maximum call stack size exceeded" → trap 'stack_overflow'.
 * - Other RuntimeErrors → trap with a normalized kind (see TRAP_KINDS), or 'other'.
 * - memory_limit: a RangeError allocating memory, OR a trap / out_of_fuel ending a run whose memory
 *   grew during the run up to the cap (peak pages ≥ cap > pages at instantiation). A module that
 *   handles memory.grow = -1 and exits normally is ok: the cap was enforced and the module coped.
 * - Entry not exported as a function → trap 'missing_entry' (the module, not the sandbox, is at fault;
 *   the pool checks this before dispatch too, so it normally never reaches a worker).
 * - Anything else (host bug, link error) → crashed, and the worker is recycled.
 */
import { createWasiHost, ProcExit, ProcRaise } from './wasi-host.mjs';
import { ABORT_MODULE, AbortTrap, createAbortImport } from './assemblyscript-abort.mjs';
import { invokeExport } from './invoke.mjs';

export const FUEL_EXPORT = 'nightcore_fuel';
const PAGE = 65536;

/** V8 trap messages → stable kinds. First match wins. */
const TRAP_KINDS = [
  [/^unreachable/, 'unreachable'],
  [/divide by zero|remainder by zero/, 'integer_divide_by_zero'],
  [/divide result unrepresentable/, 'integer_overflow'],
  [/float unrepresentable in integer range/, 'invalid_conversion_to_integer'],
  [/memory access out of bounds|data segment.*out of bounds/, 'out_of_bounds_memory_access'],
  [/table index is out of bounds|table access out of bounds|element segment.*out of bounds/, 'out_of_bounds_table_access'],
  [/null function or function signature mismatch|signature mismatch/, 'indirect_call_type_mismatch'],
];

/** @param {string} message */
export function trapKind(message) {
  for (const [re, kind] of TRAP_KINDS) if (/** @type {RegExp} */ (re).test(message)) return /** @type {string} */ (kind);
  return 'other';
}

/**
 * @typedef {object} RunJob
 * @property {WebAssembly.Module} module   instrumented (fuel + memory clamp)
 * @property {string} entry
 * @property {string | null} memoryExport
 * @property {number} fuelBudget
 * @property {number} memoryPagesCap
 * @property {readonly string[]} capabilities
 * @property {readonly string[]} args
 * @property {Readonly<Record<string, string>>} env
 * @property {Uint8Array} stdin
 * @property {bigint} seed
 * @property {number} outputBytes
 * @property {readonly import('./vfs/snapshot.mjs').Preopen[]} [preopens]
 * @property {import('./invoke.mjs').Invocation | null} [invoke]  set for `nightcore call`: entry is the export
 */

/**
 * @typedef {{ kind: 'ok', exitCode: number } | { kind: 'trap', trap: string, message?: string } | { kind: 'out_of_fuel' }
 *   | { kind: 'memory_limit' } | { kind: 'crashed', message: string }} WorkerOutcome
 */

/**
 * @typedef {object} RunReport
 * @property {WorkerOutcome} outcome
 * @property {number} fuelUsed
 * @property {number} peakMemoryPages
 * @property {Uint8Array} stdout
 * @property {Uint8Array} stderr
 * @property {boolean} outputTruncated
 * @property {readonly { fn: string, capability: string | null, errno: string, count: number, samples: readonly string[] }[]} capabilityDenials
 * @property {import('./vfs/snapshot.mjs').Preopen[]} filesystem   each preopen's final state
 * @property {import('./invoke.mjs').WasmValue[]} [returnValues]  results of an invocation that returned
 * @property {boolean} recycle   true when the thread may be unhealthy and should be replaced
 */

/** @param {unknown} e */
const messageOf = (e) => (e instanceof Error ? e.message : String(e));

/** Thrown by the fuel charge of a host call when the budget cannot pay for it. */
export class FuelExhausted {}

/**
 * @param {unknown} e
 * @param {boolean} fuelExhausted
 * @returns {{ outcome: WorkerOutcome, recycle: boolean }}
 */
function classify(e, fuelExhausted) {
  if (e instanceof ProcExit) return { outcome: { kind: 'ok', exitCode: e.code }, recycle: false };
  if (e instanceof FuelExhausted) return { outcome: { kind: 'out_of_fuel' }, recycle: false };
  if (e instanceof ProcRaise) return { outcome: { kind: 'trap', trap: 'proc_raise' }, recycle: false };
  if (e instanceof AbortTrap) return { outcome: { kind: 'trap', trap: 'abort', message: e.message }, recycle: false };
  if (e instanceof WebAssembly.RuntimeError) {
    if (fuelExhausted) return { outcome: { kind: 'out_of_fuel' }, recycle: false };
    return { outcome: { kind: 'trap', trap: trapKind(e.message) }, recycle: false };
  }
  if (e instanceof RangeError && /Maximum call stack size exceeded/.test(e.message)) {
    return { outcome: { kind: 'trap', trap: 'stack_overflow' }, recycle: false };
  }
  if (e instanceof RangeError && /memory|allocat/i.test(e.message)) {
    return { outcome: { kind: 'memory_limit' }, recycle: true };
  }
  // WebAssembly.Exception (exception handling proposal) is missing from older lib typings.
  const WasmException = /** @type {{ Exception?: Function }} */ (/** @type {unknown} */ (WebAssembly)).Exception;
  if (typeof WasmException === 'function' && e instanceof WasmException) {
    return { outcome: { kind: 'trap', trap: 'uncaught_exception' }, recycle: false };
  }
  const what = e instanceof WebAssembly.LinkError ? 'link error' : 'sandbox error';
  return { outcome: { kind: 'crashed', message: `${what}: ${messageOf(e)}` }, recycle: true };
}

/** @param {RunJob} job @returns {RunReport} */
export function runModule(job) {
  const budget = BigInt(job.fuelBudget);
  /** @type {WebAssembly.Instance | null} */
  let instance = null;
  const exported = (/** @type {string} */ name) => (instance ? instance.exports[name] : undefined);
  const memory = () => {
    const m = job.memoryExport === null ? undefined : exported(job.memoryExport);
    return m instanceof WebAssembly.Memory ? m : null;
  };
  const pages = () => (memory()?.buffer.byteLength ?? 0) / PAGE;
  // Fuel left as the module sees it; before instantiation finishes (start function) it is unknown.
  const fuelLeft = () => {
    const g = exported(FUEL_EXPORT);
    return g instanceof WebAssembly.Global ? /** @type {bigint} */ (g.value) : budget;
  };
  const fuelUsed = () => {
    const left = fuelLeft();
    return left < 0n ? budget : budget - left;
  };
  // Host calls pay from the same budget as instructions. Before the instance exists (a start
  // function) the fuel global cannot be reached, so those calls are free (README: known limits).
  const chargeFuel = (/** @type {bigint} */ units) => {
    const g = exported(FUEL_EXPORT);
    if (!(g instanceof WebAssembly.Global)) return;
    const left = /** @type {bigint} */ (g.value) - units;
    g.value = left < 0n ? -1n : left;
    if (left < 0n) throw new FuelExhausted();
  };
  const host = createWasiHost({
    capabilities: job.capabilities,
    args: job.args,
    env: job.env,
    stdin: job.stdin,
    seed: job.seed,
    outputBytes: job.outputBytes,
    getMemory: memory,
    getFuelUsed: fuelUsed,
    preopens: job.preopens ?? [],
    chargeFuel,
    only: WebAssembly.Module.imports(job.module).flatMap((i) => (i.module === 'wasi_snapshot_preview1' ? [i.name] : [])),
  });
  const imports = {
    wasi_snapshot_preview1: host.imports,
    nightcore: { fuel_budget: new WebAssembly.Global({ value: 'i64', mutable: false }, budget) },
    // AssemblyScript's env.abort, the only non-WASI function linked (checkImports admits nothing else from env).
    [ABORT_MODULE]: createAbortImport(memory),
  };

  /** @type {WorkerOutcome} */
  let outcome;
  let recycle = false;
  let initialPages = 0;
  /** @type {import('./invoke.mjs').WasmValue[] | undefined} */
  let returnValues;
  try {
    instance = new WebAssembly.Instance(job.module, imports);
    initialPages = pages();
    if (!(exported(FUEL_EXPORT) instanceof WebAssembly.Global)) {
      throw new Error(`module is not instrumented: no ${FUEL_EXPORT} export`);
    }
    const entry = exported(job.entry);
    if (job.invoke) {
      const called = invokeExport(exported, job.entry, job.invoke);
      outcome = called.found ? { kind: 'ok', exitCode: 0 } : { kind: 'trap', trap: 'missing_entry' };
      if (called.found) returnValues = called.returnValues;
    } else if (typeof entry !== 'function') {
      outcome = { kind: 'trap', trap: 'missing_entry' };
    } else {
      entry();
      outcome = { kind: 'ok', exitCode: 0 };
    }
  } catch (e) {
    ({ outcome, recycle } = classify(e, fuelLeft() < 0n));
  }

  const peakMemoryPages = pages();
  const grewToCap = job.memoryPagesCap > 0 && peakMemoryPages >= job.memoryPagesCap && peakMemoryPages > initialPages;
  if ((outcome.kind === 'trap' || outcome.kind === 'out_of_fuel') && grewToCap) outcome = { kind: 'memory_limit' };

  const out = host.output();
  return {
    outcome,
    fuelUsed: Number(fuelUsed()),
    peakMemoryPages,
    stdout: out.stdout,
    stderr: out.stderr,
    outputTruncated: out.truncated,
    capabilityDenials: host.capabilityDenials(),
    filesystem: host.filesystem(),
    ...(returnValues === undefined ? {} : { returnValues }),
    recycle,
  };
}
