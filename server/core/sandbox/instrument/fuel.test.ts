import { describe, it, expect, beforeAll } from 'vitest';
import { compile, instantiateMetered, mustInstrument, wat } from './testkit';

/**
 * Exact numbers below follow the cost model in meter.ts: 1 fuel per original instruction,
 * each segment charged before it runs.
 */
const SPIN = `(module
  (memory 1)
  (global $count (export "counter") (mut i32) (i32.const 0))
  ;; cost: entry segment [loop] = 1, loop header [global.get i32.const i32.add global.set
  ;;       i32.const i32.const i32.store br] = 8 per iteration
  (func (export "spin")
    (loop $l
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (i32.store (i32.const 0) (i32.const 1))
      (br $l)))
  ;; a second counter kept in memory
  (func (export "spinMem")
    (loop $l
      (i32.store (i32.const 8) (i32.add (i32.load (i32.const 8)) (i32.const 1)))
      (br $l)))
  ;; entry [block loop] = 2; header [local.get local.get i32.ge_u br_if] = 4;
  ;; body [local.get i32.const i32.add local.set br] = 5; exit [local.get end] = 2
  ;; => n iterations cost 2 + 4(n+1) + 5n + 2 = 9n + 8
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))
  ;; [local.get i32.const i32.add end] = 4
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  ;; [local.get call] [call] [end] = 4, plus 2 x 4 in $inc = 12
  (func (export "twice") (param i32) (result i32) (call $inc (call $inc (local.get 0))))
  ;; either path: local.get if, then const else | else const end(if), then end = 5
  (func (export "pick") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.const 10)) (else (i32.const 20))))
  ;; [i32.const local.get i32.div_u end] = 4, charged whole even when div traps
  (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))`;

let module: WebAssembly.Module;
beforeAll(async () => {
  module = compile(mustInstrument(wat(SPIN)).bytes);
});

type Fn = (...args: number[]) => number;

describe('out of fuel is deterministic', () => {
  it('stops an infinite loop at exactly the same iteration every time', () => {
    for (const budget of [1n, 9n, 1000n, 123_457n]) {
      const expectedCount = Number((budget - 1n) / 8n); // entry 1, then 8 per iteration
      for (let i = 0; i < 20; i++) {
        const run = instantiateMetered(module, budget);
        expect(() => (run.exports.spin as Fn)()).toThrow(WebAssembly.RuntimeError);
        expect((run.exports.counter as WebAssembly.Global).value).toBe(expectedCount);
        // Fuel left before the failing charge is (budget - 1) mod 8; the charge takes 8 more.
        expect(run.fuelLeft()).toBe(((budget - 1n) % 8n) - 8n);
        expect(run.accounting()).toEqual({ outOfFuel: true, fuelUsed: budget });
      }
    }
  });

  it('stops a loop counting in memory at the same value across 20 runs', () => {
    const budget = 1_000_000n;
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const run = instantiateMetered(module, budget);
      expect(() => (run.exports.spinMem as Fn)()).toThrow(WebAssembly.RuntimeError);
      const memory = run.exports.nightcore_memory as WebAssembly.Memory;
      seen.add(new DataView(memory.buffer).getInt32(8, true));
      expect(run.accounting()).toEqual({ outOfFuel: true, fuelUsed: budget });
    }
    // loop body: i32.const i32.const i32.load i32.const i32.add i32.store br = 7 per iteration
    expect([...seen]).toEqual([Number((budget - 1n) / 7n)]);
  });
});

