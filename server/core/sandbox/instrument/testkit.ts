/**
 * Test-only helpers (imported by *.test.ts and the bench, never by product code): build
 * modules from WAT with wabt.js and run instrumented modules with a given budget.
 */
import { fuelAccounting, instrumentModule, type FuelAccounting, type Instrumented } from './index';

export { wat } from '../../wasm/test-wat';

/** Instruments or fails the test loudly (for tests where instrumentation must succeed). */
export function mustInstrument(wasm: Uint8Array, maxMemoryPages = 65536): Instrumented {
  const result = instrumentModule(wasm, { maxMemoryPages });
  if (!result.ok) throw new Error(`instrumentation failed: ${result.code} ${result.message}`);
  return result.value;
}

export const budgetImport = (budget: bigint) => ({
  nightcore: { fuel_budget: new WebAssembly.Global({ value: 'i64', mutable: false }, budget) },
});

export interface MeteredRun {
  readonly instance: WebAssembly.Instance;
  readonly exports: Record<string, WebAssembly.ExportValue>;
  /** Fuel left right now (negative after running out). */
  fuelLeft(): bigint;
  accounting(): FuelAccounting;
}

export function instantiateMetered(
  module: WebAssembly.Module, budget: bigint, extraImports: WebAssembly.Imports = {},
): MeteredRun {
  const instance = new WebAssembly.Instance(module, { ...extraImports, ...budgetImport(budget) });
  const exports = instance.exports as Record<string, WebAssembly.ExportValue>;
  const fuel = exports.nightcore_fuel as WebAssembly.Global;
  return {
    instance,
    exports,
    fuelLeft: () => fuel.value as bigint,
    accounting: () => fuelAccounting(budget, fuel.value as bigint),
  };
}

export const compile = (bytes: Uint8Array): WebAssembly.Module => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
