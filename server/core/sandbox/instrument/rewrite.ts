/**
 * The module rewriter behind instrumentModule (index.ts): splits the binary into sections,
 * adds the budget import, the fuel global and the exports, clamps the memory and meters
 * every function body. It trusts nothing: every read is bounds-checked and every index is
 * range-checked, so malformed input yields err('WASM_MALFORMED') without throwing or hanging.
 */
import { ByteReader, WasmFormatError } from '../../wasm/reader';
import { err, ok, type Result } from '../../result';
import { ByteWriter, UnsupportedFeature, sectionRank } from './binary';
import { meterFunctionBody, type BodyContext, type ChargeStyle } from './meter';
import {
  readExports, readFunctionTypes, readGlobalCount, readImports, readMemoryLimits, readParamCounts,
  exportEntry, rewriteData, rewriteElems, rewriteGlobals, rewriteTables, writeExports, LimitExceeded,
  type ExportEntry, type ImportSummary, type Limits,
} from './sections';
import { DEFAULT_TABLE_ELEMENTS, MAX_TABLE_ELEMENTS } from '../../module/table-limits';
import {
  FUEL_EXPORT, FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME, MAX_PAGES, MEMORY_EXPORT,
  type InstrumentError, type InstrumentOptions, type Instrumented,
} from './types';

