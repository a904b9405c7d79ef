import { describe, it, expect } from 'vitest';
import { CAPABILITIES, type Capability } from '../module/manifest';
import { allowedWasiFunctions, checkImports, WASI_FUNCTIONS, type ImportDescriptor } from './wasi-imports';
import { createWasiHost } from './wasi-host.mjs';

const wasi = (name: string): ImportDescriptor => ({ module: 'wasi_snapshot_preview1', name, kind: 'func' });

/** What wasi-libc's start-up code imports for a C hello world. */
const C_HELLO = ['args_get', 'args_sizes_get', 'fd_close', 'fd_fdstat_get', 'fd_seek', 'fd_write', 'proc_exit'].map(wasi);

describe('checkImports', () => {
  it('allows a C hello world when args, stdout and exit are granted', () => {
    expect(checkImports(C_HELLO, ['args', 'stdout', 'exit'])).toEqual({ allowed: true, denied: [] });
  });

  it('denies and names every function whose capability is not granted', () => {
    const result = checkImports(C_HELLO, ['stdout']);
    expect(result.allowed).toBe(false);
    expect(result.denied.map((d) => d.name).sort()).toEqual(['args_get', 'args_sizes_get', 'proc_exit']);
    expect(result.denied.find((d) => d.name === 'proc_exit')?.reason).toContain('"exit"');
  });

  it('denies a granted-looking WASI function the host does not provide (filesystem, sockets)', () => {
    const result = checkImports([wasi('path_open'), wasi('sock_accept'), wasi('poll_oneoff')], [...CAPABILITIES]);
    expect(result.denied.map((d) => d.name)).toEqual(['path_open', 'sock_accept', 'poll_oneoff']);
    expect(result.denied[0]?.reason).toContain('not provided');
  });

  it('denies imports from any other module, and non-function WASI imports', () => {
    const result = checkImports(
      [
        { module: 'env', name: 'memcpy', kind: 'func' },
        { module: 'wasi_snapshot_preview1', name: 'memory', kind: 'memory' },
        { module: 'wasi_unstable', name: 'fd_write', kind: 'function' },
      ],
      [...CAPABILITIES],
    );
    expect(result.denied.map((d) => `${d.module}.${d.name}`)).toEqual([
      'env.memcpy',
      'wasi_snapshot_preview1.memory',
      'wasi_unstable.fd_write',
    ]);
    expect(result.denied.map((d) => d.code)).toEqual(['needs_js_host', 'not_a_function', 'needs_js_host']);
    expect(result.denied[0]?.reason).toContain('JavaScript host');
  });

  it("links AssemblyScript's env.abort as a function, and nothing else under that name", () => {
    expect(checkImports([{ module: 'env', name: 'abort', kind: 'func' }], []).allowed).toBe(true);
    expect(checkImports([{ module: 'env', name: 'abort', kind: 'function' }], []).allowed).toBe(true);
    expect(checkImports([{ module: 'env', name: 'abort', kind: 'global' }], []).denied[0]?.code).toBe('needs_js_host');
    expect(checkImports([{ module: 'env', name: 'trace', kind: 'func' }], []).denied[0]?.code).toBe('needs_js_host');
  });

  it('allows the instrumenter fuel global only as a global', () => {
    expect(checkImports([{ module: 'nightcore', name: 'fuel_budget', kind: 'global' }], []).allowed).toBe(true);
    const asFunc = checkImports([{ module: 'nightcore', name: 'fuel_budget', kind: 'func' }], []);
    expect(asFunc.denied[0]?.reason).toContain('must be a global');
    expect(checkImports([{ module: 'nightcore', name: 'other', kind: 'global' }], []).allowed).toBe(false);
  });

  it('does not treat inherited object keys as provided functions', () => {
    expect(checkImports([wasi('constructor'), wasi('toString')], [...CAPABILITIES]).denied).toHaveLength(2);
  });

  it('grants fd_write for either stdout or stderr, and nothing but baseline for no capabilities', () => {
    expect(checkImports([wasi('fd_write')], ['stderr']).allowed).toBe(true);
    expect(allowedWasiFunctions([]).sort()).toEqual(
      ['fd_close', 'fd_fdstat_get', 'fd_prestat_dir_name', 'fd_prestat_get', 'fd_seek'].sort(),
    );
  });
});

describe('host and allow-list agree', () => {
  const subsets: Capability[][] = [[], ...CAPABILITIES.map((c) => [c]), [...CAPABILITIES]];
  it.each(subsets.map((s) => [s.join(',') || '(none)', s] as const))('builds exactly the allowed functions for %s', (_label, caps) => {
    const host = createWasiHost({
      capabilities: caps,
      args: [],
      env: {},
      stdin: new Uint8Array(0),
      seed: 0n,
      outputBytes: 0,
      getMemory: () => null,
      getFuelUsed: () => 0n,
    });
    expect(Object.keys(host.imports).sort()).toEqual(allowedWasiFunctions(caps).sort());
  });
});
