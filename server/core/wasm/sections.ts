/**
 * Per-section decoders. Each takes a reader bounded to one section's payload and records what
 * the report needs into a shared accumulator. They decode every structure in full (rather than
 * trusting sizes) so that the counts and names they report are the ones a real decoder sees.
 */
import { ByteReader } from './reader';
import type { WasmExport, WasmImport, WasmMemory, WasmTable } from './report';
import { skipConstExpr } from './const-expr';
import { readExportCount, readExportEntry, readImportCount, readImportEntry } from './entries';
import {
  hex,
  peek,
  readGlobalType,
  readLimits,
  readRecType,
  readTableType,
  readTagType,
  readValType,
} from './types-decode';

export interface ModuleFacts {
  typeCount: number;
  imports: WasmImport[];
  exports: WasmExport[];
  memories: WasmMemory[];
  tables: WasmTable[];
  importedFunctionCount: number;
  importedGlobalCount: number;
  importedTagCount: number;
  /** Entries in the function section; null when the section is absent. */
  functionCount: number | null;
  globalCount: number;
  tagCount: number;
  startFunction: number | null;
  elementSegmentCount: number;
  dataCount: number | null;
  dataSegmentCount: number | null;
  codeBodyCount: number | null;
  /** Byte offset of each non-custom section header, so cross-section errors can point at one. */
  sectionAt: Record<string, number>;
}

export function emptyFacts(): ModuleFacts {
  return {
    typeCount: 0,
    imports: [],
    exports: [],
    memories: [],
    tables: [],
    importedFunctionCount: 0,
    importedGlobalCount: 0,
    importedTagCount: 0,
    functionCount: null,
    globalCount: 0,
    tagCount: 0,
    startFunction: null,
    elementSegmentCount: 0,
    dataCount: null,
    dataSegmentCount: null,
    codeBodyCount: null,
    sectionAt: {},
  };
}

function toMemory(limits: ReturnType<typeof readLimits>, imported: boolean): WasmMemory {
  return {
    initialPages: limits.initial,
    maximumPages: limits.maximum,
    imported,
    shared: limits.shared,
    memory64: limits.is64,
  };
}

function toTable(type: ReturnType<typeof readTableType>, imported: boolean): WasmTable {
  return { elementType: type.elementType, initial: type.limits.initial, maximum: type.limits.maximum, imported };
}

export function readTypeSection(r: ByteReader, f: ModuleFacts): void {
  // Each entry is at least 2 bytes (an empty recursion group).
  for (let n = r.count(2), i = 0; i < n; i++) f.typeCount += readRecType(r);
}

export function readImportSection(r: ByteReader, f: ModuleFacts): void {
  for (let n = readImportCount(r), i = 0; i < n; i++) {
    const entry = readImportEntry(r);
    if (entry.kind === 'func') f.importedFunctionCount++;
    else if (entry.kind === 'table') f.tables.push(toTable(entry.table, true));
    else if (entry.kind === 'memory') f.memories.push(toMemory(entry.limits, true));
    else if (entry.kind === 'global') f.importedGlobalCount++;
    else f.importedTagCount++;
    f.imports.push({ module: entry.module, name: entry.name, kind: entry.kind });
  }
}

export function readFunctionSection(r: ByteReader, f: ModuleFacts): void {
  const n = r.count();
  for (let i = 0; i < n; i++) r.u32();
  f.functionCount = n;
}

export function readTableSection(r: ByteReader, f: ModuleFacts): void {
  for (let n = r.count(2), i = 0; i < n; i++) {
    // 0x40 0x00 introduces a table with an explicit initialiser expression.
    if (peek(r) === 0x40) {
      r.pos++;
      const at = r.pos;
      if (r.u8() !== 0x00) r.fail('malformed table initialiser prefix', at);
      const type = readTableType(r);
      skipConstExpr(r);
      f.tables.push(toTable(type, false));
    } else {
      f.tables.push(toTable(readTableType(r), false));
    }
  }
}

export function readMemorySection(r: ByteReader, f: ModuleFacts): void {
  for (let n = r.count(2), i = 0; i < n; i++) f.memories.push(toMemory(readLimits(r, 'memory'), false));
}

