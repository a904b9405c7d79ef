/**
 * Bounds-checked reader for the WebAssembly binary format. Every read checks the remaining
 * length first, so hostile input can only produce a WasmFormatError, never an out-of-range
 * access, a runaway loop or a huge allocation (vector counts are checked against the bytes left).
 */
export class WasmFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'WasmFormatError';
  }
}

// ignoreBOM: a leading U+FEFF is part of a name, not a byte-order mark to strip.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class ByteReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, at = this.pos): never {
    throw new WasmFormatError(message, at);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end of data');
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128 of at most `bits` bits (32 by default), rejecting overlong or oversized encodings. */
  u32(): number {
    let result = 0;
    let shift = 0;
    const start = this.pos;
    for (let i = 0; i < 5; i++) {
      const byte = this.u8();
      if (i === 4 && (byte & 0x70) !== 0) this.fail('integer too large', start);
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    return this.fail('integer representation too long', start);
  }

  /** Signed LEB128 of `bits` bits, checked like u32 (unused high bits must be a sign extension). */
  sleb(bits: 32 | 33 | 64): bigint {
    const maxBytes = Math.ceil(bits / 7);
    const start = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) {
        if (i === maxBytes - 1) {
          // Bits beyond `bits` in the last byte must all equal the sign bit.
          const used = bits - 7 * (maxBytes - 1);
          const rest = byte & 0x7f;
          const sign = (rest >> (used - 1)) & 1;
          const high = rest >> used;
          if (high !== (sign ? 0x7f >> used : 0)) this.fail('integer too large', start);
        }
        if (byte & 0x40) result -= 1n << shift;
        return result;
      }
    }
    return this.fail('integer representation too long', start);
  }

  /** Signed 32-bit LEB128 as a number (fast path for the common case). */
  s32(): number {
    return Number(this.sleb(32));
  }

  take(length: number): Uint8Array {
    if (length > this.remaining) this.fail(`length ${length} runs past the end of the data`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(length: number): void {
    if (length > this.remaining) this.fail(`length ${length} runs past the end of the data`);
    this.pos += length;
  }

  name(): string {
    const length = this.u32();
    const at = this.pos;
    try {
      return utf8.decode(this.take(length));
    } catch (e) {
      if (e instanceof WasmFormatError) throw e;
      return this.fail('malformed UTF-8 encoding', at);
    }
  }

  /**
   * Reads a vector count and rejects counts that cannot fit in the bytes left, given that
   * each element takes at least `minElementBytes`. This bounds memory on hostile counts.
   */
  count(minElementBytes = 1): number {
    const at = this.pos;
    const n = this.u32();
    if (n * minElementBytes > this.remaining) this.fail(`vector of ${n} elements runs past the end`, at);
    return n;
  }
}
