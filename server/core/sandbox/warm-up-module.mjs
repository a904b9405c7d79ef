// @ts-check
/**
 * The modules a thread runs on itself before it says it is ready (issue 14). A fresh thread's first
 * job pays for compiling the thread's own JavaScript: about 25 ms for the sandbox's first run
 * (run-module, the WASI host, the output sinks), several milliseconds for the preparation thread's
 * first inspect-and-instrument. Paid at start-up, with these fixed, tiny modules of ours, no user's
 * run waits for it. Each writes "warm\n" to stdout after a three-turn loop.
 *
 * - WARM_UP_PLAIN: a module as users send them, for the preparation thread (inspect, instrument, compile).
 * - WARM_UP_RUNNABLE: the same with the `nightcore_fuel` global runModule requires, for the sandbox
 *   threads (not metered: it runs a few dozen instructions and is not a user's module).
 *
 * Plain JavaScript, no imports, so both threads load it without a TypeScript loader. The bytes are the
 * WAT below compiled with wabt (warm-up.test.ts checks they still are).
 */

const FD_WRITE = '(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))';
const BODY = `
  (memory (export "memory") 1 1)
  (data (i32.const 16) "warm\\n")
  (func (export "_start") (local $i i32)
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 3))))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 5))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

export const WARM_UP_PLAIN_WAT = `(module\n  ${FD_WRITE}${BODY}`;
export const WARM_UP_RUNNABLE_WAT = `(module\n  ${FD_WRITE}\n  (global (export "nightcore_fuel") (mut i64) (i64.const 1000))${BODY}`;

/** @param {string} base64 */
const bytes = (base64) => new Uint8Array(Buffer.from(base64, 'base64'));

export const WARM_UP_PLAIN = bytes(
  'AGFzbQEAAAABDAJgBH9/f38Bf2AAAAIjARZ3YXNpX3NuYXBzaG90X3ByZXZpZXcxCGZkX3dyaXRlAAADAgEBBQQBAQEBBxMCBm1lbW9yeQIABl9zdGFydAABCjABLgEBfwNAIABBAWohACAAQQNJDQALQQBBEDYCAEEEQQU2AgBBAUEAQQFBCBAAGgsLCwEAQRALBXdhcm0K',
);
export const WARM_UP_RUNNABLE = bytes(
  'AGFzbQEAAAABDAJgBH9/f38Bf2AAAAIjARZ3YXNpX3NuYXBzaG90X3ByZXZpZXcxCGZkX3dyaXRlAAADAgEBBQQBAQEBBgcBfgFC6AcLByQDDm5pZ2h0Y29yZV9mdWVsAwAGbWVtb3J5AgAGX3N0YXJ0AAEKMAEuAQF/A0AgAEEBaiEAIABBA0kNAAtBAEEQNgIAQQRBBTYCAEEBQQBBAUEIEAAaCwsLAQBBEAsFd2FybQo=',
);

/** What each writes to stdout. */
export const WARM_UP_OUTPUT = 'warm\n';