describe('finite runs use exact, reproducible fuel', () => {
  it('charges 9n + 8 for n loop iterations, the same on every run', () => {
    for (const n of [0, 1, 2, 10, 1000, 100_000]) {
      for (let i = 0; i < 20; i++) {
        const run = instantiateMetered(module, 10n ** 12n);
        expect((run.exports.count as Fn)(n)).toBe(n);
        expect(run.accounting()).toEqual({ outOfFuel: false, fuelUsed: BigInt(9 * n + 8) });
      }
    }
  });

  it('scales linearly: doubling iterations adds exactly 9 per extra iteration', () => {
    const used = (n: number) => {
      const run = instantiateMetered(module, 10n ** 12n);
      (run.exports.count as Fn)(n);
      return run.accounting().fuelUsed;
    };
    expect(used(2000) - used(1000)).toBe(9000n);
    expect(used(4000) - used(2000)).toBe(18000n);
  });

  it('completes with a budget of exactly the cost and runs out with one less', () => {
    const exact = instantiateMetered(module, 9n * 50n + 8n);
    expect((exact.exports.count as Fn)(50)).toBe(50);
    expect(exact.fuelLeft()).toBe(0n);
    const short = instantiateMetered(module, 9n * 50n + 7n);
    expect(() => (short.exports.count as Fn)(50)).toThrow(WebAssembly.RuntimeError);
    expect(short.accounting()).toEqual({ outOfFuel: true, fuelUsed: 9n * 50n + 7n });
  });

  it('counts callees, both if branches and a trapping segment as documented', () => {
    const cases: [string, number[], bigint][] = [['twice', [5], 12n], ['pick', [1], 5n], ['pick', [0], 5n], ['div', [2], 4n]];
    for (const [name, args, cost] of cases) {
      const run = instantiateMetered(module, 1000n);
      (run.exports[name] as Fn)(...args);
      expect(run.accounting(), name).toEqual({ outOfFuel: false, fuelUsed: cost });
    }
    const trapping = instantiateMetered(module, 1000n);
    expect(() => (trapping.exports.div as Fn)(0)).toThrow(WebAssembly.RuntimeError);
    expect(trapping.accounting()).toEqual({ outOfFuel: false, fuelUsed: 4n }); // a real trap, not fuel
  });

  it('runs out inside a callee and still reports exactly the budget', () => {
    const run = instantiateMetered(module, 6n); // caller's first segment costs 2, $inc needs 4, second $inc fails
    expect(() => (run.exports.twice as Fn)(1)).toThrow(WebAssembly.RuntimeError);
    expect(run.fuelLeft()).toBeLessThan(0n);
    expect(run.accounting()).toEqual({ outOfFuel: true, fuelUsed: 6n });
  });
});

describe('exact fuel across br_table, tail calls and exceptions', () => {
  const EXOTIC = `(module
    (tag $e)
    ;; entry [block block block local.get br_table] = 5, then [i32.const return] or
    ;; [i32.const end] = 2 on every path => 7
    (func (export "sw") (param i32) (result i32)
      (block $c (block $b (block $a (br_table $a $b $c (local.get 0)))
        (return (i32.const 10))) (return (i32.const 20))) (i32.const 30))
    ;; n > 0: [local.get i32.eqz if] 3 + [local.get i32.const i32.sub return_call] 4 = 7 per level;
    ;; n = 0: 3 + [i32.const else] 2 + [end] 1 = 6  => 7n + 6
    (func $down (export "down") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (return_call $down (i32.sub (local.get 0) (i32.const 1))))))
    ;; [try throw] 2 + handler [i32.const end] 2 + [end] 1 = 5
    (func (export "caught") (result i32)
      (try (result i32) (do (throw $e)) (catch $e (i32.const 7)))))`;

  it('charges the documented amounts', async () => {
    const exotic = compile(mustInstrument(wat(EXOTIC, { tail_call: true, exceptions: true })).bytes);
    const fuelOf = (name: string, ...args: number[]) => {
      const run = instantiateMetered(exotic, 10n ** 12n);
      const value = (run.exports[name] as Fn)(...args);
      return { value, used: run.accounting().fuelUsed };
    };
    expect([0, 1, 2, 9].map((i) => fuelOf('sw', i))).toEqual([
      { value: 10, used: 7n }, { value: 20, used: 7n }, { value: 30, used: 7n }, { value: 30, used: 7n },
    ]);
    // A million levels only works if return_call is still a real tail call after rewriting.
    expect(fuelOf('down', 1_000_000)).toEqual({ value: 0, used: 7_000_006n });
    expect(fuelOf('caught')).toEqual({ value: 7, used: 5n });
  });
});
