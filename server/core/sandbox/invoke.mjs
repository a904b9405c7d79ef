// @ts-check
/**
 * Calls one exported function with typed arguments, for `nightcore call`. Plain ES module (loaded by
 * run-module.mjs inside the worker). Arguments arrive already checked against the export's
 * signature (call-args.ts parses them); this only converts at the JS boundary:
 * i64 ⇄ BigInt, i32/f32/f64 ⇄ Number. Reactors (modules exporting `_initialize`) are initialized
 * first, as the WASI reactor ABI requires, exactly once.
 */

export const INITIALIZE_EXPORT = '_initialize';

/**
 * @typedef {{ type: 'i32' | 'f32' | 'f64', value: number } | { type: 'i64', value: bigint }} WasmValue
 * @typedef {{ args: readonly WasmValue[], results: readonly ('i32' | 'i64' | 'f32' | 'f64')[] }} Invocation
 */

/**
 * Types a raw JS result as the declared result type. A value of the wrong JS type means the caller's
 * signature did not match the module's: an error, never a silently wrong number.
 * @param {unknown} raw @param {'i32' | 'i64' | 'f32' | 'f64'} type @returns {WasmValue}
 */
function typed(raw, type) {
  if (type === 'i64') {
    if (typeof raw !== 'bigint') throw new TypeError(`result declared i64 but the module returned ${typeof raw}`);
    return { type, value: raw };
  }
  if (typeof raw !== 'number') throw new TypeError(`result declared ${type} but the module returned ${typeof raw}`);
  return { type, value: raw };
}

/**
 * Runs `_initialize` (when exported and not itself the target), then the target with `invocation.args`.
 * Traps and proc_exit propagate to the caller, which classifies them like any run.
 * @param {(name: string) => unknown} exported
 * @param {string} target
 * @param {Invocation} invocation
 * @returns {{ found: false } | { found: true, returnValues: WasmValue[] }}
 */
export function invokeExport(exported, target, invocation) {
  const fn = exported(target);
  if (typeof fn !== 'function') return { found: false };
  const init = exported(INITIALIZE_EXPORT);
  if (target !== INITIALIZE_EXPORT && typeof init === 'function') init();
  const raw = fn(...invocation.args.map((a) => a.value));
  const list = invocation.results.length === 0 ? [] : invocation.results.length === 1 ? [raw] : /** @type {unknown[]} */ (raw);
  if (!Array.isArray(list) || list.length !== invocation.results.length) {
    throw new TypeError(`the export returned ${Array.isArray(list) ? list.length : 'no list of'} results, ${invocation.results.length} declared`);
  }
  return { found: true, returnValues: list.map((v, i) => typed(v, invocation.results[i] ?? 'i32')) };
}
