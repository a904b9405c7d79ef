/**
 * Rewrites one function body so it pays for itself: deterministic, precharged fuel metering.
 *
 * The body is cut into segments: straight-line runs with one entry (the first instruction)
 * and one way out (the last instruction, or a trap). A new segment starts
 *   - at function entry,
 *   - after `loop` (the loop header: target of back-edges),
 *   - after `if`, `else`, `catch`, `catch_all` (entries of then/else/handler code),
 *   - after `end`/`delegate` of a block that something branches to (`if`/`try` always count),
 *   - after `br_if`/`br_on_*` (the fall-through path) and after every call (the callee
 *     charges itself; charging the caller's rest only after the call returns keeps
 *     "fuel used" exact when the callee exits the run, e.g. WASI proc_exit).
 * After br/br_table/return/unreachable/throw the code is dead until the next entry point,
 * so no charge is placed there. `block`/`try_table` starts and `end` of loops and of blocks
 * nobody branches to are plain fall-through and do not cut a segment (fewer charges).
 *
 * At each segment start we insert (cost = number of original instructions in the segment,
 * every opcode 1, structural ones like `block`/`end`/`else` included, bulk memory ops and
 * memory.grow flat 1; their size is bounded by the memory cap and the wall-clock limit):
 *   global.get F; i64.const cost; i64.sub; local.tee T; global.set F;
 *   local.get T; i64.const 0; i64.lt_s; if; unreachable; end
 * T is one extra i64 scratch local per function: re-reading the global instead was
 * measured ~1.3x slower (V8 does not forward the store to the reload).
 * Because the whole segment is charged before it runs, a completed call has used exactly
 * the number of original instructions it executed; a trap mid-segment counts that whole
 * segment; an exhausted budget leaves F negative and traps at the same point every time.
 */
import { ByteReader, WasmFormatError } from '../../wasm/reader';
import { ByteWriter } from './binary';
import { Kind, newInstr, readInstruction, skipValType, type KindValue } from './opcodes';

export interface BodyContext {
  /** Number of parameters of this function (locals are numbered after them). */
  readonly paramCount: number;
  /** Index of the defined mutable i64 global holding the fuel left. */
  readonly fuelGlobal: number;
  /** Maps an original global index to its index after the budget import was added. */
  readonly remapGlobal: (index: number) => number;
  /** 'scratch-local' (default, measured faster) or 'reload-global' (kept for the bench's comparison). */
  readonly chargeStyle?: ChargeStyle;
}

export type ChargeStyle = 'scratch-local' | 'reload-global';

interface Frame {
  readonly kind: KindValue;
  /** Something branches to the end of this frame, so its `end` is a merge point. */
  targeted: boolean;
}

const MAX_LOCALS = 0xffff_ffff;

