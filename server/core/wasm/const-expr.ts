/**
 * Skips a constant expression (global initialisers, element and data offsets, element items,
 * table initialisers) up to and including its `end`. Only the opcodes that may appear in a
 * constant expression are decoded; anything else is malformed for our purposes, because
 * guessing an unknown opcode's immediates would desynchronise every later field we report.
 */
import type { ByteReader } from './reader';
import { hex, readHeapType } from './types-decode';

const END = 0x0b;

/** Opcodes with no immediate that the extended-const proposal allows (i32/i64 add, sub, mul). */
const EXTENDED_CONST_ARITHMETIC = new Set([0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e]);

/** GC prefix (0xfb) sub-opcodes allowed in constant expressions, by immediate count. */
const GC_CONST_IMMEDIATES: ReadonlyMap<number, number> = new Map([
  [0x00, 1], // struct.new typeidx
  [0x01, 1], // struct.new_default typeidx
  [0x06, 1], // array.new typeidx
  [0x07, 1], // array.new_default typeidx
  [0x08, 2], // array.new_fixed typeidx n
  [0x1a, 0], // any.convert_extern
  [0x1b, 0], // extern.convert_any
  [0x1c, 0], // ref.i31
]);

const V128_CONST = 12;

export function skipConstExpr(r: ByteReader): void {
  // Each iteration consumes at least one byte, so the loop is bounded by the section size.
  for (;;) {
    const at = r.pos;
    const op = r.u8();
    switch (op) {
      case END:
        return;
      case 0x41: // i32.const
        r.sleb(32);
        break;
      case 0x42: // i64.const
        r.sleb(64);
        break;
      case 0x43: // f32.const
        r.skip(4);
        break;
      case 0x44: // f64.const
        r.skip(8);
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        r.u32();
        break;
      case 0xd0: // ref.null
        readHeapType(r);
        break;
      case 0xfd: {
        const sub = r.u32();
        if (sub !== V128_CONST) r.fail(`opcode 0xfd ${sub} is not allowed in a constant expression`, at);
        r.skip(16);
        break;
      }
      case 0xfb: {
        const sub = r.u32();
        const immediates = GC_CONST_IMMEDIATES.get(sub);
        if (immediates === undefined) r.fail(`opcode 0xfb ${sub} is not allowed in a constant expression`, at);
        for (let i = 0; i < immediates; i++) r.u32();
        break;
      }
      default:
        if (!EXTENDED_CONST_ARITHMETIC.has(op)) {
          r.fail(`opcode 0x${hex(op)} is not allowed in a constant expression`, at);
        }
    }
  }
}
