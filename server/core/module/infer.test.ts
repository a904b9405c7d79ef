import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspectWasm } from '../wasm/inspect';
import { inferManifestFields } from './infer';
import { makeReport } from '../guardian/test-fixtures';

const programs = join(import.meta.dirname, '..', '..', '..', 'testdata', 'programs', 'wasm');
function report(name: string) {
  const r = inspectWasm(new Uint8Array(readFileSync(join(programs, `${name}.wasm`))));
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('inferManifestFields on programs built from source', () => {
  it('C sysinfo: args, environ, stdout/stderr, clock, random, exit (poll_oneoff needs none: it waits on the virtual clock)', () => {
    const inf = inferManifestFields(report('sysinfo'), 1024);
    expect(inf.capabilities).toEqual(['args', 'environ', 'stdout', 'stderr', 'clock', 'random', 'exit']);
    expect(inf.reasons.find((r) => r.capability === 'clock')?.functions).toEqual(['clock_time_get']);
    expect(inf.reasons.find((r) => r.capability === 'stdout')?.functions).toEqual(['fd_write']);
    expect(inf.entry).toEqual({ name: '_start', kind: 'command' });
    expect(inf.foreignImports).toEqual([]);
  });

  it('Rust timekeeper: starts at 17 pages (above the old default of 16) and asks for room to grow', () => {
    const inf = inferManifestFields(report('timekeeper'), 1024);
    expect(inf.memory.initialPages).toBe(17);
    expect(inf.memory.requestedPages).toBe(34);
  });

  it('the C reactor: entry _initialize, its exports callable, no capabilities', () => {
    const inf = inferManifestFields(report('reactor'), 1024);
    expect(inf.entry).toEqual({ name: '_initialize', kind: 'reactor' });
    expect(inf.callable).toEqual(expect.arrayContaining(['add_i32', 'mul_i64', 'half_f32', 'hypot_f64', 'mix']));
    expect(inf.capabilities).toEqual([]);
  });

  it('AssemblyScript without a start: no entry to infer, and env.abort is not a foreign import', () => {
    const inf = inferManifestFields(report('abort'), 1024);
    expect(inf.entry).toBeNull();
    expect(inf.foreignImports).toEqual([]);
    expect(inf.callable).toEqual(['check', 'fail']);
  });
});

describe('inferManifestFields memory sizing', () => {
  const mem = (initialPages: number, maximumPages: number | null) =>
    makeReport({ memories: [{ initialPages, maximumPages, imported: false, shared: false, memory64: false }] });

  it.each([
    [1, null, 256, 16],
    [17, null, 256, 34],
    [200, null, 256, 256],
    [17, 20, 256, 20],
    [0, null, 8, 8],
  ])('initial %i, maximum %s, cap %i → %i', (initial, max, cap, expected) => {
    expect(inferManifestFields(mem(initial, max), cap).memory.requestedPages).toBe(expected);
  });

  it('above the cap: requests the initial size and says Guardian will refuse it', () => {
    const m = inferManifestFields(mem(300, null), 256).memory;
    expect(m.requestedPages).toBe(300);
    expect(m.note).toContain('Guardian will refuse it');
  });

  it('names imports that need a JavaScript host', () => {
    const inf = inferManifestFields(makeReport({ imports: [{ module: 'wbg', name: '__wbindgen_throw', kind: 'func' }, { module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'func' }] }), 16);
    expect(inf.foreignImports).toEqual(['wbg.__wbindgen_throw']);
  });
});
