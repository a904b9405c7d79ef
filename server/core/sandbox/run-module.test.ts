import { describe, it, expect } from 'vitest';
import { instrumentModule } from './instrument';
import { runModule, trapKind } from './run-module.mjs';
import type { WorkerJob } from './run-job';
import { wat } from './test-modules';

/** Runs in this thread (no pool) so each classification rule is checked directly. */
function runHere(source: string, over: Partial<WorkerJob> = {}) {
  const inst = instrumentModule(wat(source), { maxMemoryPages: 4 });
  if (!inst.ok) throw new Error(inst.message);
  return runModule({
    module: new WebAssembly.Module(inst.value.bytes as BufferSource),
    entry: '_start',
    memoryExport: inst.value.memoryExport,
    fuelBudget: 1_000_000,
    memoryPagesCap: 4,
    capabilities: [],
    args: [],
    env: {},
    stdin: new Uint8Array(0),
    seed: 0n,
    outputBytes: 0,
    ...over,
  });
}

const start = (body: string, extra = '') => `(module ${extra} (func (export "_start") ${body}))`;

describe('runModule trap classification (against this engine\'s real messages)', () => {
  it.each([
    ['(drop (i32.div_s (i32.const -2147483648) (i32.const -1)))', 'integer_overflow'],
    ['(drop (i32.rem_u (i32.const 1) (i32.const 0)))', 'integer_divide_by_zero'],
    ['(drop (i32.trunc_f32_s (f32.const 1e30)))', 'invalid_conversion_to_integer'],
    ['(drop (i32.load (i32.const 0x7ffffff0)))', 'out_of_bounds_memory_access'],
    ['(drop (call_indirect (type $t) (i32.const 9)))', 'out_of_bounds_table_access'],
    ['(drop (call_indirect (type $t) (i32.const 0)))', 'indirect_call_type_mismatch'],
  ])('%s → %s', (body, kind) => {
    const extra = '(memory 1) (type $t (func (result i32))) (table 2 funcref) (elem (i32.const 0) $f) (func $f (param i32))';
    expect(runHere(start(body, extra)).outcome).toEqual({ kind: 'trap', trap: kind });
  });

  it('falls back to "other" for messages it does not know', () => {
    expect(trapKind('something new from a future engine')).toBe('other');
  });

  it('reports ok with exit code 0 and exact fuel when the entry returns', () => {
    const a = runHere(start('(nop)'));
    expect(a.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(a.fuelUsed).toBe(runHere(start('(nop)')).fuelUsed);
    expect(a.recycle).toBe(false);
  });

  it('reports missing_entry when the entry is not an exported function', () => {
    expect(runHere(start('(nop)'), { entry: 'main' }).outcome).toEqual({ kind: 'trap', trap: 'missing_entry' });
  });

  it('treats a trap without prior growth to the cap as a trap, not memory_limit', () => {
    // Memory starts at the cap: nothing grew during the run, so the trap is the module's own.
    const r = runHere('(module (memory 4) (func (export "_start") unreachable))');
    expect(r.peakMemoryPages).toBe(4);
    expect(r.outcome).toEqual({ kind: 'trap', trap: 'unreachable' });
  });

  it('reports an uninstrumented module as crashed and asks for the worker to be recycled', () => {
    const r = runModule({
      module: new WebAssembly.Module(wat(start('(nop)')) as BufferSource),
      entry: '_start',
      memoryExport: null,
      fuelBudget: 10,
      memoryPagesCap: 1,
      capabilities: [],
      args: [],
      env: {},
      stdin: new Uint8Array(0),
      seed: 0n,
      outputBytes: 0,
    });
    expect(r.outcome).toEqual({ kind: 'crashed', message: 'sandbox error: module is not instrumented: no nightcore_fuel export' });
    expect(r.recycle).toBe(true);
  });
});
