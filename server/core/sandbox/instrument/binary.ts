/**
 * Output side of the rewriter: a growable byte buffer and the LEB128 encoders the wasm
 * binary format uses. Sizes of sections and function bodies change when we insert code,
 * so every size is re-encoded here (minimal LEB128) instead of patched in place.
 */

/** Thrown for features we can decode but refuse to instrument; turned into err('UNSUPPORTED'). */
export class UnsupportedFeature extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedFeature';
  }
}

export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): this {
    this.reserve(1);
    this.buf[this.length++] = b & 0xff;
    return this;
  }

  bytes(src: Uint8Array): this {
    this.reserve(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
    return this;
  }

  u32(value: number): this {
    let v = value >>> 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  /** Signed LEB128 (used for i64.const immediates). */
  s64(value: bigint): this {
    let v = BigInt.asIntN(64, value);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  name(text: string): this {
    const encoded = new TextEncoder().encode(text);
    return this.u32(encoded.length).bytes(encoded);
  }

  /** Writes `payload` prefixed by its LEB128 length (section payloads, function bodies). */
  sized(payload: Uint8Array): this {
    return this.u32(payload.length).bytes(payload);
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Section ids in the order the binary format requires them (custom sections excluded). */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

export function sectionRank(id: number): number {
  const rank = SECTION_ORDER.indexOf(id);
  return rank === -1 ? Number.POSITIVE_INFINITY : rank;
}
