import { describe, it, expect } from 'vitest';
import { instrumentModule, fuelAccounting } from './index';
import { compile, instantiateMetered, mustInstrument, wat } from './testkit';

const BIG = 10n ** 15n;

describe('instrumentModule protocol', () => {
  it('adds the budget import, the exported fuel global, and exports an unexported memory', async () => {
    const wasm = wat(`(module (memory 1) (func (export "f") (result i32) i32.const 7))`);
    const out = mustInstrument(wasm);
    const module = compile(out.bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'nightcore', name: 'fuel_budget', kind: 'global' }]);
    const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
    expect(exportNames).toEqual(['f', 'nightcore_fuel', 'nightcore_memory']);
    expect(out.fuelGlobalExport).toBe('nightcore_fuel');
    expect(out.memoryExport).toBe('nightcore_memory');
    expect(out.memory).toEqual({ source: 'defined', initialPages: 1, maxPages: 65536 });
    const run = instantiateMetered(module, 100n);
    expect((run.exports.f as () => number)()).toBe(7);
    // i32.const 7; end = 2 instructions
    expect(run.accounting()).toEqual({ outOfFuel: false, fuelUsed: 2n });
  });

  it('keeps the existing memory export name and reports no memory when there is none', async () => {
    const named = mustInstrument(wat(`(module (memory (export "mem") 2 3))`), 10);
    expect(named.memoryExport).toBe('mem');
    expect(named.memory).toEqual({ source: 'defined', initialPages: 2, maxPages: 3 });
    const none = mustInstrument(wat(`(module (func (export "f")))`));
    expect(none.memoryExport).toBeNull();
    expect(none.memory).toBeNull();
  });

  it('reports an imported memory without clamping it and exports it for the host', async () => {
    const out = mustInstrument(wat(`(module (import "env" "memory" (memory 1 100)))`), 4);
    expect(out.memory).toEqual({ source: 'imported', initialPages: 1, maxPages: 100 });
    expect(out.memoryExport).toBe('nightcore_memory');
  });

  it('shifts defined global indices in code, initialisers, offsets and exports', async () => {
    const wasm = wat(`(module
      (import "env" "base" (global $base i32))
      (import "env" "f" (func $f (result i32)))
      (global $a (mut i32) (global.get $base))
      (global $b (export "b") i32 (i32.const 40))
      (memory 1)
      (table 4 funcref)
      (data (global.get $base) "\\2a")
      (elem (global.get $base) $one)
      (func $one (result i32) i32.const 1)
      (func (export "sum") (result i32)
        (global.set $a (i32.add (global.get $a) (global.get $b)))
        (i32.add (i32.add (global.get $a) (i32.load8_u (global.get $base)))
                 (i32.add (call $f) (call_indirect (result i32) (global.get $base))))))`);
    const out = mustInstrument(wasm);
    const imports = {
      env: { base: new WebAssembly.Global({ value: 'i32' }, 2), f: () => 100 },
    };
    const run = instantiateMetered(compile(out.bytes), BIG, imports);
    const original = new WebAssembly.Instance(compile(wasm), imports);
    // a = 2 + 40 = 42; + mem[2] (42) = 84; + f() 100 + table[2]() 1 = 185
    expect((run.exports.sum as () => number)()).toBe(185);
    expect((original.exports.sum as () => number)()).toBe(185);
    expect((run.exports.b as WebAssembly.Global).value).toBe(40);
    expect(run.accounting().outOfFuel).toBe(false);
  });

  it('meters the start function too', async () => {
    const wasm = wat(`(module (global $g (export "g") (mut i32) (i32.const 0))
      (func $start (global.set $g (i32.const 5))) (start $start))`);
    const run = instantiateMetered(compile(mustInstrument(wasm).bytes), 100n);
    expect((run.exports.g as WebAssembly.Global).value).toBe(5);
    expect(run.accounting()).toEqual({ outOfFuel: false, fuelUsed: 3n }); // i32.const, global.set, end
    expect(() => instantiateMetered(compile(mustInstrument(wasm).bytes), 2n)).toThrow(WebAssembly.RuntimeError);
  });
});

