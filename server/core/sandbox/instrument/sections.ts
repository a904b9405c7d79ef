/**
 * Parsers/rewriters for the module-level sections the instrumenter touches: imports (to add
 * the budget import), globals (to add the fuel counter), exports, memory limits, and every
 * constant expression (global inits, elem and data offsets, table inits), where global
 * indices must be shifted like in code.
 */
import type { ByteReader } from '../../wasm/reader';
import { EXTERN_KINDS, readExportCount, readExportEntry, readImportCount, readImportEntry, type ExportEntry } from '../../wasm/entries';
import { readLimits, readRefType, type Limits } from '../../wasm/types-decode';
import { ByteWriter, UnsupportedFeature } from './binary';
import { Kind, newInstr, readInstruction, skipValType } from './opcodes';

export type { ExportEntry } from '../../wasm/entries';
export type { Limits } from '../../wasm/types-decode';

/** Thrown when a module asks for more than the run may use (initial memory or table size above the cap). */
export class LimitExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitExceeded';
  }
}

/** The instrumenter meters plain 32-bit unshared memories only; other kinds are refused, not guessed. */
function requirePlainMemory(limits: Limits): Limits {
  if (limits.shared) throw new UnsupportedFeature('shared memory is not supported');
  if (limits.is64) throw new UnsupportedFeature('memory64 is not supported');
  return limits;
}

/** Memory section entry, decoded by the shared decoder (wasm/types-decode). */
export function readMemoryLimits(r: ByteReader): Limits {
  return requirePlainMemory(readLimits(r, 'memory'));
}

export interface ImportSummary {
  readonly count: number;
  readonly globals: number;
  readonly funcs: number;
  readonly tables: number;
  readonly memories: readonly Limits[];
  /** Byte range of the import entries (after the count), copied unchanged. */
  readonly entries: Uint8Array;
}

/** Import section through the shared entry decoder; the entries are copied unchanged. */
export function readImports(r: ByteReader): ImportSummary {
  const count = readImportCount(r);
  const start = r.pos;
  let globals = 0;
  let funcs = 0;
  let tables = 0;
  const memories: Limits[] = [];
  for (let i = 0; i < count; i++) {
    const entry = readImportEntry(r);
    if (entry.kind === 'func') funcs++;
    else if (entry.kind === 'global') globals++;
    else if (entry.kind === 'memory') memories.push(requirePlainMemory(entry.limits));
    else if (entry.kind === 'table') {
      if (entry.table.limits.is64) throw new UnsupportedFeature('64-bit tables are not supported');
      tables++;
    }
  }
  return { count, globals, funcs, tables, memories, entries: r.bytes.subarray(start, r.pos) };
}

function readMutability(r: ByteReader): number {
  const m = r.u8();
  if (m > 1) r.fail('invalid global mutability');
  return m;
}

/** Copies a constant expression up to and including its `end`, remapping global.get. */
export function copyConstExpr(r: ByteReader, out: ByteWriter, remapGlobal: (i: number) => number): void {
  const ins = newInstr();
  for (;;) {
    const at = r.pos;
    readInstruction(r, ins);
    if (ins.kind === Kind.GlobalGet) {
      out.byte(0x23).u32(remapGlobal(ins.index));
      continue;
    }
    if (ins.kind !== Kind.Plain && ins.kind !== Kind.End) r.fail('control instruction in a constant expression', at);
    out.bytes(r.bytes.subarray(at, r.pos));
    if (ins.kind === Kind.End) return;
  }
}

/** Global section: shifts global.get in initialisers and appends `extra` (a full entry). */
export function rewriteGlobals(r: ByteReader, remap: (i: number) => number, extra: Uint8Array): Uint8Array {
  const out = new ByteWriter(r.remaining + 16);
  const count = r.count(3);
  out.u32(count + 1);
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    skipValType(r);
    readMutability(r);
    out.bytes(r.bytes.subarray(at, r.pos));
    copyConstExpr(r, out, remap);
  }
  return out.bytes(extra).toBytes();
}

export function readGlobalCount(r: ByteReader): number {
  return r.count(3);
}

interface DefinedTable {
  /** Bytes of the reference type, copied as they are. */
  readonly refType: Uint8Array;
  readonly limits: Limits;
  /** 0x40 0x00 form: the initialiser expression (globals already remapped); null for the plain form. */
  readonly init: Uint8Array | null;
}

/**
 * Table section: every table's maximum is clamped so that all tables together never hold more
 * than `maxElements` (the effective grant's tableElements), like memory. The initial sizes must
 * fit (else LimitExceeded, before the engine allocates anything); the room left is shared evenly,
 * so a one-table module may grow to exactly the cap. Initialiser expressions get globals remapped.
 */
