import { describe, it, expect, beforeAll } from 'vitest';
import { inspectWasm, formatReport } from './inspect';
import type { WasmReport } from './report';
import { HEADER, leb, module, name, section, wat } from './test-wat';

const FULL_WAT = `(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "table" (table 2 10 funcref))
  (import "env" "mem" (memory 1 4))
  (import "env" "g" (global $g i32))
  (func $main (export "main") call $helper)
  (func $helper)
  (global $counter (mut i32) (i32.const 7))
  (global i64 (i64.const -1))
  (export "memory" (memory 0))
  (export "table" (table 0))
  (export "counter" (global $counter))
  (start $helper)
  (elem (i32.const 0) $main $helper)
  (data (i32.const 16) "hello")
  (data (i32.const 32) "world!!"))`;

let full: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  full = wat(FULL_WAT);
});

function inspectOk(bytes: Uint8Array): WasmReport {
  const r = inspectWasm(bytes);
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.value;
}

function expectMalformed(bytes: Uint8Array | number[], message: RegExp): void {
  const r = inspectWasm(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.code).toBe('WASM_MALFORMED');
  expect(r.message).toMatch(message);
  expect(r.message).toMatch(/\(at byte \d+\)/);
}

const v8Kind = (k: string) => (k === 'func' ? 'function' : k);

