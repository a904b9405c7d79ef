import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportSignatures } from './export-signatures';
import { wat } from '../sandbox/test-modules';

const programs = join(import.meta.dirname, '..', '..', '..', 'testdata', 'programs', 'wasm');

describe('exportSignatures', () => {
  it('reads every exported function of the built C reactor, with imports shifting the index space', () => {
    const r = exportSignatures(new Uint8Array(readFileSync(join(programs, 'reactor.wasm'))));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.get('mix')).toEqual({ params: ['i32', 'i64', 'f32', 'f64'], results: ['f64'] });
    expect(r.value.get('mul_i64')).toEqual({ params: ['i64', 'i64'], results: ['i64'] });
    expect(r.value.get('_initialize')).toEqual({ params: [], results: [] });
    expect(r.value.has('memory')).toBe(false);
  });

  it('accounts for imported functions, multi-value results and re-exported imports', () => {
    const bytes = wat(`(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (import "env" "mem" (memory 1))
      (func $pair (param f32) (result i32 i64) (i32.const 1) (i64.const 2))
      (export "pair" (func $pair))
      (export "exit" (func $exit)))`);
    const r = exportSignatures(bytes);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.get('pair')).toEqual({ params: ['f32'], results: ['i32', 'i64'] });
    expect(r.value.get('exit')).toEqual({ params: ['i32'], results: [] });
  });

  it('fails cleanly on a truncated module instead of throwing', () => {
    const bytes = wat('(module (func (export "f") (param i32)))');
    // Cut inside the type section (header 8 bytes, then section id, size, count, 0x60 ...).
    for (const end of [10, 12, 14]) {
      const r = exportSignatures(bytes.subarray(0, end));
      expect(r.ok, `cut at ${end}`).toBe(false);
      expect(!r.ok && r.code).toBe('WASM_MALFORMED');
    }
  });
});
