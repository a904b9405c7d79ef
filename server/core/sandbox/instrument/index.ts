/**
 * Fuel metering and memory clamping by rewriting the wasm binary ("governed execution").
 *
 * CONTRACT (used by the worker pool / WASI host):
 *
 *   instrumentModule(wasm: Uint8Array, opts: { maxMemoryPages: number })
 *     : Result<Instrumented, 'WASM_MALFORMED' | 'UNSUPPORTED'>
 *   Instrumented { bytes: Uint8Array; fuelGlobalExport: 'nightcore_fuel'; memoryExport: string | null;
 *                  memory: { source: 'defined' | 'imported'; initialPages; maxPages } | null }
 *
 * Protocol of the instrumented module:
 * - It imports an immutable i64 global `nightcore`.`fuel_budget` and defines a mutable i64
 *   global initialised from it, exported as `nightcore_fuel` (fuel left). One compiled module
 *   serves every budget, and the start function is metered too. Instantiate with
 *   `{ nightcore: { fuel_budget: new WebAssembly.Global({ value: 'i64' }, budget) }, ...wasi }`.
 * - Every straight-line segment of original code is charged before it runs, 1 fuel per
 *   original instruction (all opcodes, incl. block/loop/end/else; memory.grow and bulk
 *   memory/table ops are flat 1: their size is bounded by the memory cap and wall clock).
 *   See meter.ts for where segments start. When a charge would go below zero, the fuel
 *   global is left negative and the module executes `unreachable` (a RuntimeError).
 * - So after the run, with left = exports.nightcore_fuel.value:
 *     left < 0  ⇒ outcome out_of_fuel, fuel used = budget exactly;
 *     left >= 0 ⇒ fuel used = budget - left (exact count of original instructions executed,
 *                 except that a real trap counts the rest of its segment).
 *   fuelAccounting() below does this arithmetic. Same module + input + budget ⇒ same fuel,
 *   same stopping point.
 * - Memory: the module's own memory gets maximum = min(declared max, maxMemoryPages), so
 *   memory.grow returns -1 past the cap; initial > maxMemoryPages ⇒ err('UNSUPPORTED').
 *   If it is not exported it is exported as `nightcore_memory`; memory never shrinks, so
 *   its final byteLength / 65536 is the peak in pages. An imported memory is not clamped
 *   (the host creates it with its own maximum) but is exported the same way and reported.
 *   Shared memory, memory64, multi-memory, GC and atomics ⇒ err('UNSUPPORTED').
 * - Global indices: the budget import is appended after all existing imports, so imported
 *   globals keep their index and defined globals shift by one (rewritten everywhere: code,
 *   constant expressions, exports). The fuel global is the last global. The "name" custom
 *   section is copied unchanged (debug names of defined globals are then off by one).
 *
 * The input must also pass WebAssembly.validate (the engine that will run it is the most
 * reliable judge of malformed/invalid bytes; anything it rejects is WASM_MALFORMED), and the
 * output is validated again so a rewriter bug fails closed instead of running.
 */
import { err, type Result } from '../../result';
import { rewriteModule } from './rewrite';
import type { InstrumentError, InstrumentOptions, Instrumented } from './types';

export type { InstrumentError, InstrumentOptions, Instrumented, InstrumentedMemory } from './types';
export { FUEL_EXPORT, FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME, MEMORY_EXPORT } from './types';

export function instrumentModule(wasm: Uint8Array, opts: InstrumentOptions): Result<Instrumented, InstrumentError> {
  // The rewriter's own diagnosis comes first: it names unsupported features (memory64,
  // multi-memory, ...) that the engine would only report as invalid.
  const result = rewriteModule(wasm, opts);
  if (!result.ok) return result;
  if (!engineAccepts(wasm)) return err('WASM_MALFORMED', 'module does not pass WebAssembly validation');
  if (!engineAccepts(result.value.bytes)) {
    // Only reachable through a rewriter bug or an engine limit (e.g. locals per function).
    return err('UNSUPPORTED', 'instrumented module failed WebAssembly validation');
  }
  return result;
}

// The DOM typings want an ArrayBuffer-backed view; the engine reads any byte view.
const engineAccepts = (bytes: Uint8Array): boolean => WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>);

export interface FuelAccounting {
  readonly outOfFuel: boolean;
  /** Exactly `budget` when out of fuel. */
  readonly fuelUsed: bigint;
}

/** Turns the budget and the final value of `nightcore_fuel` into the recorded numbers. */
export function fuelAccounting(budget: bigint, fuelLeft: bigint): FuelAccounting {
  if (fuelLeft < 0n) return { outOfFuel: true, fuelUsed: budget };
  return { outOfFuel: false, fuelUsed: budget - fuelLeft };
}
