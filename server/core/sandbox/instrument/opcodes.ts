/**
 * Decoder for one instruction of the code section: reads the opcode, skips its immediates
 * and classifies it by what it does to control flow, which is all the fuel meter needs.
 *
 * Covered: MVP, sign extension, saturating truncation and bulk memory (0xfc), reference
 * types, multi-value block types (s33), SIMD (0xfd, incl. memarg and lane immediates),
 * tail calls, typed function references' call_ref/br_on_null, legacy exceptions
 * (try/catch/throw/rethrow/delegate/catch_all) and try_table/throw_ref.
 * GC (0xfb) and threads (0xfe) are refused as UNSUPPORTED; unknown opcodes are malformed.
 */
import type { ByteReader } from '../../wasm/reader';
import { UnsupportedFeature } from './binary';

/** What an instruction does to control flow (see meter.ts for how each kind is charged). */
export const Kind = {
  Plain: 0,
  Block: 1, // block
  Loop: 2,
  If: 3,
  Else: 4,
  End: 5,
  Try: 6, // legacy try
  Catch: 7, // legacy catch / catch_all
  Delegate: 8,
  TryTable: 9, // labels = catch clause targets
  Br: 10, // unconditional branch: labels[0]
  BrIf: 11, // conditional branch (also br_on_null / br_on_non_null)
  BrTable: 12, // labels = all targets
  Exit: 13, // return, unreachable, throw, rethrow, throw_ref, return_call*: code after is dead
  Call: 14, // call, call_indirect, call_ref: control comes back, callee charges itself
  GlobalGet: 15, // index = global index (rewritten: globals shift)
  GlobalSet: 16,
} as const;
export type KindValue = (typeof Kind)[keyof typeof Kind];

export interface Instr {
  kind: KindValue;
  /** Branch label depths (relative), for Br/BrIf/BrTable/TryTable. */
  labels: number[];
  /** Global index for GlobalGet/GlobalSet. */
  index: number;
}

export const newInstr = (): Instr => ({ kind: Kind.Plain, labels: [], index: 0 });

/** Block type: 0x40 (empty), a value type, or a non-negative s33 type index. */
export function skipBlockType(r: ByteReader): void {
  const b = r.bytes[r.pos];
  if (b === 0x63 || b === 0x64) return skipValType(r);
  if (b !== undefined && (b & 0xc0) === 0x40) {
    r.pos++; // single-byte negative s33: 0x40 or a value type code
    return;
  }
  const at = r.pos;
  if (r.sleb(33) < 0n) r.fail('invalid block type', at);
}

/** Value type: one byte, or (ref null? heaptype) with an s33 heap type. */
export function skipValType(r: ByteReader): void {
  const b = r.u8();
  if (b === 0x63 || b === 0x64) r.sleb(33);
}

function skipMemarg(r: ByteReader): void {
  const at = r.pos;
  const align = r.u32();
  if (align >= 0x80) r.fail('malformed memop alignment', at); // bit 6 = memory index follows
  if (align & 0x40) {
    // Multi-memory form carries a memory index; only memory 0 exists in modules we accept.
    if (r.u32() !== 0) throw new UnsupportedFeature('multi-memory instruction');
  }
  r.u32(); // offset (32-bit: memory64 modules are refused before the code section)
}

function labelsOf(out: Instr, ...depths: number[]): void {
  out.labels = depths;
}

