/**
 * Typed wasm values in signed JSON: i64 travels as a decimal string (JSON numbers lose precision
 * past 2^53), f32/f64 as strings too so NaN and infinities survive canonical JSON.
 */
import { err, ok, type Result } from '../../result';
import type { Invocation, WasmValue, WasmValueType } from '../types';

export interface EncodedValue {
  readonly type: WasmValueType;
  readonly value: string;
}

export interface EncodedInvocation {
  readonly args: readonly EncodedValue[];
  readonly results: readonly WasmValueType[];
}

const TYPES: readonly WasmValueType[] = ['i32', 'i64', 'f32', 'f64'];

export const encodeValues = (values: readonly WasmValue[]): EncodedValue[] => values.map((v) => ({ type: v.type, value: String(v.value) }));

export const encodeInvocation = (invoke: Invocation | undefined): EncodedInvocation | undefined =>
  invoke && { args: encodeValues(invoke.args), results: [...invoke.results] };

export function decodeValues(values: unknown): Result<WasmValue[], 'VALUE_INVALID'> {
  if (!Array.isArray(values)) return err('VALUE_INVALID', 'values must be a list');
  const out: WasmValue[] = [];
  for (const v of values as EncodedValue[]) {
    if (!v || !TYPES.includes(v.type) || typeof v.value !== 'string') return err('VALUE_INVALID', 'a value is malformed');
    if (v.type === 'i64') {
      if (!/^-?\d{1,20}$/.test(v.value)) return err('VALUE_INVALID', 'an i64 value is malformed');
      out.push({ type: 'i64', value: BigInt(v.value) });
    } else {
      const n = Number(v.value);
      if (Number.isNaN(n) && v.value !== 'NaN') return err('VALUE_INVALID', `a ${v.type} value is malformed`);
      out.push({ type: v.type, value: n });
    }
  }
  return ok(out);
}

/** Undefined (a plain run) or the invocation; an error for anything malformed. */
export function decodeInvocation(encoded: unknown): Result<Invocation | undefined, 'VALUE_INVALID'> {
  if (encoded === undefined) return ok(undefined);
  const e = encoded as EncodedInvocation;
  if (!e || !Array.isArray(e.results) || !e.results.every((t) => TYPES.includes(t))) return err('VALUE_INVALID', 'the invocation is malformed');
  const args = decodeValues(e.args);
  return args.ok ? ok({ args: args.value, results: [...e.results] }) : args;
}
