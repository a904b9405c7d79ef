/**
 * The signature (parameter and result types) of each exported function, for `nightcore call`,
 * which must parse its arguments by type before anything runs. Reuses the inspector's reader and
 * type decoders and reads only the sections that matter (type, import, function, export); every
 * other section is skipped by its size. The module has already passed inspectWasm, so a format
 * error here still fails cleanly (WASM_MALFORMED) but is not expected.
 */
import { err, ok, type Result } from '../result';
import { ByteReader, WasmFormatError } from './reader';
import { peek, readGlobalType, readLimits, readName, readRecType, readTableType, readTagType, readValType } from './types-decode';

export interface FunctionSignature {
  readonly params: readonly string[];
  readonly results: readonly string[];
}

const SECTION = { type: 1, import: 2, function: 3, export: 7 } as const;

/** One type-section entry: a plain func type is read; anything else (GC types) defines unusable types. */
function readTypeEntry(r: ByteReader, types: (FunctionSignature | null)[]): void {
  if (peek(r) === 0x60) {
    r.pos++;
    const params: string[] = [];
    const results: string[] = [];
    for (let n = r.count(), i = 0; i < n; i++) params.push(readValType(r));
    for (let n = r.count(), i = 0; i < n; i++) results.push(readValType(r));
    types.push({ params, results });
    return;
  }
  for (let n = readRecType(r), i = 0; i < n; i++) types.push(null);
}

function skipImportDescriptor(r: ByteReader, kind: number): void {
  if (kind === 1) readTableType(r);
  else if (kind === 2) readLimits(r, 'memory');
  else if (kind === 3) readGlobalType(r);
  else if (kind === 4) readTagType(r);
  else r.fail(`malformed import kind 0x${kind.toString(16)}`);
}

/** Exported function name → signature (null when its type is not a plain function type). */
export function exportSignatures(bytes: Uint8Array): Result<ReadonlyMap<string, FunctionSignature | null>, 'WASM_MALFORMED'> {
  try {
    const r = new ByteReader(bytes);
    r.skip(8); // magic and version, already checked by the inspector
    const types: (FunctionSignature | null)[] = [];
    const funcTypes: number[] = [];
    const out = new Map<string, FunctionSignature | null>();
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.u32();
      if (size > r.remaining) r.fail(`section ${id} declares ${size} bytes but only ${r.remaining} remain`);
      const s = new ByteReader(bytes, r.pos, r.pos + size);
      r.pos += size;
      if (id === SECTION.type) {
        for (let n = s.count(), i = 0; i < n; i++) readTypeEntry(s, types);
      } else if (id === SECTION.import) {
        for (let n = s.count(), i = 0; i < n; i++) {
          readName(s);
          readName(s);
          const kind = s.u8();
          if (kind === 0) funcTypes.push(s.u32());
          else skipImportDescriptor(s, kind);
        }
      } else if (id === SECTION.function) {
        for (let n = s.count(), i = 0; i < n; i++) funcTypes.push(s.u32());
      } else if (id === SECTION.export) {
        for (let n = s.count(), i = 0; i < n; i++) {
          const name = readName(s);
          const kind = s.u8();
          const index = s.u32();
          if (kind !== 0) continue;
          const typeIndex = funcTypes[index];
          out.set(name, typeIndex === undefined ? null : (types[typeIndex] ?? null));
        }
        break; // nothing after the export section matters here
      }
    }
    return ok(out);
  } catch (e) {
    if (e instanceof WasmFormatError) return err('WASM_MALFORMED', `malformed module: ${e.message}`);
    throw e;
  }
}
