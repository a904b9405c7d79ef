/**
 * Static WebAssembly inspector: reads a module's sections without compiling or running it and
 * reports what it imports, exports, and asks for. Hostile input is the expected case, so every
 * read is bounds-checked (ByteReader), vector counts are checked against the bytes left, each
 * section is parsed inside its own declared bounds, and any structural problem becomes
 * WASM_MALFORMED with the byte offset, never an exception.
 */
import { err, ok, type Result } from '../result';
import { ByteReader, WasmFormatError } from './reader';
import { REPORT_BOUNDS, type WasmCustomSection, type WasmReport } from './report';
import * as S from './sections';
import { checkCrossSection } from './cross-check';
import { readName } from './types-decode';

export { formatReport } from './format-report';

export type InspectCode = 'WASM_MALFORMED';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const CORE_VERSION = 1;

type SectionDecoder = (r: ByteReader, f: S.ModuleFacts) => void;

/**
 * Known non-custom sections: name, decoder and their required position. The tag section (13)
 * sits between memory and global, and datacount (12) comes before code, so order is by rank,
 * not by id.
 */
const SECTIONS: ReadonlyMap<number, { name: string; rank: number; decode: SectionDecoder }> = new Map([
  [1, { name: 'type', rank: 1, decode: S.readTypeSection }],
  [2, { name: 'import', rank: 2, decode: S.readImportSection }],
  [3, { name: 'function', rank: 3, decode: S.readFunctionSection }],
  [4, { name: 'table', rank: 4, decode: S.readTableSection }],
  [5, { name: 'memory', rank: 5, decode: S.readMemorySection }],
  [13, { name: 'tag', rank: 6, decode: S.readTagSection }],
  [6, { name: 'global', rank: 7, decode: S.readGlobalSection }],
  [7, { name: 'export', rank: 8, decode: S.readExportSection }],
  [8, { name: 'start', rank: 9, decode: S.readStartSection }],
  [9, { name: 'element', rank: 10, decode: S.readElementSection }],
  [12, { name: 'datacount', rank: 11, decode: S.readDataCountSection }],
  [10, { name: 'code', rank: 12, decode: S.readCodeSection }],
  [11, { name: 'data', rank: 13, decode: S.readDataSection }],
]);

export function inspectWasm(bytes: Uint8Array): Result<WasmReport, InspectCode> {
  try {
    return ok(readModule(bytes));
  } catch (e) {
    // Only format errors are expected; anything else is a bug and must stay loud.
    if (e instanceof WasmFormatError) return err('WASM_MALFORMED', `malformed module: ${e.message}`);
    throw e;
  }
}

function readModule(bytes: Uint8Array): WasmReport {
  // Explicit type so that `r.fail(...)` (returns never) narrows like a throw.
  const r: ByteReader = new ByteReader(bytes);
  const version = readHeader(r);
  const facts = S.emptyFacts();
  const customSections: WasmCustomSection[] = [];
  const customSectionTotals = { count: 0, sizeBytes: 0 };
  let codeSizeBytes = 0;
  let dataSizeBytes = 0;
  let lastRank = 0;
  let lastName = '';

  while (!r.atEnd()) {
    const headerAt = r.pos;
    const id = r.u8();
    const size = r.u32();
    if (size > r.remaining) {
      r.fail(`section ${id} declares ${size} bytes but only ${r.remaining} remain`, headerAt);
    }
    const body = new ByteReader(bytes, r.pos, r.pos + size);
    r.pos += size;

    if (id === 0) {
      // Custom sections may appear anywhere; their name must still decode. Only the first few are
      // listed: the report must not grow with a count the module controls.
      const name = readName(body);
      customSectionTotals.count++;
      customSectionTotals.sizeBytes += size;
      if (customSections.length < REPORT_BOUNDS.listedCustomSections) customSections.push({ name: boundedName(name), sizeBytes: size });
      continue;
    }
    const section = SECTIONS.get(id);
    if (section === undefined) r.fail(`unknown section id ${id}`, headerAt);
    if (section.rank === lastRank) r.fail(`duplicate ${section.name} section`, headerAt);
    if (section.rank < lastRank) r.fail(`${section.name} section out of order (after ${lastName})`, headerAt);
    lastRank = section.rank;
    lastName = section.name;
    facts.sectionAt[section.name] = headerAt;

    section.decode(body, facts);
    if (!body.atEnd()) body.fail(`${section.name} section has ${body.remaining} unread bytes (size mismatch)`);
    if (id === 10) codeSizeBytes = size;
    if (id === 11) dataSizeBytes = size;
  }

  checkCrossSection(facts, r);

  return {
    sizeBytes: bytes.length,
    version,
    imports: facts.imports.map((i) => ({ ...i, module: boundedName(i.module), name: boundedName(i.name) })),
    exports: facts.exports.map((e) => ({ ...e, name: boundedName(e.name) })),
    memories: facts.memories,
    tables: facts.tables,
    globalCount: facts.globalCount,
    startFunction: facts.startFunction,
    customSections,
    customSectionTotals,
    importedFunctionCount: facts.importedFunctionCount,
    functionCount: facts.functionCount ?? 0,
    codeSizeBytes,
    dataSizeBytes,
    dataSegmentCount: facts.dataSegmentCount ?? 0,
  };
}

function readHeader(r: ByteReader): number {
  if (r.remaining < 4) r.fail('too short for the wasm magic number');
  for (const expected of MAGIC) {
    if (r.u8() !== expected) r.fail('bad magic number (not a WebAssembly module)', 0);
  }
  if (r.remaining < 4) r.fail('too short for the version field');
  const version = r.u8() | (r.u8() << 8) | (r.u8() << 16) | (r.u8() << 24);
  if (version !== CORE_VERSION) {
    // Components share the magic but use version 0x0d with layer 1.
    const what = version === 0x0001000d ? ' (a component, not a core module)' : '';
    r.fail(`unsupported version ${version >>> 0}${what}`, 4);
  }
  return version;
}

/**
 * A name cut to REPORT_BOUNDS.nameChars with an ellipsis. A cut name never equals a name a policy
 * or manifest can hold (those are at most nameChars long), so a comparison cannot match by accident.
 */
export function boundedName(name: string): string {
  return name.length <= REPORT_BOUNDS.nameChars ? name : `${name.slice(0, REPORT_BOUNDS.nameChars)}…`;
}
