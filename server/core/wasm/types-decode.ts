/**
 * Decoders for the small type structures the inspector meets inside sections: value types,
 * reference and heap types, limits, table and global types, and type-section entries.
 * Each one consumes exactly its encoding or throws WasmFormatError through the reader, so a
 * caller that skips a structure lands on the next byte a real decoder would.
 */
import type { ByteReader } from './reader';

/** Abstract heap types (one-byte negative s33 codes), by byte. Includes GC and exception types. */
const ABSTRACT_HEAP_TYPES: ReadonlyMap<number, string> = new Map([
  [0x74, 'noexn'],
  [0x73, 'nofunc'],
  [0x72, 'noextern'],
  [0x71, 'none'],
  [0x70, 'func'],
  [0x6f, 'extern'],
  [0x6e, 'any'],
  [0x6d, 'eq'],
  [0x6c, 'i31'],
  [0x6b, 'struct'],
  [0x6a, 'array'],
  [0x69, 'exn'],
]);

const NUMERIC_TYPES: ReadonlyMap<number, string> = new Map([
  [0x7f, 'i32'],
  [0x7e, 'i64'],
  [0x7d, 'f32'],
  [0x7c, 'f64'],
  [0x7b, 'v128'],
]);

/** Heap type: an abstract type byte or a non-negative type index (s33). */
export function readHeapType(r: ByteReader): string {
  const at = r.pos;
  const first = peek(r);
  // One-byte abstract codes are negative s33 values; read them as bytes to name them.
  if (first !== undefined && first >= 0x40 && first <= 0x7f) {
    r.pos++;
    const name = ABSTRACT_HEAP_TYPES.get(first);
    if (name === undefined) r.fail(`unknown heap type 0x${hex(first)}`, at);
    return name;
  }
  const index = r.sleb(33);
  if (index < 0n) r.fail('malformed heap type', at);
  return String(index);
}

/** Reference type, named the way the text format abbreviates it (funcref, externref, ...). */
export function readRefType(r: ByteReader): string {
  const at = r.pos;
  const code = r.u8();
  if (code === 0x63 || code === 0x64) {
    const heap = readHeapType(r);
    if (code === 0x63 && ABSTRACT_NAMES.has(heap)) return `${heap}ref`;
    return code === 0x63 ? `(ref null ${heap})` : `(ref ${heap})`;
  }
  const name = ABSTRACT_HEAP_TYPES.get(code);
  if (name === undefined) r.fail(`malformed reference type 0x${hex(code)}`, at);
  return `${name}ref`;
}
const ABSTRACT_NAMES = new Set(ABSTRACT_HEAP_TYPES.values());

export function readValType(r: ByteReader): string {
  const code = peek(r);
  if (code !== undefined) {
    const numeric = NUMERIC_TYPES.get(code);
    if (numeric !== undefined) {
      r.pos++;
      return numeric;
    }
  }
  return readRefType(r);
}

/** Unsigned LEB128 up to 64 bits (memory64/table64 limits), as a number. */
export function readU64(r: ByteReader): number {
  const start = r.pos;
  let result = 0n;
  for (let i = 0; i < 10; i++) {
    const byte = r.u8();
    // The 10th byte carries only bit 63; anything above is an oversized encoding.
    if (i === 9 && (byte & 0x7e) !== 0) r.fail('integer too large', start);
    result |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return Number(result);
  }
  return r.fail('integer representation too long', start);
}

export interface Limits {
  readonly initial: number;
  readonly maximum: number | null;
  readonly shared: boolean;
  readonly is64: boolean;
}

/**
 * Limits. Flag bit 0 = has maximum, bit 1 = shared (memories only), bit 2 = 64-bit index.
 * Any other bit is malformed; shared without a maximum is rejected here too because the
 * threads proposal makes it a decoding error.
 */
export function readLimits(r: ByteReader, kind: 'memory' | 'table'): Limits {
  const at = r.pos;
  const flags = r.u8();
  const allowed = kind === 'memory' ? 0x07 : 0x05;
  if ((flags & ~allowed) !== 0) r.fail(`malformed ${kind} limits flags 0x${hex(flags)}`, at);
  const hasMax = (flags & 0x01) !== 0;
  const shared = (flags & 0x02) !== 0;
  const is64 = (flags & 0x04) !== 0;
  if (shared && !hasMax) r.fail('shared memory must have a maximum', at);
  const read = is64 ? () => readU64(r) : () => r.u32();
  const initial = read();
  const maximum = hasMax ? read() : null;
  return { initial, maximum, shared, is64 };
}

export interface TableType {
  readonly elementType: string;
  readonly limits: Limits;
}

export function readTableType(r: ByteReader): TableType {
  const elementType = readRefType(r);
  return { elementType, limits: readLimits(r, 'table') };
}

export function readGlobalType(r: ByteReader): void {
  readValType(r);
  const at = r.pos;
  const mutability = r.u8();
  if (mutability > 1) r.fail(`malformed mutability 0x${hex(mutability)}`, at);
}

/** Tag type: attribute 0 (exception) and a type index. */
export function readTagType(r: ByteReader): void {
  const at = r.pos;
  const attribute = r.u8();
  if (attribute !== 0) r.fail(`malformed tag attribute 0x${hex(attribute)}`, at);
  r.u32();
}

/** Composite type: func, struct or array (GC), each with its own field encoding. */
function readCompositeType(r: ByteReader): void {
  const at = r.pos;
  const form = r.u8();
  if (form === 0x60) {
    for (let n = r.count(), i = 0; i < n; i++) readValType(r);
    for (let n = r.count(), i = 0; i < n; i++) readValType(r);
  } else if (form === 0x5f) {
    for (let n = r.count(2), i = 0; i < n; i++) readFieldType(r);
  } else if (form === 0x5e) {
    readFieldType(r);
  } else {
    r.fail(`malformed type form 0x${hex(form)}`, at);
  }
}

function readFieldType(r: ByteReader): void {
  const code = peek(r);
  // Packed storage types i8/i16 exist only in struct and array fields.
  if (code === 0x78 || code === 0x77) r.pos++;
  else readValType(r);
  const at = r.pos;
  const mutability = r.u8();
  if (mutability > 1) r.fail(`malformed mutability 0x${hex(mutability)}`, at);
}

/** Sub type: optional `sub`/`sub final` prefix listing supertypes, then a composite type. */
function readSubType(r: ByteReader): void {
  const code = peek(r);
  if (code === 0x50 || code === 0x4f) {
    r.pos++;
    for (let n = r.count(), i = 0; i < n; i++) r.u32();
  }
  readCompositeType(r);
}

/** One type-section entry: a recursion group (0x4e) or a single sub type. Returns types defined. */
export function readRecType(r: ByteReader): number {
  if (peek(r) === 0x4e) {
    r.pos++;
    const n = r.count();
    for (let i = 0; i < n; i++) readSubType(r);
    return n;
  }
  readSubType(r);
  return 1;
}

/** A length-prefixed UTF-8 name, decoded exactly (no BOM stripping, invalid UTF-8 rejected). */
export function readName(r: ByteReader): string {
  return r.name();
}

/** The next byte without consuming it, or undefined at the end of the current section. */
export function peek(r: ByteReader): number | undefined {
  return r.pos < r.end ? r.bytes[r.pos] : undefined;
}

export function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
