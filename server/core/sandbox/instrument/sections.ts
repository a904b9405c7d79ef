/**
 * Parsers/rewriters for the module-level sections the instrumenter touches: imports (to add
 * the budget import), globals (to add the fuel counter), exports, memory limits, and every
 * constant expression (global inits, elem and data offsets, table inits), where global
 * indices must be shifted like in code.
 */
import type { ByteReader } from '../../wasm/reader';
import { ByteWriter, UnsupportedFeature } from './binary';
import { Kind, newInstr, readInstruction, skipValType } from './opcodes';

export interface Limits {
  readonly min: number;
  readonly max: number | null;
}

/** Memory limits: plain 32-bit unshared memories only. */
export function readMemoryLimits(r: ByteReader): Limits {
  const at = r.pos;
  const flags = r.u8();
  if (flags & 0x02) throw new UnsupportedFeature('shared memory is not supported');
  if (flags & 0x04) throw new UnsupportedFeature('memory64 is not supported');
  if (flags & 0x08) throw new UnsupportedFeature('custom page sizes are not supported');
  if (flags > 0x01) r.fail(`invalid memory limits flags 0x${flags.toString(16)}`, at);
  const min = r.u32();
  const max = flags & 0x01 ? r.u32() : null;
  return { min, max };
}

/** Table limits: only skipped (tables are copied as they are). */
export function skipTableType(r: ByteReader): void {
  skipValType(r);
  const at = r.pos;
  const flags = r.u8();
  if (flags & 0x04) throw new UnsupportedFeature('64-bit tables are not supported');
  if (flags > 0x03) r.fail(`invalid table limits flags 0x${flags.toString(16)}`, at);
  r.u32();
  if (flags & 0x01) r.u32();
}

export interface ImportSummary {
  readonly count: number;
  readonly globals: number;
  readonly funcs: number;
  readonly memories: readonly Limits[];
  /** Byte range of the import entries (after the count), copied unchanged. */
  readonly entries: Uint8Array;
}

export function readImports(r: ByteReader): ImportSummary {
  const count = r.count(4);
  const start = r.pos;
  let globals = 0;
  let funcs = 0;
  const memories: Limits[] = [];
  for (let i = 0; i < count; i++) {
    r.name();
    r.name();
    const kind = r.u8();
    switch (kind) {
      case 0: r.u32(); funcs++; break;
      case 1: skipTableType(r); break;
      case 2: memories.push(readMemoryLimits(r)); break;
      case 3: skipValType(r); readMutability(r); globals++; break;
      case 4: if (r.u8() !== 0) r.fail('invalid tag attribute'); r.u32(); break;
      default: r.fail(`invalid import kind ${kind}`);
    }
  }
  return { count, globals, funcs, memories, entries: r.bytes.subarray(start, r.pos) };
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

/** Table section: entries with an initialiser expression (0x40 0x00 prefix) get it remapped. */
export function rewriteTables(r: ByteReader, remap: (i: number) => number): Uint8Array {
  const out = new ByteWriter(r.remaining + 16);
  const count = r.count(3);
  out.u32(count);
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    const withInit = r.bytes[r.pos] === 0x40;
    if (withInit && r.u8() === 0x40 && r.u8() !== 0x00) r.fail('invalid table initialiser prefix');
    skipTableType(r);
    out.bytes(r.bytes.subarray(at, r.pos));
    if (withInit) copyConstExpr(r, out, remap);
  }
  return out.toBytes();
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

export interface ExportEntry {
  readonly name: string;
  /** The name exactly as encoded: re-encoding a decoded string would drop a leading BOM. */
  readonly rawName: Uint8Array;
  readonly kind: number;
  readonly index: number;
}

export function readExports(r: ByteReader): ExportEntry[] {
  const count = r.count(3);
  const entries: ExportEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    r.name(); // validates the UTF-8
    const rawName = r.bytes.subarray(at, r.pos);
    const name = exactUtf8.decode(rawName.subarray(leb32Size(rawName)));
    const kind = r.u8();
    if (kind > 4) r.fail(`invalid export kind ${kind}`);
    entries.push({ name, rawName, kind, index: r.u32() });
  }
  return entries;
}

/** Keeps a leading U+FEFF: export names are compared byte for byte by the engine. */
const exactUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function leb32Size(bytes: Uint8Array): number {
  let n = 0;
  while ((bytes[n]! & 0x80) !== 0) n++;
  return n + 1;
}

export function exportEntry(name: string, kind: number, index: number): ExportEntry {
  return { name, rawName: new ByteWriter().name(name).toBytes(), kind, index };
}

export function writeExports(entries: readonly ExportEntry[]): Uint8Array {
  const out = new ByteWriter();
  out.u32(entries.length);
  for (const e of entries) out.bytes(e.rawName).byte(e.kind).u32(e.index);
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