describe('inspectWasm on well-formed modules', () => {
  it('reports every field of a module with all import kinds, start, elements and data', () => {
    expect(inspectOk(full)).toEqual({
      sizeBytes: full.length,
      version: 1,
      imports: [
        { module: 'env', name: 'log', kind: 'func' },
        { module: 'env', name: 'table', kind: 'table' },
        { module: 'env', name: 'mem', kind: 'memory' },
        { module: 'env', name: 'g', kind: 'global' },
      ],
      exports: [
        { name: 'main', kind: 'func', index: 1 },
        { name: 'memory', kind: 'memory', index: 0 },
        { name: 'table', kind: 'table', index: 0 },
        { name: 'counter', kind: 'global', index: 1 },
      ],
      memories: [{ initialPages: 1, maximumPages: 4, imported: true, shared: false, memory64: false }],
      tables: [{ elementType: 'funcref', initial: 2, maximum: 10, imported: true }],
      globalCount: 2,
      startFunction: 2,
      customSections: [],
      customSectionTotals: { count: 0, sizeBytes: 0 },
      importedFunctionCount: 1,
      functionCount: 2,
      // count (1) + main: size 1 + [locals 0, call 2, end] (4) + helper: size 1 + [0, end] (2)
      codeSizeBytes: 1 + 5 + 3,
      // count (1) + [flag, i32.const 16, end, len, "hello"] (10) + [.., len, "world!!"] (12)
      dataSizeBytes: 1 + 10 + 12,
      dataSegmentCount: 2,
    });
  });

  it('agrees with V8 on the imports and exports of that module', () => {
    const m = new WebAssembly.Module(full);
    const report = inspectOk(full);
    expect(report.imports.map((i) => ({ ...i, kind: v8Kind(i.kind) }))).toEqual(WebAssembly.Module.imports(m));
    expect(report.exports.map((e) => ({ name: e.name, kind: v8Kind(e.kind) }))).toEqual(WebAssembly.Module.exports(m));
  });

  it('reads the empty module', () => {
    const report = inspectOk(new Uint8Array(HEADER));
    expect(report.sizeBytes).toBe(8);
    expect(report.imports).toEqual([]);
    expect(report.startFunction).toBeNull();
    expect(report.functionCount).toBe(0);
  });

  it('reports memory limits, the shared flag and memory64', async () => {
    const plain = inspectOk(wat('(module (memory 3))'));
    expect(plain.memories).toEqual([{ initialPages: 3, maximumPages: null, imported: false, shared: false, memory64: false }]);
    const shared = inspectOk(wat('(module (memory 1 2 shared))', { threads: true }));
    expect(shared.memories).toEqual([{ initialPages: 1, maximumPages: 2, imported: false, shared: true, memory64: false }]);
    const m64 = inspectOk(wat('(module (memory i64 1 5))', { memory64: true }));
    expect(m64.memories).toEqual([{ initialPages: 1, maximumPages: 5, imported: false, shared: false, memory64: true }]);
    // 64-bit limits beyond u32: 2^32 pages must come back exactly, not truncated.
    const big = inspectOk(module(section(5, [1, 0x04, ...leb(2 ** 32)])));
    expect(big.memories[0]).toMatchObject({ initialPages: 2 ** 32, maximumPages: null, memory64: true });
  });

  it('names table element types, including the (ref null? ht) forms and table initialisers', async () => {
    const ext = inspectOk(wat('(module (table 1 externref) (table 0 4 funcref))'));
    expect(ext.tables).toEqual([
      { elementType: 'externref', initial: 1, maximum: null, imported: false },
      { elementType: 'funcref', initial: 0, maximum: 4, imported: false },
    ]);
    const forms = inspectOk(
      module(
        section(4, [
          ...[4, 0x63, 0x70, 0x00, 1], // (ref null func) is funcref
          ...[0x64, 0x70, 0x01, 1, 2], // (ref func)
          ...[0x63, 0x00, 0x00, 0], // (ref null 0)
          ...[0x40, 0x00, 0x64, 0x6f, 0x00, 3, 0xd0, 0x6f, 0x0b], // table with an initialiser
        ]),
      ),
    );
    expect(forms.tables.map((t) => t.elementType)).toEqual(['funcref', '(ref func)', '(ref null 0)', '(ref extern)']);
    expect(forms.tables[1]).toMatchObject({ initial: 1, maximum: 2 });
    expect(forms.tables[3]).toMatchObject({ initial: 3, maximum: null });
  });

  it('skips every kind of constant expression in global initialisers', async () => {
    const bytes = wat(
      `(module
        (global $a i32 (i32.const 1))
        (global i32 (i32.add (global.get $a) (i32.mul (i32.const 2) (i32.const 3))))
        (global i64 (i64.sub (i64.const 5) (i64.const 1)))
        (global f32 (f32.const 1.5))
        (global f64 (f64.const 2.5))
        (global v128 (v128.const i32x4 1 2 3 4))
        (global funcref (ref.func $f))
        (global $n externref (ref.null extern))
        (func $f)
        (export "last" (global $n)))`,
      { extended_const: true, simd: true, reference_types: true },
    );
    const report = inspectOk(bytes);
    expect(report.globalCount).toBe(8);
    expect(report.exports).toEqual([{ name: 'last', kind: 'global', index: 7 }]);
  });

  it('decodes all eight element segment encodings and stays in step for the data that follows', () => {
    const elems = [
      [0x00, 0x41, 0x00, 0x0b, 1, 0],
      [0x01, 0x00, 1, 0],
      [0x02, 0x00, 0x41, 0x02, 0x0b, 0x00, 1, 0],
      [0x03, 0x00, 1, 0],
      [0x04, 0x41, 0x04, 0x0b, 2, 0xd2, 0x00, 0x0b, 0xd0, 0x70, 0x0b],
      [0x05, 0x70, 1, 0xd2, 0x00, 0x0b],
      [0x06, 0x00, 0x41, 0x06, 0x0b, 0x70, 1, 0xd2, 0x00, 0x0b],
      [0x07, 0x70, 1, 0xd2, 0x00, 0x0b],
    ];
    const active = [0x00, 0x41, 0x00, 0x0b, ...name('active')];
    const bytes = module(
      section(1, [1, 0x60, 0, 0]),
      section(3, [1, 0]),
      section(4, [1, 0x70, 0x00, 10]),
      section(5, [1, 0x00, 1]),
      section(9, [elems.length, ...elems.flat()]),
      section(12, [3]),
      section(10, [1, 2, 0x00, 0x0b]),
      section(11, [3, 0x01, ...name('passive'), ...active, 0x02, 0x00, 0x41, 0x08, 0x0b, 1, 0x58]),
    );
    // The hand encoding must be right for the test to mean anything.
    expect(WebAssembly.validate(bytes)).toBe(true);
    const report = inspectOk(bytes);
    expect(report.dataSegmentCount).toBe(3);
    expect(report.functionCount).toBe(1);
    expect(report.tables).toEqual([{ elementType: 'funcref', initial: 10, maximum: null, imported: false }]);
  });

  it('lists custom sections wherever they appear, with their payload size', () => {
    const first = [...name('first'), 1, 2, 3];
    const last = [...name('name')];
    const report = inspectOk(module(section(0, first), section(1, [0]), section(0, last)));
    expect(report.customSections).toEqual([
      { name: 'first', sizeBytes: first.length },
      { name: 'name', sizeBytes: last.length },
    ]);
  });

  it('reports imported and defined tags', async () => {
    const bytes = wat(
      '(module (import "env" "exn" (tag (param i32))) (tag $e) (export "e" (tag $e)))',
      { exceptions: true },
    );
    const report = inspectOk(bytes);
    expect(report.imports).toEqual([{ module: 'env', name: 'exn', kind: 'tag' }]);
    expect(report.exports).toEqual([{ name: 'e', kind: 'tag', index: 1 }]);
  });

  it('keeps a leading U+FEFF in names exactly as V8 does', () => {
    const bytes = module(section(1, [1, 0x60, 0, 0]), section(2, [1, ...name('\uFEFF'), ...name('x'), 0x00, 0x00]));
    const v8 = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
    expect(inspectOk(bytes).imports).toEqual([{ module: '\uFEFF', name: 'x', kind: 'func' }]);
    expect(v8[0]!.module).toBe('\uFEFF');
  });
});

