/** CPU-bound modules shared by the fuel and governed-run benches: the same code in both measurements. */
export const WORKLOADS = `(module
  (memory (export "memory") 16)
  ;; FNV-1a over a 1 MiB buffer that it also rewrites: loads, stores, one tight loop.
  (func (export "fnv") (param $rounds i32) (result i32) (local $i i32) (local $h i32) (local $r i32)
    (local.set $h (i32.const 2166136261))
    (loop $round
      (local.set $i (i32.const 0))
      (loop $byte
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $i))) (i32.const 16777619)))
        (i32.store8 (local.get $i) (local.get $h))
        (br_if $byte (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1048576))))
      (br_if $round (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rounds))))
    (local.get $h))
  ;; Sieve of Eratosthenes over n bytes: nested loops with a branch in the outer one.
  (func (export "sieve") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 1) (local.get $n))
    (local.set $i (i32.const 2))
    (block $done (loop $outer
      (br_if $done (i32.ge_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
      (if (i32.load8_u (local.get $i)) (then
        (local.set $j (i32.mul (local.get $i) (local.get $i)))
        (loop $inner
          (i32.store8 (local.get $j) (i32.const 0))
          (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $i))) (local.get $n))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $outer)))
    (local.set $i (i32.const 2))
    (loop $cnt
      (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
      (br_if $cnt (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $count))
  ;; Naive recursive Fibonacci: call-heavy, every call charges its own entry.
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))`;
