/**
 * Test support (not shipped behaviour): builds small WASI modules from WAT with the wabt npm package
 * and wraps them in RunRequests. Each module is written to exercise one sandbox rule.
 */
import { createHash } from 'node:crypto';
import type { Capability } from '../module/manifest';
import type { RunRequest } from './types';
import type { TLimits } from '../module/manifest';

import { wat } from '../wasm/test-wat';

export { wat };

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export const ALL_CAPS: readonly Capability[] = ['args', 'environ', 'stdin', 'stdout', 'stderr', 'clock', 'random', 'exit'];

export function request(
  wasm: Uint8Array,
  over: Partial<Omit<RunRequest, 'limits'>> & { limits?: Partial<TLimits> } = {},
): RunRequest {
  const { limits, ...rest } = over;
  return {
    wasmSha256: sha256Hex(wasm),
    wasm,
    entry: '_start',
    args: [],
    env: {},
    stdin: new Uint8Array(0),
    seed: 1n,
    capabilities: ALL_CAPS,
    ...rest,
    limits: { fuel: 10_000_000, memoryPages: 16, wallMs: 10_000, outputBytes: 1 << 20, ...limits },
  };
}

const FD_WRITE = '(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))';

/** Writes `len` bytes at `ptr` to `fd` through an iovec at address 0 (nwritten at 8). */
const WRITE_HELPER = `
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))`;

export const HELLO = wat(`(module ${FD_WRITE}
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, world\\n")
  ${WRITE_HELPER}
  (func (export "_start") (call $write (i32.const 1) (i32.const 16) (i32.const 13))))`);

/** Writes `text` (plain ASCII, no quotes or backslashes) and a newline to stdout: one distinct module per text. */
export const says = (text: string): Uint8Array =>
  wat(`(module ${FD_WRITE}
  (memory (export "memory") 1)
  (data (i32.const 16) "${text}\\n")
  ${WRITE_HELPER}
  (func (export "_start") (call $write (i32.const 1) (i32.const 16) (i32.const ${text.length + 1}))))`);

export const INFINITE_LOOP = wat(`(module
  (func (export "_start") (loop $forever (br $forever))))`);

/**
 * Grows one page at a time until memory.grow says -1, then traps ('trap'), spins ('spin') or
 * returns normally ('cope': a module that handles allocation failure).
 */
export const memoryBomb = (then: 'trap' | 'spin' | 'cope'): Uint8Array =>
  wat(`(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    ${{ trap: 'unreachable', spin: '(loop $spin (br $spin))', cope: '' }[then]}))`);

export const DEEP_RECURSION = wat(`(module
  (func $down (export "_start") (call $down)))`);

export const UNREACHABLE = wat(`(module (func (export "_start") unreachable))`);

export const DIVIDE_BY_ZERO = wat(`(module
  (func (export "_start") (drop (i32.div_u (i32.const 7) (i32.const 0)))))`);

/** Writes a 1000-byte block to stdout `times` times (and once to stderr first). */
export const chatty = (times: number): Uint8Array =>
  wat(`(module ${FD_WRITE}
  (memory (export "memory") 1)
  (data (i32.const 100) "${'x'.repeat(1000)}")
  (data (i32.const 2000) "err\\n")
  ${WRITE_HELPER}
  (func (export "_start") (local $i i32)
    (call $write (i32.const 2) (i32.const 2000) (i32.const 4))
    (loop $again
      (call $write (i32.const 1) (i32.const 100) (i32.const 1000))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const ${times}))))))`);

/** Fills 32 bytes with random_get and prints them. */
export const RANDOM_32 = wat(`(module ${FD_WRITE}
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  ${WRITE_HELPER}
  (func (export "_start")
    (drop (call $random_get (i32.const 64) (i32.const 32)))
    (call $write (i32.const 1) (i32.const 64) (i32.const 32))))`);

/** Prints realtime clock, spins `work` iterations, prints realtime again (2 × 8 bytes LE). */
export const clockTwice = (work: number): Uint8Array =>
  wat(`(module ${FD_WRITE}
  (import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  ${WRITE_HELPER}
  (func (export "_start") (local $i i32)
    (drop (call $now (i32.const 0) (i64.const 1) (i32.const 64)))
    (loop $spin
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $spin (i32.lt_u (local.get $i) (i32.const ${work}))))
    (drop (call $now (i32.const 0) (i64.const 1) (i32.const 72)))
    (call $write (i32.const 1) (i32.const 64) (i32.const 16))))`);

export const EXIT_3 = wat(`(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "_start") (call $exit (i32.const 3)) unreachable))`);

/** Copies up to 256 bytes of stdin to stdout. */
export const ECHO_STDIN = wat(`(module ${FD_WRITE}
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ${WRITE_HELPER}
  (func (export "_start")
    (i32.store (i32.const 32) (i32.const 512))
    (i32.store (i32.const 36) (i32.const 256))
    (drop (call $fd_read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 40)))
    (call $write (i32.const 1) (i32.const 512) (i32.load (i32.const 40)))))`);

/** Imports a filesystem function the host never provides. */
export const OPENS_FILES = wat(`(module
  (import "wasi_snapshot_preview1" "path_open"
    (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "env" "sneaky" (func))
  (func (export "_start")))`);

/**
 * Same behaviour, different bytes: the module plus a custom section naming `tag`. Quarantine and
 * caches are per digest, so tests that share a module give each case its own digest this way.
 */
export function variant(wasm: Uint8Array, tag: string): Uint8Array {
  const name = Buffer.from(tag, 'utf8');
  if (name.length > 100) throw new Error('tag too long for this helper');
  return new Uint8Array(Buffer.concat([wasm, Buffer.from([0, name.length + 1, name.length]), name]));
}

/** Creates `out.txt` in the first preopen (fd 3) and writes "written in the sandbox"; traps if the open is refused. */
export const WRITES_FILE = wat(`(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "out.txt")
  (data (i32.const 200) "written in the sandbox")
  (func (export "_start")
    (if (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 7) (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0))
      (then unreachable))
    (i32.store (i32.const 16) (i32.const 200))
    (i32.store (i32.const 20) (i32.const 22))
    (drop (call $write (i32.load (i32.const 0)) (i32.const 16) (i32.const 1) (i32.const 24)))))`);

/**
 * Prints a made-up AWS-style access key id on stdout: the shipped default policy's output_patterns
 * deny it and quarantine the module (a leaked secret, unlike one trap, is a sign of danger).
 * Assembled from parts so secret scanners do not flag this file.
 */
export const LEAKS_KEY = wat(`(module ${FD_WRITE}
  (memory (export "memory") 1)
  (data (i32.const 16) "${'AKIA'}${'ZXCVBNMLKJHGFDSA'}\\n")
  ${WRITE_HELPER}
  (func (export "_start") (call $write (i32.const 1) (i32.const 16) (i32.const 21))))`);