/** Reads one instruction at r.pos and describes it in `out` (reused to avoid allocation). */
export function readInstruction(r: ByteReader, out: Instr): void {
  const at = r.pos;
  const op = r.u8();
  out.kind = Kind.Plain;
  switch (op) {
    case 0x00: out.kind = Kind.Exit; return; // unreachable
    case 0x01: return; // nop
    case 0x02: skipBlockType(r); out.kind = Kind.Block; return;
    case 0x03: skipBlockType(r); out.kind = Kind.Loop; return;
    case 0x04: skipBlockType(r); out.kind = Kind.If; return;
    case 0x05: out.kind = Kind.Else; return;
    case 0x06: skipBlockType(r); out.kind = Kind.Try; return;
    case 0x07: r.u32(); out.kind = Kind.Catch; return; // catch tag
    case 0x08: r.u32(); out.kind = Kind.Exit; return; // throw tag
    case 0x09: r.u32(); out.kind = Kind.Exit; return; // rethrow label
    case 0x0a: out.kind = Kind.Exit; return; // throw_ref
    case 0x0b: out.kind = Kind.End; return;
    case 0x0c: labelsOf(out, r.u32()); out.kind = Kind.Br; return;
    case 0x0d: labelsOf(out, r.u32()); out.kind = Kind.BrIf; return;
    case 0x0e: {
      const n = r.count(1);
      const labels: number[] = [];
      for (let i = 0; i <= n; i++) labels.push(r.u32()); // n targets + default
      out.labels = labels;
      out.kind = Kind.BrTable;
      return;
    }
    case 0x0f: out.kind = Kind.Exit; return; // return
    case 0x10: r.u32(); out.kind = Kind.Call; return;
    case 0x11: r.u32(); r.u32(); out.kind = Kind.Call; return; // call_indirect type table
    case 0x12: r.u32(); out.kind = Kind.Exit; return; // return_call
    case 0x13: r.u32(); r.u32(); out.kind = Kind.Exit; return; // return_call_indirect
    case 0x14: r.u32(); out.kind = Kind.Call; return; // call_ref
    case 0x15: r.u32(); out.kind = Kind.Exit; return; // return_call_ref
    case 0x18: r.u32(); out.kind = Kind.Delegate; return;
    case 0x19: out.kind = Kind.Catch; return; // catch_all
    case 0x1a: case 0x1b: return; // drop, select
    case 0x1c: { // select with types
      const n = r.count(1);
      for (let i = 0; i < n; i++) skipValType(r);
      return;
    }
    case 0x1f: { // try_table bt vec(catch)
      skipBlockType(r);
      const n = r.count(2);
      const labels: number[] = [];
      for (let i = 0; i < n; i++) {
        const clause = r.u8();
        if (clause > 3) r.fail(`unknown try_table catch kind ${clause}`);
        if (clause < 2) r.u32(); // tag index
        labels.push(r.u32());
      }
      out.labels = labels;
      out.kind = Kind.TryTable;
      return;
    }
    case 0x20: case 0x21: case 0x22: r.u32(); return; // local.get/set/tee
    case 0x23: out.index = r.u32(); out.kind = Kind.GlobalGet; return;
    case 0x24: out.index = r.u32(); out.kind = Kind.GlobalSet; return;
    case 0x25: case 0x26: r.u32(); return; // table.get/set
    case 0x3f: case 0x40: // memory.size / memory.grow
      if (r.u32() !== 0) throw new UnsupportedFeature('multi-memory instruction');
      return;
    case 0x41: r.sleb(32); return;
    case 0x42: r.sleb(64); return;
    case 0x43: r.skip(4); return;
    case 0x44: r.skip(8); return;
    case 0xd0: r.sleb(33); return; // ref.null heaptype
    case 0xd1: return; // ref.is_null
    case 0xd2: r.u32(); return; // ref.func
    case 0xd3: case 0xd4: return; // ref.eq, ref.as_non_null
    case 0xd5: case 0xd6: labelsOf(out, r.u32()); out.kind = Kind.BrIf; return; // br_on_null/non_null
    case 0xfb: throw new UnsupportedFeature('GC instructions (0xfb) are not supported');
    case 0xfc: return readFc(r, at);
    case 0xfd: return readSimd(r, at);
    case 0xfe: throw new UnsupportedFeature('atomic instructions (0xfe) are not supported');
    default:
      if (op >= 0x28 && op <= 0x3e) return skipMemarg(r); // loads and stores
      if (op >= 0x45 && op <= 0xc4) return; // numeric, incl. sign extension 0xc0-0xc4
      r.fail(`unknown opcode 0x${op.toString(16)}`, at);
  }
}

function readFc(r: ByteReader, at: number): void {
  const sub = r.u32();
  if (sub <= 7) return; // saturating truncation
  switch (sub) {
    case 8: r.u32(); if (r.u32() !== 0) throw new UnsupportedFeature('multi-memory instruction'); return; // memory.init
    case 9: r.u32(); return; // data.drop
    case 10: if ((r.u32() | r.u32()) !== 0) throw new UnsupportedFeature('multi-memory instruction'); return; // memory.copy
    case 11: if (r.u32() !== 0) throw new UnsupportedFeature('multi-memory instruction'); return; // memory.fill
    case 12: r.u32(); r.u32(); return; // table.init elem table
    case 13: r.u32(); return; // elem.drop
    case 14: r.u32(); r.u32(); return; // table.copy
    case 15: case 16: case 17: r.u32(); return; // table.grow/size/fill
    default: r.fail(`unknown opcode 0xfc ${sub}`, at);
  }
}

function readSimd(r: ByteReader, at: number): void {
  const sub = r.u32();
  if (sub <= 0x0b) return skipMemarg(r); // v128 loads/stores/splat loads
  if (sub === 0x0c || sub === 0x0d) return r.skip(16); // v128.const, i8x16.shuffle
  if (sub >= 0x15 && sub <= 0x22) return r.skip(1); // extract/replace lane
  if (sub >= 0x54 && sub <= 0x5b) { skipMemarg(r); r.skip(1); return; } // load/store lane
  if (sub === 0x5c || sub === 0x5d) return skipMemarg(r); // load32_zero/load64_zero
  if (sub <= 0x113) return; // all other SIMD (and relaxed SIMD) ops take no immediates
  r.fail(`unknown opcode 0xfd ${sub}`, at);
}