interface Section {
  readonly id: number;
  readonly payload: Uint8Array;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** No engine validation here: instrumentModule (index.ts) adds it. `chargeStyle` is for the bench. */
export function rewriteModule(
  wasm: Uint8Array, opts: InstrumentOptions, chargeStyle: ChargeStyle = 'scratch-local',
): Result<Instrumented, InstrumentError> {
  const max = opts.maxMemoryPages;
  if (!Number.isInteger(max) || max < 0 || max > MAX_PAGES) {
    return err('UNSUPPORTED', `maxMemoryPages must be an integer from 0 to ${MAX_PAGES}, got ${String(max)}`);
  }
  const tables = opts.maxTableElements ?? DEFAULT_TABLE_ELEMENTS;
  if (!Number.isInteger(tables) || tables < 0 || tables > MAX_TABLE_ELEMENTS) {
    return err('UNSUPPORTED', `maxTableElements must be an integer from 0 to ${MAX_TABLE_ELEMENTS}, got ${String(tables)}`);
  }
  try {
    return ok(rewrite(wasm, { maxPages: max, maxTableElements: tables }, chargeStyle));
  } catch (e) {
    if (e instanceof WasmFormatError) return err('WASM_MALFORMED', e.message);
    if (e instanceof UnsupportedFeature) return err('UNSUPPORTED', e.message);
    if (e instanceof LimitExceeded) return err('LIMIT_EXCEEDED', e.message);
    throw e; // a bug, not an input problem
  }
}

function splitSections(wasm: Uint8Array): Section[] {
  const r = new ByteReader(wasm);
  for (const expected of HEADER) {
    if (r.u8() !== expected) r.fail('not a WebAssembly version 1 module (bad magic or version)', 0);
  }
  const sections: Section[] = [];
  let lastRank = -1;
  while (!r.atEnd()) {
    const at = r.pos;
    const id = r.u8();
    const payload = r.take(r.u32());
    if (id === 0) {
      new ByteReader(payload).name(); // custom section names must be valid UTF-8
    } else {
      const rank = sectionRank(id);
      if (rank === Number.POSITIVE_INFINITY) r.fail(`unknown section id ${id}`, at);
      if (rank <= lastRank) r.fail(`section ${id} is duplicated or out of order`, at);
      lastRank = rank;
    }
    sections.push({ id, payload });
  }
  return sections;
}

/** Runs `fn` over a section payload and insists it consumes exactly all of it. */
function parse<T>(payload: Uint8Array, fn: (r: ByteReader) => T): T {
  const r = new ByteReader(payload);
  const value = fn(r);
  if (!r.atEnd()) r.fail('section size mismatch');
  return value;
}

function rewrite(wasm: Uint8Array, caps: { maxPages: number; maxTableElements: number }, chargeStyle: ChargeStyle): Instrumented {
  const { maxPages, maxTableElements } = caps;
  const sections = splitSections(wasm);
  const find = (id: number) => sections.find((s) => s.id === id);
  const noImports: ImportSummary = { count: 0, globals: 0, funcs: 0, tables: 0, memories: [], entries: new Uint8Array() };
  const imports = find(2) ? parse(find(2)!.payload, readImports) : noImports;
  const paramCounts = find(1) ? parse(find(1)!.payload, readParamCounts) : [];
  const funcTypes = find(3) ? parse(find(3)!.payload, readFunctionTypes) : [];
  const definedMemories: Limits[] = find(5)
    ? parse(find(5)!.payload, (r) => Array.from({ length: r.count(2) }, () => readMemoryLimits(r)))
    : [];
  const definedGlobals = find(6) ? readGlobalCount(new ByteReader(find(6)!.payload)) : 0;
  const exports = find(7) ? parse(find(7)!.payload, readExports) : [];

  if (imports.memories.length + definedMemories.length > 1) throw new UnsupportedFeature('multiple memories are not supported');
  const memory = describeMemory(imports.memories[0], definedMemories[0], maxPages);

  // The budget import goes after every existing import, so it becomes global index
  // `imports.globals`: imported globals keep their index, defined globals shift by one.
  const totalGlobals = imports.globals + definedGlobals;
  const budgetGlobal = imports.globals;
  const fuelGlobal = totalGlobals + 1;
  const remap = (index: number): number => {
    if (index >= totalGlobals) throw new WasmFormatError(`global index ${index} out of range`, 0);
    return index < imports.globals ? index : index + 1;
  };

  const newExports = buildExports(exports, remap, fuelGlobal, memory !== null);
  const memoryExport = exports.find((e) => e.kind === 'memory' && e.index === 0)?.name ?? (memory ? MEMORY_EXPORT : null);

  const budgetImport = new ByteWriter().name(FUEL_IMPORT_MODULE).name(FUEL_IMPORT_NAME).byte(0x03).byte(0x7e).byte(0x00).toBytes();
  const fuelGlobalEntry = new ByteWriter().byte(0x7e).byte(0x01).byte(0x23).u32(budgetGlobal).byte(0x0b).toBytes();

  const rewriteSection = (s: Section): Uint8Array => {
    switch (s.id) {
      case 2: return new ByteWriter().u32(imports.count + 1).bytes(imports.entries).bytes(budgetImport).toBytes();
      case 4: return parse(s.payload, (r) => rewriteTables(r, remap, maxTableElements));
      case 5: return memorySection(memory);
      case 6: return parse(s.payload, (r) => rewriteGlobals(r, remap, fuelGlobalEntry));
      case 7: return writeExports(newExports);
      case 9: return parse(s.payload, (r) => rewriteElems(r, remap));
      case 10: return parse(s.payload, (r) => meterCode(r, paramCounts, funcTypes, imports.funcs, { fuelGlobal, remapGlobal: remap, chargeStyle }));
      case 11: return parse(s.payload, (r) => rewriteData(r, remap));
      default: return s.payload; // custom, type, function, tag, start, data count: unchanged
    }
  };
  if (find(12)) {
    const declared = parse(find(12)!.payload, (r) => r.u32());
    const actual = find(11) ? new ByteReader(find(11)!.payload).count(1) : 0;
    if (declared !== actual) throw new WasmFormatError(`data count ${declared} differs from ${actual} data segments`, 0);
  }
  if (funcTypes.length > 0 && !find(10)) throw new WasmFormatError('function and code section counts differ', 0);

  // Sections the module lacks but we need are created at their required position.
  const pending: Section[] = [];
  if (!find(2)) pending.push({ id: 2, payload: new ByteWriter().u32(1).bytes(budgetImport).toBytes() });
  if (!find(6)) pending.push({ id: 6, payload: new ByteWriter().u32(1).bytes(fuelGlobalEntry).toBytes() });
  if (!find(7)) pending.push({ id: 7, payload: writeExports(newExports) });

  const out = new ByteWriter(wasm.length + 1024).bytes(Uint8Array.from(HEADER));
  const flushPendingBefore = (rank: number) => {
    while (pending.length > 0 && sectionRank(pending[0]!.id) < rank) {
      const s = pending.shift()!;
      out.byte(s.id).sized(s.payload);
    }
  };
  for (const s of sections) {
    if (s.id !== 0) flushPendingBefore(sectionRank(s.id));
    out.byte(s.id).sized(rewriteSection(s));
  }
  flushPendingBefore(Number.POSITIVE_INFINITY);
  return { bytes: out.toBytes(), fuelGlobalExport: FUEL_EXPORT, memoryExport, memory };
}

function describeMemory(imported: Limits | undefined, defined: Limits | undefined, maxPages: number): Instrumented['memory'] {
  if (imported) return { source: 'imported', initialPages: imported.initial, maxPages: imported.maximum };
  if (!defined) return null;
  if (defined.initial > maxPages) {
    throw new LimitExceeded(`memory needs ${defined.initial} initial pages, more than the cap of ${maxPages}`);
  }
  return { source: 'defined', initialPages: defined.initial, maxPages: Math.min(defined.maximum ?? MAX_PAGES, maxPages) };
}

function memorySection(memory: Instrumented['memory']): Uint8Array {
  const w = new ByteWriter();
  if (!memory || memory.source !== 'defined') return w.u32(0).toBytes(); // unreachable: only defined memories live here
  return w.u32(1).byte(0x01).u32(memory.initialPages).u32(memory.maxPages!).toBytes();
}

function buildExports(
  exports: readonly ExportEntry[], remap: (i: number) => number, fuelGlobal: number, hasMemory: boolean,
): ExportEntry[] {
  const names = new Set(exports.map((e) => e.name));
  if (names.has(FUEL_EXPORT)) throw new UnsupportedFeature(`module already exports "${FUEL_EXPORT}"`);
  const result = exports.map((e) => (e.kind === 'global' ? { ...e, index: remap(e.index) } : e));
  result.push(exportEntry(FUEL_EXPORT, 'global', fuelGlobal));
  const memoryExported = exports.some((e) => e.kind === 'memory');
  if (hasMemory && !memoryExported) {
    if (names.has(MEMORY_EXPORT)) throw new UnsupportedFeature(`module already exports "${MEMORY_EXPORT}"`);
    result.push(exportEntry(MEMORY_EXPORT, 'memory', 0));
  }
  return result;
}

function meterCode(
  r: ByteReader, paramCounts: readonly number[], funcTypes: readonly number[], importedFuncs: number,
  shared: Omit<BodyContext, 'paramCount'>,
): Uint8Array {
  const count = r.count(2);
  if (count !== funcTypes.length) r.fail('function and code section counts differ');
  const out = new ByteWriter(r.remaining + count * 48 + 16);
  out.u32(count);
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const end = r.pos + size;
    if (end > r.end) r.fail(`function body ${importedFuncs + i} runs past the code section`);
    const paramCount = paramCounts[funcTypes[i]!];
    if (paramCount === undefined) r.fail(`function ${importedFuncs + i} has an unknown type index`);
    meterFunctionBody(r, end, { ...shared, paramCount }, out);
  }
  return out.toBytes();
}
