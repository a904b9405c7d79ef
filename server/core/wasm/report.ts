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
  readonly customSections: readonly WasmCustomSection[];
  readonly importedFunctionCount: number;
  /** Functions defined in this module (not imported). */
  readonly functionCount: number;
  readonly codeSizeBytes: number;
  readonly dataSizeBytes: number;
  readonly dataSegmentCount: number;
}