export function readTagSection(r: ByteReader, f: ModuleFacts): void {
  const n = r.count(2);
  for (let i = 0; i < n; i++) readTagType(r);
  f.tagCount = n;
}

export function readGlobalSection(r: ByteReader, f: ModuleFacts): void {
  // value type, mutability, and at least an `end`.
  const n = r.count(3);
  for (let i = 0; i < n; i++) {
    readGlobalType(r);
    skipConstExpr(r);
  }
  f.globalCount = n;
}

export function readExportSection(r: ByteReader, f: ModuleFacts): void {
  for (let n = readExportCount(r), i = 0; i < n; i++) {
    const { name, kind, index } = readExportEntry(r);
    f.exports.push({ name, kind, index });
  }
}

export function readStartSection(r: ByteReader, f: ModuleFacts): void {
  f.startFunction = r.u32();
}

/** Element kind byte of the legacy encodings: only 0x00 (funcref) exists. */
function readElemKind(r: ByteReader): void {
  const at = r.pos;
  const kind = r.u8();
  if (kind !== 0x00) r.fail(`malformed element kind 0x${hex(kind)}`, at);
}

export function readElementSection(r: ByteReader, f: ModuleFacts): void {
  // flags, a 1-byte expression or type, and an item count: at least 3 bytes.
  const n = r.count(3);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const flags = r.u32();
    if (flags > 7) r.fail(`malformed element segment flags ${flags}`, at);
    // Bit 0: passive or declarative; bit 1: explicit table index (active) or declarative;
    // bit 2: items are expressions with a reference type instead of function indices.
    const active = (flags & 0x01) === 0;
    if (flags === 2 || flags === 6) r.u32();
    if (active) skipConstExpr(r);
    const usesExpressions = (flags & 0x04) !== 0;
    // Flags 0 and 4 imply funcref and carry no type byte.
    if (flags !== 0 && flags !== 4) {
      if (usesExpressions) readValType(r);
      else readElemKind(r);
    }
    const items = r.count();
    for (let j = 0; j < items; j++) {
      if (usesExpressions) skipConstExpr(r);
      else r.u32();
    }
  }
  f.elementSegmentCount = n;
}

export function readDataCountSection(r: ByteReader, f: ModuleFacts): void {
  f.dataCount = r.u32();
}

export function readDataSection(r: ByteReader, f: ModuleFacts): void {
  // Each segment is at least 2 bytes (passive flag and an empty byte vector).
  const n = r.count(2);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const flags = r.u32();
    if (flags > 2) r.fail(`malformed data segment flags ${flags}`, at);
    if (flags === 2) r.u32();
    if (flags !== 1) skipConstExpr(r);
    r.skip(r.u32());
  }
  f.dataSegmentCount = n;
}

/** Upper bound on locals per function in the spec (2^32 - 1); beyond it a module is malformed. */
const MAX_LOCALS = 0xffff_ffff;

export function readCodeSection(r: ByteReader, f: ModuleFacts): void {
  // Each body is at least 3 bytes: its size, an empty locals vector and `end`.
  const n = r.count(3);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const size = r.u32();
    if (size > r.remaining) r.fail(`function body ${i} of ${size} bytes runs past the section`, at);
    // A reader bounded to the body, so a locals vector cannot spill into the next body.
    const body = new ByteReader(r.bytes, r.pos, r.pos + size);
    r.pos += size;
    // Locals are decoded (cheap, and a classic place for hostile counts); instructions are skipped.
    let locals = 0;
    for (let groups = body.count(2), g = 0; g < groups; g++) {
      locals += body.u32();
      if (locals > MAX_LOCALS) body.fail(`function body ${i} declares too many locals`, at);
      readValType(body);
    }
    if (body.atEnd()) body.fail(`function body ${i} has no instructions`);
    // Every expression ends with `end`, so a body whose last byte is not 0x0b cannot be well formed.
    if (body.bytes[body.end - 1] !== 0x0b) {
      body.fail(`function body ${i} does not end with an end opcode`, body.end - 1);
    }
  }
  f.codeBodyCount = n;
}
