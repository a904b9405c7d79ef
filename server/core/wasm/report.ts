/** What the inspector reports about a module, without executing it. */
export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternKind;
}

export interface WasmExport {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
}

export interface WasmMemory {
  readonly initialPages: number;
  readonly maximumPages: number | null;
  readonly imported: boolean;
  readonly shared: boolean;
  readonly memory64: boolean;
}

export interface WasmTable {
  readonly elementType: string; // 'funcref' | 'externref' | ...
  readonly initial: number;
  readonly maximum: number | null;
  readonly imported: boolean;
}

/**
 * Bounds on what the report holds, so its size depends on what matters, not on what an attacker
 * repeats: a 63 MB module of 22 million empty custom sections once took `inspect --json` to 4 GB.
 */
export const REPORT_BOUNDS = {
  /** Custom sections listed one by one; the rest are only counted in customSectionTotals. */
  listedCustomSections: 64,
  /** Characters kept of any name from the module (imports, exports, custom sections). */
  nameChars: 256,
} as const;

export interface WasmCustomSection {
  readonly name: string;
  readonly sizeBytes: number;
}

export interface WasmReport {
  readonly sizeBytes: number;
  readonly version: number;
  readonly imports: readonly WasmImport[];
  readonly exports: readonly WasmExport[];
  readonly memories: readonly WasmMemory[];
  readonly tables: readonly WasmTable[];
  readonly globalCount: number;
  /** Function index named by the start section, or null when there is none. */
  readonly startFunction: number | null;
  /** The first REPORT_BOUNDS.listedCustomSections custom sections, in module order. */
  readonly customSections: readonly WasmCustomSection[];
  /** Every custom section, listed or not. More than `customSections.length` means some went unlisted. */
  readonly customSectionTotals: { readonly count: number; readonly sizeBytes: number };
  readonly importedFunctionCount: number;
  /** Functions defined in this module (not imported). */
  readonly functionCount: number;
  readonly codeSizeBytes: number;
  readonly dataSizeBytes: number;
  readonly dataSegmentCount: number;
}
