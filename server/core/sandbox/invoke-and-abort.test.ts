/**
 * Exported calls and AssemblyScript's abort, through the real worker pool, on programs built from
 * source (testdata/programs): the C reactor and the AssemblyScript module (fixtures: test-programs.ts).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { createSandboxPool } from './worker-threads/pool';
import { DEFAULT_WORKER_URL } from './worker-threads/worker-url';
import type { RunRequest, RunResult } from './types';
import { callRequest } from './test-programs';
import { readAssemblyScriptString, createAbortImport, AbortTrap, MAX_ABORT_STRING_UNITS } from './assemblyscript-abort.mjs';

const pool = createSandboxPool({ size: 1, workerUrl: DEFAULT_WORKER_URL });
afterAll(() => pool.close());

async function run(req: RunRequest): Promise<RunResult> {
  const result = await pool.run(req);
  if (!result.ok) throw new Error(`run failed: ${result.code} ${result.message}`);
  return result.value;
}

describe('calling exports of the C reactor', () => {
  it('runs _initialize first (the constructor sets 42)', async () => {
    const r = await run(callRequest('reactor', 'ready', { args: [], results: ['i32'] }));
    expect(r.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(r.returnValues).toEqual([{ type: 'i32', value: 42 }]);
  });

  it('passes and returns every value type exactly', async () => {
    const cases: [string, RunRequest['invoke'], RunResult['returnValues']][] = [
      ['add_i32', { args: [{ type: 'i32', value: 2147483647 }, { type: 'i32', value: 1 }], results: ['i32'] }, [{ type: 'i32', value: -2147483648 }]],
      ['mul_i64', { args: [{ type: 'i64', value: 4294967296n }, { type: 'i64', value: 4294967297n }], results: ['i64'] }, [{ type: 'i64', value: 18446744078004518912n - (1n << 64n) }]],
      ['half_f32', { args: [{ type: 'f32', value: 3 }], results: ['f32'] }, [{ type: 'f32', value: 1.5 }]],
      ['hypot_f64', { args: [{ type: 'f64', value: 3 }, { type: 'f64', value: 4 }], results: ['f64'] }, [{ type: 'f64', value: 5 }]],
      ['mix', { args: [{ type: 'i32', value: -1 }, { type: 'i64', value: 10n }, { type: 'f32', value: 0.5 }, { type: 'f64', value: 0.25 }], results: ['f64'] }, [{ type: 'f64', value: 9.75 }]],
    ];
    for (const [name, invoke, expected] of cases) {
      const r = await run(callRequest('reactor', name, invoke!));
      expect(r.outcome, name).toEqual({ kind: 'ok', exitCode: 0 });
      expect(r.returnValues, name).toEqual(expected);
    }
  });

  it('keeps NaN and infinities as values', async () => {
    const nan = await run(callRequest('reactor', 'half_f32', { args: [{ type: 'f32', value: Number.NaN }], results: ['f32'] }));
    expect(Number.isNaN(nan.returnValues?.[0]?.value)).toBe(true);
    const inf = await run(callRequest('reactor', 'half_f32', { args: [{ type: 'f32', value: Number.NEGATIVE_INFINITY }], results: ['f32'] }));
    expect(inf.returnValues).toEqual([{ type: 'f32', value: Number.NEGATIVE_INFINITY }]);
  });

  it('reports a trap in the called export as a trap, with no results', async () => {
    const r = await run(callRequest('reactor', 'div_i32', { args: [{ type: 'i32', value: 1 }, { type: 'i32', value: 0 }], results: ['i32'] }));
    expect(r.outcome).toEqual({ kind: 'trap', trap: 'integer_divide_by_zero' });
    expect(r.returnValues).toBeUndefined();
  });

  it('reports a missing export as missing_entry without running anything', async () => {
    const r = await run(callRequest('reactor', 'nope', { args: [], results: [] }));
    expect(r.outcome).toEqual({ kind: 'trap', trap: 'missing_entry' });
    expect(r.fuelUsed).toBe(0);
  });

  it('meters a call like a run: fuel is charged and the budget holds', async () => {
    const r = await run(callRequest('reactor', 'hypot_f64', { args: [{ type: 'f64', value: 3 }, { type: 'f64', value: 4 }], results: ['f64'] }, { limits: { fuel: 50, memoryPages: 64, wallMs: 10_000, outputBytes: 0 } }));
    expect(r.outcome).toEqual({ kind: 'out_of_fuel' });
    expect(r.fuelUsed).toBe(50);
  });
});

describe("AssemblyScript's env.abort", () => {
  it('becomes trap abort with the decoded message, file, line and column', async () => {
    const r = await run(callRequest('abort', 'check', { args: [{ type: 'i32', value: 0 }], results: ['i32'] }));
    expect(r.outcome).toEqual({ kind: 'trap', trap: 'abort', message: 'n must be positive at abort.ts:8:3' });
  });

  it('decodes non-ASCII UTF-16 text', async () => {
    const r = await run(callRequest('abort', 'fail', { args: [], results: [] }));
    expect(r.outcome).toEqual({ kind: 'trap', trap: 'abort', message: 'déjà vu: ünïcödé ✓ at abort.ts:14:3' });
  });

  it('does not fire when the assertion holds', async () => {
    const r = await run(callRequest('abort', 'check', { args: [{ type: 'i32', value: 21 }], results: ['i32'] }));
    expect(r.returnValues).toEqual([{ type: 'i32', value: 42 }]);
  });
});

describe('readAssemblyScriptString bounds (the module controls every pointer)', () => {
  /** A string object: u32 byte length at ptr-4, UTF-16LE data at ptr. */
  const memoryWith = (text: string, ptr = 8, size = 64): Uint8Array => {
    const bytes = new Uint8Array(size);
    new DataView(bytes.buffer).setUint32(ptr - 4, text.length * 2, true);
    for (let i = 0; i < text.length; i++) new DataView(bytes.buffer).setUint16(ptr + 2 * i, text.charCodeAt(i), true);
    return bytes;
  };

  it('reads a well-formed string', () => {
    expect(readAssemblyScriptString(memoryWith('hi'), 8)).toBe('hi');
  });

  it.each([
    ['a pointer below the header', 2],
    ['a pointer past the end', 65],
    ['a negative pointer', -8],
    ['a fractional pointer', 8.5],
    ['a BigInt (an i64 declared by a mismatched signature)', 8n],
  ])('returns null for %s', (_what, ptr) => {
    expect(readAssemblyScriptString(memoryWith('hi'), ptr)).toBeNull();
  });

  it('returns null when the length header points past memory or is odd', () => {
    const bytes = memoryWith('hi');
    new DataView(bytes.buffer).setUint32(4, 1000, true);
    expect(readAssemblyScriptString(bytes, 8)).toBeNull();
    new DataView(bytes.buffer).setUint32(4, 3, true);
    expect(readAssemblyScriptString(bytes, 8)).toBeNull();
    new DataView(bytes.buffer).setUint32(4, 0xffffffff, true);
    expect(readAssemblyScriptString(bytes, 8)).toBeNull();
  });

  it('replaces control characters (terminal escapes, newlines) so the message cannot forge output', () => {
    expect(readAssemblyScriptString(memoryWith('a\u001b[31mred\nb\u0000c\u009b'), 8)).toBe('a\uFFFD[31mred\uFFFDb\uFFFDc\uFFFD');
  });

  it('returns null without memory', () => {
    expect(readAssemblyScriptString(null, 8)).toBeNull();
  });

  it('cuts a long message and marks the cut; a lone surrogate becomes U+FFFD', () => {
    const long = 'x'.repeat(MAX_ABORT_STRING_UNITS + 10);
    expect(readAssemblyScriptString(memoryWith(long, 8, 4096), 8)).toBe(`${'x'.repeat(MAX_ABORT_STRING_UNITS)}…`);
    expect(readAssemblyScriptString(memoryWith('a\uD800b'), 8)).toBe('a\uFFFDb');
  });

  it('abort with unreadable pointers still traps, saying so', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { abort } = createAbortImport(() => memory);
    const thrown = (() => {
      try {
        abort(70000, 0, 1, 2);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(thrown).toBeInstanceOf(AbortTrap);
    expect((thrown as AbortTrap).message).toBe('unreadable message');
    expect(() => abort(0, 0, 0, 0)).toThrow(AbortTrap);
  });
});
