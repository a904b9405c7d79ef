import { describe, it, expect } from 'vitest';
import { formatWasmValue, parseCallArgs } from './call-args';
import type { FunctionSignature } from '../wasm/export-signatures';

const SIGS = new Map<string, FunctionSignature | null>([
  ['i32', { params: ['i32'], results: ['i32'] }],
  ['i64', { params: ['i64'], results: ['i64'] }],
  ['f32', { params: ['f32'], results: ['f32'] }],
  ['f64', { params: ['f64'], results: ['f64'] }],
  ['mix', { params: ['i32', 'i64', 'f32', 'f64'], results: ['f64'] }],
  ['vec', { params: ['v128'], results: [] }],
  ['gc', null],
  ['_internal', { params: [], results: [] }],
]);

const one = (name: string, arg: string) => {
  const r = parseCallArgs(SIGS, name, [arg]);
  return r.ok ? r.value.args[0] : r.message;
};

describe('parseCallArgs: accepted values', () => {
  it.each([
    ['i32', '42', { type: 'i32', value: 42 }],
    ['i32', '-2147483648', { type: 'i32', value: -2147483648 }],
    ['i32', '4294967295', { type: 'i32', value: -1 }],
    ['i32', '0xff', { type: 'i32', value: 255 }],
    ['i32', '+7', { type: 'i32', value: 7 }],
    ['i64', '9223372036854775807', { type: 'i64', value: 9223372036854775807n }],
    ['i64', '18446744073709551615', { type: 'i64', value: -1n }],
    ['i64', '-9223372036854775808', { type: 'i64', value: -9223372036854775808n }],
    ['f32', '0.1', { type: 'f32', value: Math.fround(0.1) }],
    ['f32', '3.4028234663852886e38', { type: 'f32', value: 3.4028234663852886e38 }],
    ['f64', '1e308', { type: 'f64', value: 1e308 }],
    ['f64', '-0', { type: 'f64', value: -0 }],
    ['f64', '.5', { type: 'f64', value: 0.5 }],
    ['f64', 'inf', { type: 'f64', value: Infinity }],
    ['f64', '-Infinity', { type: 'f64', value: -Infinity }],
  ])('%s %s', (type, text, expected) => {
    expect(one(type, text)).toEqual(expected);
  });

  it('accepts nan (any sign, any case) as the canonical NaN', () => {
    for (const t of ['nan', 'NaN', '-nan', '+NAN']) {
      const v = one('f32', t);
      expect(typeof v === 'object' && Number.isNaN(v.value)).toBe(true);
    }
  });

  it('types a mixed signature in order and returns the result types', () => {
    const r = parseCallArgs(SIGS, 'mix', ['-1', '10', '0.5', '0.25']);
    expect(r).toEqual({ ok: true, value: { args: [{ type: 'i32', value: -1 }, { type: 'i64', value: 10n }, { type: 'f32', value: 0.5 }, { type: 'f64', value: 0.25 }], results: ['f64'] } });
  });
});

describe('parseCallArgs: refused input (clear error, nothing runs)', () => {
  it.each([
    ['i32', '2147483648000', /does not fit in i32/],
    ['i32', '-2147483649', /does not fit in i32/],
    ['i64', '18446744073709551616', /does not fit in i64/],
    ['i32', '1.5', /not an integer/],
    ['i32', 'nan', /not an integer/],
    ['i32', '', /not an integer/],
    ['i32', ' 1', /not an integer/],
    ['i32', '1_000', /not an integer/],
    ['i64', '0x', /not an integer/],
    ['f32', '1e39', /too large for f32/],
    ['f64', '1e400', /too large for f64/],
    ['f64', 'nan:0x1', /NaN with a payload cannot be passed exactly/],
    ['f32', '-nan:0x200000', /NaN with a payload/],
    ['f64', '0x1p3', /not a number/],
    ['f64', '1e', /not a number/],
    ['f64', 'Infinityy', /not a number/],
    ['f64', '9'.repeat(200), /longer than 128 characters/],
  ])('%s %j', (type, text, says) => {
    const r = parseCallArgs(SIGS, type, [text]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('CALL_ARGS_INVALID');
    expect(!r.ok && r.message).toMatch(says);
  });

  it('refuses the wrong number of arguments, naming the signature', () => {
    const r = parseCallArgs(SIGS, 'mix', ['1', '2']);
    expect(r).toEqual({ ok: false, code: 'CALL_ARGS_INVALID', message: 'mix(i32, i64, f32, f64) takes 4 argument(s); 2 given.' });
    expect(parseCallArgs(SIGS, 'i32', []).ok).toBe(false);
  });

  it('lists every bad argument, not just the first', () => {
    const r = parseCallArgs(SIGS, 'mix', ['x', '1', 'y', 'nan:0x5']);
    expect(!r.ok && r.issues).toHaveLength(3);
  });

  it('refuses a missing export and lists the callable ones (internal _names hidden)', () => {
    const r = parseCallArgs(SIGS, 'nope', []);
    expect(!r.ok && r.code).toBe('EXPORT_NOT_FOUND');
    expect(!r.ok && r.message).toContain('Exported functions: i32, i64, f32, f64, mix, vec, gc.');
  });

  it('refuses exports whose types cannot be passed', () => {
    expect(parseCallArgs(SIGS, 'vec', ['0'])).toMatchObject({ ok: false, code: 'EXPORT_NOT_CALLABLE', message: expect.stringContaining('v128') });
    expect(parseCallArgs(SIGS, 'gc', [])).toMatchObject({ ok: false, code: 'EXPORT_NOT_CALLABLE' });
  });
});

describe('formatWasmValue', () => {
  it.each([
    [{ type: 'i32', value: -1 }, '-1'],
    [{ type: 'i64', value: -9223372036854775808n }, '-9223372036854775808'],
    [{ type: 'f32', value: 1.5 }, '1.5'],
    [{ type: 'f64', value: Number.NaN }, 'nan'],
    [{ type: 'f64', value: Infinity }, 'inf'],
    [{ type: 'f64', value: -Infinity }, '-inf'],
    [{ type: 'f64', value: -0 }, '-0'],
  ] as const)('%# formats as %s', (v, text) => {
    expect(formatWasmValue(v)).toBe(text);
  });
});
