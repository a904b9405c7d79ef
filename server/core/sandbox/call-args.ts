/**
 * Arguments for `nightcore call <module> <export> [args...]`: text from the command line, checked
 * against the export's signature before anything runs, so a bad argument is a clear error and never
 * a silently different number. Pure.
 *
 * Accepted forms: i32 and i64 take decimal or 0x-hex integers, signed or unsigned within the type's
 * bit width (4294967295 and -1 are the same i32); f32 and f64 take decimal numbers, `inf`, `-inf`,
 * `infinity` and `nan`. Refused: anything else, values that do not fit (an f32 that would round to
 * infinity, an integer wider than the type), and NaN with a payload (`nan:0x...`), which the
 * JavaScript boundary cannot carry exactly.
 */
import { err, ok, type Result } from '../result';
import type { FunctionSignature } from '../wasm/export-signatures';
import type { Invocation, WasmValue, WasmValueType } from './types';

export type CallArgsCode = 'EXPORT_NOT_FOUND' | 'EXPORT_NOT_CALLABLE' | 'CALL_ARGS_INVALID';

const VALUE_TYPES: readonly string[] = ['i32', 'i64', 'f32', 'f64'];
const isValueType = (t: string): t is WasmValueType => VALUE_TYPES.includes(t);

const INTEGER = /^[+-]?(?:0[xX][0-9a-fA-F]+|[0-9]+)$/;
const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
/** Longest argument text accepted; longer is refused before any parsing. */
const MAX_ARG_CHARS = 128;

function parseInteger(text: string, bits: 32 | 64): bigint | string {
  if (!INTEGER.test(text)) return `"${text}" is not an integer (decimal or 0x-hex)`;
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '');
  const magnitude = BigInt(digits);
  const value = negative ? -magnitude : magnitude;
  const min = -(1n << BigInt(bits - 1));
  const max = (1n << BigInt(bits)) - 1n;
  if (value < min || value > max) return `${text} does not fit in i${bits} (from ${min} to ${max})`;
  return BigInt.asIntN(bits, value);
}

function parseFloat(text: string, type: 'f32' | 'f64'): number | string {
  const lower = text.toLowerCase();
  if (lower.startsWith('nan:') || lower.startsWith('-nan:') || lower.startsWith('+nan:')) {
    return `${text}: a NaN with a payload cannot be passed exactly (the JavaScript host canonicalizes NaN); use nan`;
  }
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return Number.NaN;
  if (['inf', '+inf', 'infinity', '+infinity'].includes(lower)) return Number.POSITIVE_INFINITY;
  if (['-inf', '-infinity'].includes(lower)) return Number.NEGATIVE_INFINITY;
  if (!DECIMAL.test(text)) return `"${text}" is not a number (decimal, inf, -inf or nan)`;
  const value = Number(text);
  const stored = type === 'f32' ? Math.fround(value) : value;
  if (!Number.isFinite(stored)) return `${text} is too large for ${type} (it would become infinity)`;
  return stored;
}

function parseOne(text: string, type: WasmValueType): WasmValue | string {
  if (text.length > MAX_ARG_CHARS) return `an argument longer than ${MAX_ARG_CHARS} characters`;
  if (type === 'i32' || type === 'i64') {
    const v = parseInteger(text, type === 'i32' ? 32 : 64);
    if (typeof v === 'string') return v;
    return type === 'i64' ? { type, value: v } : { type, value: Number(v) };
  }
  const v = parseFloat(text, type);
  return typeof v === 'string' ? v : { type, value: v };
}

/**
 * Checks `args` against the signature of `exportName` (from exportSignatures) and returns the typed
 * invocation. Collects every bad argument, not just the first.
 */
export function parseCallArgs(
  signatures: ReadonlyMap<string, FunctionSignature | null>,
  exportName: string,
  args: readonly string[],
): Result<Invocation, CallArgsCode> {
  if (!signatures.has(exportName)) {
    const names = [...signatures.keys()].filter((n) => !n.startsWith('_') || n === '_start' || n === '_initialize').slice(0, 20);
    return err('EXPORT_NOT_FOUND', `The module exports no function "${exportName}". Exported functions: ${names.join(', ') || 'none'}.`);
  }
  const sig = signatures.get(exportName) ?? null;
  if (sig === null) return err('EXPORT_NOT_CALLABLE', `"${exportName}" has a type nightcore call cannot read (a GC type).`);
  const unsupported = [...sig.params, ...sig.results].filter((t) => !isValueType(t));
  if (unsupported.length > 0) {
    return err('EXPORT_NOT_CALLABLE', `"${exportName}" uses ${[...new Set(unsupported)].join(', ')}; nightcore call passes only i32, i64, f32 and f64.`);
  }
  const params = sig.params as WasmValueType[];
  const shape = `${exportName}(${params.join(', ')})`;
  if (args.length !== params.length) {
    return err('CALL_ARGS_INVALID', `${shape} takes ${params.length} argument(s); ${args.length} given.`);
  }
  const problems: string[] = [];
  const values: WasmValue[] = [];
  params.forEach((type, i) => {
    const v = parseOne(args[i] ?? '', type);
    if (typeof v === 'string') problems.push(`argument ${i + 1} (${type}): ${v}`);
    else values.push(v);
  });
  if (problems.length > 0) return err('CALL_ARGS_INVALID', `Bad argument(s) for ${shape}: ${problems.join('; ')}.`, problems);
  return ok({ args: values, results: sig.results as WasmValueType[] });
}

/** A value as text: decimal integers, and `nan`, `inf`, `-inf`, `-0` for the float specials. */
export function formatWasmValue(v: WasmValue): string {
  if (v.type === 'i64' || v.type === 'i32') return String(v.value);
  if (Number.isNaN(v.value)) return 'nan';
  if (v.value === Number.POSITIVE_INFINITY) return 'inf';
  if (v.value === Number.NEGATIVE_INFINITY) return '-inf';
  if (Object.is(v.value, -0)) return '-0';
  return String(v.value);
}

/** A value for the decision record: typed decimal text, so i64 and NaN/infinities survive JSON. */
export function recordValue(v: WasmValue): { type: WasmValueType; value: string } {
  return { type: v.type, value: formatWasmValue(v) };
}

/** The inverse of recordValue, for replay; null when the text is not one recordValue writes. */
export function valueFromRecord(r: { type: string; value: string }): WasmValue | null {
  if (!isValueType(r.type)) return null;
  const v = parseOne(r.value, r.type);
  return typeof v === 'string' ? null : v;
}