describe('memory clamp', () => {
  const growAll = (limits: string) => `(module (memory ${limits})
    (func (export "growAll") (result i32) (local $n i32)
      (block $done (loop $l
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $n)))`;

  it('makes memory.grow return -1 once the cap is reached', async () => {
    const out = mustInstrument(wat(growAll('1')), 4);
    expect(out.memory).toEqual({ source: 'defined', initialPages: 1, maxPages: 4 });
    const run = instantiateMetered(compile(out.bytes), BIG);
    expect((run.exports.growAll as () => number)()).toBe(3);
    expect((run.exports.nightcore_memory as WebAssembly.Memory).buffer.byteLength).toBe(4 * 65536);
  });

  it('keeps a declared maximum below the cap', async () => {
    const run = instantiateMetered(compile(mustInstrument(wat(growAll('1 2')), 4).bytes), BIG);
    expect((run.exports.growAll as () => number)()).toBe(1);
  });

  it('refuses a memory whose initial size exceeds the cap as LIMIT_EXCEEDED', async () => {
    const result = instrumentModule(wat(growAll('5')), { maxMemoryPages: 4 });
    expect(result).toMatchObject({ ok: false, code: 'LIMIT_EXCEEDED' });
    expect(result.ok ? '' : result.message).toMatch(/5 initial pages/);
  });
});

describe('table clamp', () => {
  const tableMax = (bytes: Uint8Array, name = 't') => {
    const run = instantiateMetered(compile(bytes), BIG);
    const table = run.exports[name] as WebAssembly.Table;
    let grown = 0;
    // Grow one element at a time is too slow for big caps: grow by the largest amount that works.
    for (let step = 1 << 20; step >= 1; step >>= 1) {
      try {
        table.grow(step);
        grown += step;
        step <<= 1;
      } catch {
        // RangeError past the maximum: try a smaller step
      }
    }
    return table.length;
  };

  it('clamps a table without a maximum to the cap, so growth stops there', async () => {
    const wasm = await wat(`(module (table (export "t") 10 funcref))`);
    expect(tableMax(mustInstrumentTables(wasm, 1000).bytes)).toBe(1000);
    // Without the clamp the same table grows far past it (the engine's own limit is 10 million).
    expect(tableMax(wasm)).toBeGreaterThan(1_000_000);
  });

  it('keeps a smaller declared maximum', async () => {
    const wasm = await wat(`(module (table (export "t") 3 7 funcref))`);
    expect(tableMax(mustInstrumentTables(wasm, 1000).bytes)).toBe(7);
  });

  it('shares the room between tables so that all of them together stay within the cap', async () => {
    const wasm = await wat(`(module (table (export "t") 100 funcref) (table (export "u") 300 externref))`);
    const out = mustInstrumentTables(wasm, 1000).bytes;
    expect(tableMax(out, 't') + tableMax(out, 'u')).toBeLessThanOrEqual(1000);
    expect(tableMax(out, 't')).toBe(100 + 300);
  });

  it('refuses tables that start above the cap as LIMIT_EXCEEDED, before anything is allocated', async () => {
    const wasm = await wat(`(module (table 10000000 funcref))`);
    const result = instrumentModule(wasm, { maxMemoryPages: 1, maxTableElements: 65536 });
    expect(result).toMatchObject({ ok: false, code: 'LIMIT_EXCEEDED' });
    expect(result.ok ? '' : result.message).toMatch(/10000000 initial elements, more than the cap of 65536/);
    const two = await wat(`(module (table 600 funcref) (table 401 funcref))`);
    expect(instrumentModule(two, { maxMemoryPages: 1, maxTableElements: 1000 })).toMatchObject({ ok: false, code: 'LIMIT_EXCEEDED' });
  });

  it('applies the default table cap when none is given, and rejects caps outside the schema range', async () => {
    const wasm = await wat(`(module (table (export "t") 1 funcref))`);
    expect(tableMax(mustInstrument(wasm).bytes)).toBe(65_536);
    for (const bad of [-1, 2.5, 1_000_001]) {
      expect(instrumentModule(wasm, { maxMemoryPages: 1, maxTableElements: bad })).toMatchObject({ ok: false, code: 'UNSUPPORTED' });
    }
  });
});