export function rewriteTables(r: ByteReader, remap: (i: number) => number, maxElements: number): Uint8Array {
  const count = r.count(2);
  const tables: DefinedTable[] = [];
  for (let i = 0; i < count; i++) {
    const withInit = r.bytes[r.pos] === 0x40;
    if (withInit && (r.u8(), r.u8() !== 0x00)) r.fail('invalid table initialiser prefix');
    const typeAt = r.pos;
    readRefType(r);
    const refType = r.bytes.subarray(typeAt, r.pos);
    const limits = readLimits(r, 'table');
    if (limits.is64) throw new UnsupportedFeature('64-bit tables are not supported');
    let init: Uint8Array | null = null;
    if (withInit) {
      const expr = new ByteWriter(16);
      copyConstExpr(r, expr, remap);
      init = expr.toBytes();
    }
    tables.push({ refType, limits, init });
  }
  const initial = tables.reduce((sum, t) => sum + t.limits.initial, 0);
  if (initial > maxElements) {
    throw new LimitExceeded(`tables need ${initial} initial elements, more than the cap of ${maxElements}`);
  }
  const share = count === 0 ? 0 : Math.floor((maxElements - initial) / count);
  const out = new ByteWriter(r.end - r.pos + 16 + count * 10);
  out.u32(count);
  for (const t of tables) {
    const max = Math.min(t.limits.maximum ?? Number.POSITIVE_INFINITY, t.limits.initial + share);
    if (t.init !== null) out.byte(0x40).byte(0x00);
    out.bytes(t.refType).byte(0x01).u32(t.limits.initial).u32(max);
    if (t.init !== null) out.bytes(t.init);
  }
  return out.toBytes();
}

/** The clamped maxima rewriteTables would produce, for reporting (same arithmetic). */
export function clampedTableElements(tables: readonly Limits[], maxElements: number): number {
  const initial = tables.reduce((sum, t) => sum + t.initial, 0);
  const share = tables.length === 0 ? 0 : Math.floor((maxElements - initial) / tables.length);
  return tables.reduce((sum, t) => sum + Math.min(t.maximum ?? Number.POSITIVE_INFINITY, t.initial + share), 0);
}

export function rewriteElems(r: ByteReader, remap: (i: number) => number): Uint8Array {
  const out = new ByteWriter(r.remaining + 16);
  const count = r.count(1);
  out.u32(count);
  for (let i = 0; i < count; i++) {
    const flags = r.u32();
    if (flags > 7) r.fail(`invalid elem segment flags ${flags}`);
    out.u32(flags);
    const active = (flags & 0x01) === 0;
    const explicitTable = (flags & 0x02) !== 0;
    const usesExprs = (flags & 0x04) !== 0;
    if (active && explicitTable) out.u32(r.u32());
    if (active) copyConstExpr(r, out, remap);
    if (!active || explicitTable) {
      // elemkind byte (funcidx form) or reference type (expression form)
      const at = r.pos;
      if (usesExprs) skipValType(r);
      else r.u8();
      out.bytes(r.bytes.subarray(at, r.pos));
    }
    const n = r.count(1);
    out.u32(n);
    for (let j = 0; j < n; j++) {
      if (usesExprs) copyConstExpr(r, out, remap);
      else out.u32(r.u32());
    }
  }
  return out.toBytes();
}

export function rewriteData(r: ByteReader, remap: (i: number) => number): Uint8Array {
  const out = new ByteWriter(r.remaining + 16);
  const count = r.count(1);
  out.u32(count);
  for (let i = 0; i < count; i++) {
    const flags = r.u32();
    if (flags > 2) r.fail(`invalid data segment flags ${flags}`);
    out.u32(flags);
    if (flags === 2) {
      const mem = r.u32();
      if (mem !== 0) throw new UnsupportedFeature('multi-memory data segment');
      out.u32(mem);
    }
    if (flags !== 1) copyConstExpr(r, out, remap);
    const len = r.u32();
    out.sized(r.take(len));
  }
  return out.toBytes();
}

export function readExports(r: ByteReader): ExportEntry[] {
  const count = readExportCount(r);
  const entries: ExportEntry[] = [];
  for (let i = 0; i < count; i++) entries.push(readExportEntry(r));
  return entries;
}

export function exportEntry(name: string, kind: ExportEntry['kind'], index: number): ExportEntry {
  return { name, rawName: new ByteWriter().name(name).toBytes(), kind, index };
}

export function writeExports(entries: readonly ExportEntry[]): Uint8Array {
  const out = new ByteWriter();
  out.u32(entries.length);
  for (const e of entries) out.bytes(e.rawName).byte(EXTERN_KINDS.indexOf(e.kind)).u32(e.index);
  return out.toBytes();
}

/** Type section: parameter count of every function type (GC rec/sub types are refused). */
export function readParamCounts(r: ByteReader): number[] {
  const count = r.count(3);
  const params: number[] = [];
  for (let i = 0; i < count; i++) {
    const form = r.u8();
    if (form === 0x4e || form === 0x50 || form === 0x4f || form === 0x5f || form === 0x5e) {
      throw new UnsupportedFeature('GC type definitions are not supported');
    }
    if (form !== 0x60) r.fail(`invalid function type form 0x${form.toString(16)}`);
    const np = r.count(1);
    for (let j = 0; j < np; j++) skipValType(r);
    const nr = r.count(1);
    for (let j = 0; j < nr; j++) skipValType(r);
    params.push(np);
  }
  return params;
}

export function readFunctionTypes(r: ByteReader): number[] {
  const count = r.count(1);
  const types: number[] = [];
  for (let i = 0; i < count; i++) types.push(r.u32());
  return types;
}
