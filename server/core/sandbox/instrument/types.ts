/** Shared types and protocol constants of the fuel instrumentation (see index.ts). */

/** LIMIT_EXCEEDED: the module's initial memory or tables are larger than the caps (a memory_limit outcome). */
export type InstrumentError = 'WASM_MALFORMED' | 'UNSUPPORTED' | 'LIMIT_EXCEEDED';

export interface InstrumentOptions {
  /** Cap for the module's own memory, in 64 KiB pages (0..65536). */
  readonly maxMemoryPages: number;
  /**
   * Cap for all defined tables together, in elements (0..MAX_TABLE_ELEMENTS); absent means
   * DEFAULT_TABLE_ELEMENTS, the same default as the limits schema. The sandbox always passes it.
   */
  readonly maxTableElements?: number;
}

export interface InstrumentedMemory {
  /** 'defined': the module's own memory, maximum clamped; 'imported': left as is (not clamped). */
  readonly source: 'defined' | 'imported';
  readonly initialPages: number;
  /** Effective maximum (clamped for defined memories; as declared, maybe null, for imported ones). */
  readonly maxPages: number | null;
}

export interface Instrumented {
  readonly bytes: Uint8Array;
  readonly fuelGlobalExport: 'nightcore_fuel';
  /** Export name under which the memory can be read (original name, or 'nightcore_memory'); null: no memory. */
  readonly memoryExport: string | null;
  /** null when the module has no memory at all. */
  readonly memory: InstrumentedMemory | null;
}

export const FUEL_IMPORT_MODULE = 'nightcore';
export const FUEL_IMPORT_NAME = 'fuel_budget';
export const FUEL_EXPORT = 'nightcore_fuel';
export const MEMORY_EXPORT = 'nightcore_memory';
/** 4 GiB of 64 KiB pages: the most a 32-bit memory can declare. */
export const MAX_PAGES = 65536;