function mustInstrumentTables(wasm: Uint8Array, maxTableElements: number) {
  const result = instrumentModule(wasm, { maxMemoryPages: 16, maxTableElements });
  if (!result.ok) throw new Error(`instrumentation failed: ${result.code} ${result.message}`);
  return result.value;
}

describe('refusals and bad input', () => {
  it('refuses shared memory, memory64 and multiple memories as UNSUPPORTED', async () => {
    const shared = wat(`(module (memory 1 1 shared))`, { threads: true });
    const mem64 = wat(`(module (memory i64 1))`, { memory64: true });
    const multi = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 5, 2, 0, 1, 0, 1]);
    for (const [wasm, why] of [[shared, /shared/], [mem64, /memory64/], [multi, /multiple memories/]] as const) {
      const result = instrumentModule(wasm, { maxMemoryPages: 16 });
      expect(result).toMatchObject({ ok: false, code: 'UNSUPPORTED' });
      expect(result.ok ? '' : result.message).toMatch(why);
    }
  });

  it('refuses a module that already uses the protocol export name', async () => {
    const wasm = wat(`(module (func (export "nightcore_fuel")))`);
    expect(instrumentModule(wasm, { maxMemoryPages: 1 })).toMatchObject({ ok: false, code: 'UNSUPPORTED' });
  });

  it('rejects invalid options', async () => {
    const wasm = wat(`(module)`);
    for (const bad of [-1, 1.5, 65537, Number.NaN]) {
      expect(instrumentModule(wasm, { maxMemoryPages: bad })).toMatchObject({ ok: false, code: 'UNSUPPORTED' });
    }
  });

  it('returns WASM_MALFORMED for garbage, truncations and an invalid module', async () => {
    const good = wat(`(module (memory 1) (func (export "f") (param i32) (result i32)
      (loop (br_if 0 (local.get 0))) (local.get 0)))`);
    expect(instrumentModule(new Uint8Array([1, 2, 3]), { maxMemoryPages: 1 })).toMatchObject({ ok: false, code: 'WASM_MALFORMED' });
    for (let cut = 0; cut < good.length; cut++) {
      const result = instrumentModule(good.subarray(0, cut), { maxMemoryPages: 1 });
      // A cut exactly at a section boundary is a valid (smaller) module; anything else is malformed.
      if (!result.ok) expect(result.code).toBe('WASM_MALFORMED');
      else expect(WebAssembly.validate(good.subarray(0, cut) as Uint8Array<ArrayBuffer>)).toBe(true);
    }
    // Well-formed but ill-typed: a function returning i32 whose body is (i64.const 1).
    const invalid = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 10, 6, 1, 4, 0, 0x42, 1, 0x0b]);
    expect(instrumentModule(invalid, { maxMemoryPages: 1 })).toMatchObject({ ok: false, code: 'WASM_MALFORMED' });
  });
});

describe('fuelAccounting', () => {
  it('reports exactly the budget when fuel went negative', () => {
    expect(fuelAccounting(1000n, -3n)).toEqual({ outOfFuel: true, fuelUsed: 1000n });
    expect(fuelAccounting(1000n, 0n)).toEqual({ outOfFuel: false, fuelUsed: 1000n });
    expect(fuelAccounting(1000n, 250n)).toEqual({ outOfFuel: false, fuelUsed: 750n });
  });
});
