import { describe, it, expect } from 'vitest';
import { instrumentModule } from './instrument';
import { runModule, trapKind } from './run-module.mjs';
import type { WorkerJob } from './run-job';
import { wat } from './test-modules';
import { HOST_CALL_FUEL } from './wasi-host.mjs';

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

  it('reports proc_raise as trap proc_raise', () => {
    const r = runHere(`(module (import "wasi_snapshot_preview1" "proc_raise" (func $raise (param i32) (result i32)))
      (func (export "_start") (drop (call $raise (i32.const 6)))))`);
    expect(r.outcome).toEqual({ kind: 'trap', trap: 'proc_raise' });
  });
});

describe('host calls cost fuel', () => {
  const randomBytes = (len: number) => `(module (import "wasi_snapshot_preview1" "random_get" (func $r (param i32 i32) (result i32)))
    (memory (export "memory") 1) (func (export "_start") (drop (call $r (i32.const 0) (i32.const ${len})))))`;

  it('charges the base per call plus one unit per 8 bytes moved, exactly', () => {
    const none = runHere(randomBytes(0), { capabilities: ['random'] });
    const some = runHere(randomBytes(800), { capabilities: ['random'] });
    expect(none.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(some.fuelUsed - none.fuelUsed).toBe(100);
    expect(none.fuelUsed).toBeGreaterThanOrEqual(Number(HOST_CALL_FUEL));
  });

  it('ends a module spinning on a cheap host call as out_of_fuel at the budget', () => {
    const spin = `(module (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
      (func (export "_start") (loop $l (drop (call $y)) (br $l))))`;
    const r = runHere(spin, { fuelBudget: 100_000 });
    expect(r.outcome).toEqual({ kind: 'out_of_fuel' });
    expect(r.fuelUsed).toBe(100_000);
  });

  it('ends a run as out_of_fuel when the bytes of one call cannot be paid for', () => {
    const r = runHere(randomBytes(65536), { capabilities: ['random'], fuelBudget: 5_000 });
    expect(r.outcome).toEqual({ kind: 'out_of_fuel' });
  });
});