/** Reads the body in r[r.pos, end) and writes the metered body (size-prefixed) to out. */
export function meterFunctionBody(r: ByteReader, end: number, ctx: BodyContext, out: ByteWriter): void {
  const body = new ByteWriter(end - r.pos + 64);
  const localsStart = r.pos;
  const groups = r.count(2);
  let locals = 0;
  for (let i = 0; i < groups; i++) {
    locals += r.u32();
    if (locals > MAX_LOCALS) r.fail('too many locals');
    skipValType(r);
  }
  if (r.pos > end) r.fail('function locals run past the body');
  body.u32(groups + 1);
  // Keep the original local groups byte for byte (skip their count), then add the scratch.
  const countLen = leb32Length(r.bytes, localsStart);
  body.bytes(r.bytes.subarray(localsStart + countLen, r.pos));
  body.u32(1).byte(0x7e);
  const scratch = ctx.paramCount + locals;

  const code = new ByteWriter(end - r.pos + 64);
  const charges: { at: number; segment: number }[] = [];
  const costs: number[] = [];
  let segment = -1; // -1: dead code, nothing to charge
  const startSegment = (): void => {
    segment = costs.length;
    costs.push(0);
    charges.push({ at: code.length, segment });
  };
  const markLabel = (stack: Frame[], depth: number): void => {
    const frame = stack[stack.length - 1 - depth];
    if (!frame) r.fail(`branch depth ${depth} out of range`);
    frame.targeted = true;
  };

  const stack: Frame[] = [{ kind: Kind.Block, targeted: false }]; // the function's own frame
  const ins = newInstr();
  startSegment();
  while (stack.length > 0) {
    if (r.pos >= end) r.fail('function body ends without `end`');
    const at = r.pos;
    readInstruction(r, ins);
    if (r.pos > end) r.fail('instruction runs past the function body', at);
    if (segment >= 0) costs[segment]! += 1;
    if (ins.kind === Kind.GlobalGet || ins.kind === Kind.GlobalSet) {
      code.byte(r.bytes[at]!).u32(ctx.remapGlobal(ins.index));
    } else {
      code.bytes(r.bytes.subarray(at, r.pos));
    }
    switch (ins.kind) {
      case Kind.Block:
        stack.push({ kind: Kind.Block, targeted: false });
        break;
      case Kind.TryTable: {
        // Catch labels are relative to the context outside the try_table; marking the
        // neighbouring frame too is conservative (an extra cut is always safe).
        let selfTargeted = false;
        for (const d of ins.labels) {
          markLabel(stack, d);
          if (d === 0) selfTargeted = true;
          else markLabel(stack, d - 1);
        }
        stack.push({ kind: Kind.TryTable, targeted: selfTargeted });
        break;
      }
      case Kind.Loop:
        stack.push({ kind: Kind.Loop, targeted: false });
        startSegment();
        break;
      case Kind.If:
        stack.push({ kind: Kind.If, targeted: true }); // false path jumps to else/end
        startSegment();
        break;
      case Kind.Try:
        stack.push({ kind: Kind.Try, targeted: true }); // body and handlers all meet at end
        break;
      case Kind.Else:
      case Kind.Catch:
        if (stack.length < 2) r.fail('else/catch outside a block', at);
        startSegment();
        break;
      case Kind.Delegate:
      case Kind.End: {
        const frame = stack.pop()!;
        if (stack.length === 0) {
          if (ins.kind !== Kind.End || r.pos !== end) r.fail('function body does not end at its last `end`', at);
        } else if (ins.kind === Kind.Delegate || (frame.targeted && frame.kind !== Kind.Loop)) {
          startSegment();
        }
        break;
      }
      case Kind.Br:
        markLabel(stack, ins.labels[0]!);
        segment = -1;
        break;
      case Kind.BrIf:
        markLabel(stack, ins.labels[0]!);
        startSegment();
        break;
      case Kind.BrTable:
        for (const d of ins.labels) markLabel(stack, d);
        segment = -1;
        break;
      case Kind.Exit:
        segment = -1;
        break;
      case Kind.Call:
        startSegment();
        break;
      default:
        break;
    }
  }

  // Splice the charges into the copied code.
  const copied = code.toBytes();
  let from = 0;
  for (const { at, segment: s } of charges) {
    const cost = costs[s]!;
    if (cost === 0) continue;
    body.bytes(copied.subarray(from, at));
    from = at;
    if (ctx.chargeStyle === 'reload-global') writeReloadCharge(body, ctx.fuelGlobal, cost);
    else writeCharge(body, ctx.fuelGlobal, scratch, cost);
  }
  body.bytes(copied.subarray(from));
  out.sized(body.toBytes());
}

function writeCharge(w: ByteWriter, fuel: number, scratch: number, cost: number): void {
  w.byte(0x23).u32(fuel); // global.get F
  w.byte(0x42).s64(BigInt(cost)); // i64.const cost
  w.byte(0x7d); // i64.sub
  w.byte(0x22).u32(scratch); // local.tee T
  w.byte(0x24).u32(fuel); // global.set F
  w.byte(0x20).u32(scratch); // local.get T
  w.byte(0x42).byte(0x00); // i64.const 0
  w.byte(0x53); // i64.lt_s
  w.byte(0x04).byte(0x40); // if (empty)
  w.byte(0x00); // unreachable
  w.byte(0x0b); // end
}

/** global.get F; i64.const c; i64.sub; global.set F; global.get F; i64.const 0; i64.lt_s; if unreachable end */
function writeReloadCharge(w: ByteWriter, fuel: number, cost: number): void {
  w.byte(0x23).u32(fuel).byte(0x42).s64(BigInt(cost)).byte(0x7d).byte(0x24).u32(fuel);
  w.byte(0x23).u32(fuel).byte(0x42).byte(0x00).byte(0x53).byte(0x04).byte(0x40).byte(0x00).byte(0x0b);
}

function leb32Length(bytes: Uint8Array, at: number): number {
  let n = 0;
  while (n < 5) {
    const b = bytes[at + n];
    if (b === undefined) throw new WasmFormatError('unexpected end of data', at + n);
    n++;
    if ((b & 0x80) === 0) return n;
  }
  throw new WasmFormatError('integer representation too long', at);
}