describe('inspectWasm on malformed input', () => {
  it('rejects every truncation of a valid module exactly when V8 does', () => {
    let rejected = 0;
    for (let k = 0; k < full.length; k++) {
      const prefix = full.slice(0, k);
      const r = inspectWasm(prefix);
      expect(r.ok, `prefix of ${k} bytes`).toBe(WebAssembly.validate(prefix));
      if (!r.ok) {
        rejected++;
        expect(r.code).toBe('WASM_MALFORMED');
        expect(r.message).toMatch(/\(at byte \d+\)/);
      }
    }
    // Only the 8-byte header and prefixes ending on early section boundaries form a valid module.
    expect(rejected).toBeGreaterThan(full.length - 5);
  });

  it('rejects a bad magic number and a bad version', () => {
    expectMalformed([0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0], /bad magic number/);
    expectMalformed([0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0], /unsupported version 2/);
    expectMalformed([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00], /a component, not a core module/);
    expectMalformed([0x00, 0x61, 0x73], /too short/);
  });

  it('rejects overlong and oversized LEB128 integers', () => {
    expectMalformed([...HEADER, 1, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00], /integer representation too long/);
    expectMalformed([...HEADER, 1, 0xff, 0xff, 0xff, 0xff, 0x7f], /integer too large/);
  });

  it('rejects a section that runs past the end of the module', () => {
    expectMalformed([...HEADER, 1, 10, 1, 0x60, 0, 0], /section 1 declares 10 bytes but only 4 remain/);
  });

  it('rejects a huge vector count without allocating for it', () => {
    expectMalformed([...HEADER, ...section(2, [0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0])], /vector of 4294967295 elements/);
  });

  it('rejects names that are not valid UTF-8', () => {
    expectMalformed(module(section(2, [1, 1, 0xff, 1, 0x78, 0x00, 0x00])), /malformed UTF-8/);
    expectMalformed(module(section(0, [2, 0xc3, 0x28])), /malformed UTF-8/);
  });

  it('rejects unknown, duplicate and out-of-order sections', () => {
    expectMalformed(module(section(14, [])), /unknown section id 14/);
    expectMalformed(module(section(1, [0]), section(1, [0])), /duplicate type section/);
    expectMalformed(module(section(3, [0]), section(1, [0])), /type section out of order \(after function\)/);
    // datacount (12) must come before code (10); the tag section (13) sits before global (6).
    expectMalformed(module(section(10, [0]), section(12, [0])), /datacount section out of order/);
    expect(inspectWasm(module(section(13, [0]), section(6, [0]))).ok).toBe(true);
    expectMalformed(module(section(6, [0]), section(13, [0])), /tag section out of order/);
  });

  it('rejects a section whose contents do not fill its declared size', () => {
    expectMalformed(module(section(1, [0, 0x60])), /type section has 1 unread bytes/);
  });

  it('rejects structures with bad flags, kinds or opcodes', () => {
    expectMalformed(module(section(5, [1, 0x08, 1])), /malformed memory limits flags 0x08/);
    expectMalformed(module(section(5, [1, 0x02, 1])), /shared memory must have a maximum/);
    expectMalformed(module(section(4, [1, 0x70, 0x03, 1, 2])), /malformed table limits flags 0x03/);
    expectMalformed(module(section(4, [1, 0x7f, 0x00, 1])), /malformed reference type 0x7f/);
    expectMalformed(module(section(6, [1, 0x7f, 0x00, 0x20, 0x00, 0x0b])), /opcode 0x20 is not allowed/);
    expectMalformed(module(section(6, [1, 0x7f, 0x02, 0x41, 0x00, 0x0b])), /malformed mutability/);
    expectMalformed(module(section(7, [1, ...name('x'), 0x05, 0])), /malformed import\/export kind 0x05/);
    expectMalformed(module(section(9, [1, 0x08, 0x00, 0])), /malformed element segment flags 8/);
    expectMalformed(module(section(11, [1, 0x03, 0])), /malformed data segment flags 3/);
  });

  it('rejects counts that disagree between sections', () => {
    expectMalformed(module(section(1, [1, 0x60, 0, 0]), section(3, [1, 0])), /1 functions declared, 0 bodies/);
    expectMalformed(module(section(12, [2]), section(11, [1, 0x01, 0])), /datacount section says 2 segments/);
  });

  it('rejects exports and a start function that name nothing', () => {
    expectMalformed(module(section(7, [1, ...name('f'), 0x00, 0])), /export "f" names func 0, but only 0 exist/);
    expectMalformed(
      module(section(5, [1, 0, 1]), section(7, [2, ...name('m'), 0x02, 0, ...name('m'), 0x02, 0])),
      /duplicate export name "m"/,
    );
    expectMalformed(module(section(8, [0])), /start function 0 does not exist/);
  });

  it('rejects function bodies with too many locals or no final end', () => {
    const types = section(1, [1, 0x60, 0, 0]);
    const funcs = section(3, [1, 0]);
    const hugeLocals = [2, ...leb(0xffffffff), 0x7f, 1, 0x7f, 0x0b];
    expectMalformed(module(types, funcs, section(10, [1, hugeLocals.length, ...hugeLocals])), /too many locals/);
    expectMalformed(module(types, funcs, section(10, [1, 2, 0x00, 0x01])), /does not end with an end opcode/);
  });

  it('never throws on single-byte mutations, and never rejects a mutant that V8 accepts', () => {
    let accepted = 0;
    for (let i = 0; i < full.length; i++) {
      for (const value of [0x00, 0x01, 0x40, 0x7f, 0x80, 0xff]) {
        const mutant = full.slice();
        mutant[i] = value;
        const r = inspectWasm(mutant);
        if (WebAssembly.validate(mutant)) {
          expect(r.ok, `byte ${i} = ${value}`).toBe(true);
          if (r.ok) {
            accepted++;
            const names = WebAssembly.Module.exports(new WebAssembly.Module(mutant)).map((e) => e.name);
            expect(r.value.exports.map((e) => e.name)).toEqual(names);
          }
        } else if (!r.ok) {
          expect(r.code).toBe('WASM_MALFORMED');
        }
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('formatReport', () => {
  it('summarises a report in readable lines', () => {
    const text = formatReport(inspectOk(full));
    expect(text).toContain('WebAssembly module, version 1');
    expect(text).toContain('functions: 2 defined, 1 imported');
    expect(text).toContain('start function: 2');
    expect(text).toContain('func "env" "log"');
    expect(text).toContain('func "main" -> func 1');
    expect(text).toContain('memory 0: 1..4 pages (imported)');
    expect(text).toContain('table 0: funcref 2..10 elements (imported)');
    expect(text).toContain('data: 2 segments, 23 bytes');
  });

  it('escapes terminal control and bidi characters in module-chosen names', () => {
    const hostile = '\u001b[31mred\u009b\u202e"\\';
    const bytes = module(section(1, [1, 0x60, 0, 0]), section(2, [1, ...name(hostile), ...name('x'), 0x00, 0x00]));
    const text = formatReport(inspectOk(bytes));
    expect(text).toContain('"\\u{1b}[31mred\\u{9b}\\u{202e}\\"\\\\"');
    expect(text).not.toMatch(/[\u001b\u009b\u202e]/);
  });
});
