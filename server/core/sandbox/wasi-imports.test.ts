import { describe, it, expect } from 'vitest';
import { CAPABILITIES, type Capability } from '../module/manifest';
import { allowedWasiFunctions, checkImports, WASI_FUNCTIONS, type ImportDescriptor } from './wasi-imports';
import { createWasiHost } from './wasi-host.mjs';
import { PREVIEW1_FUNCTIONS } from '../guardian/preview1-functions';

const wasi = (name: string): ImportDescriptor => ({ module: 'wasi_snapshot_preview1', name, kind: 'func' });

/** The 46 functions of wasi_snapshot_preview1 as published in its witx (the spec's list, not the host's table). */
const PREVIEW1 = PREVIEW1_FUNCTIONS;

describe('checkImports (what the sandbox can link)', () => {
  it('links every preview1 function whatever the grant: the grant is enforced at the call', () => {
    expect(checkImports(PREVIEW1.map(wasi))).toEqual({ allowed: true, denied: [] });
  });

  it('names a preview1-looking function that is not in preview1', () => {
    const result = checkImports([wasi('path_open_v2'), wasi('sock_open')]);
    expect(result.denied.map((d) => [d.name, d.code])).toEqual([
      ['path_open_v2', 'unknown_wasi_function'],
      ['sock_open', 'unknown_wasi_function'],
    ]);
    expect(result.denied[0]?.reason).toContain('not a WASI preview1 function');
  });

  it('denies imports from any other module, and non-function WASI imports', () => {
    const result = checkImports([
      { module: 'env', name: 'memcpy', kind: 'func' },
      { module: 'wasi_snapshot_preview1', name: 'memory', kind: 'memory' },
      { module: 'wasi_unstable', name: 'fd_write', kind: 'function' },
    ]);
    expect(result.denied.map((d) => `${d.module}.${d.name}`)).toEqual([
      'env.memcpy',
      'wasi_snapshot_preview1.memory',
      'wasi_unstable.fd_write',
    ]);
    expect(result.denied.map((d) => d.code)).toEqual(['needs_js_host', 'not_a_function', 'needs_js_host']);
    expect(result.denied[0]?.reason).toContain('JavaScript host');
  });

  it("links AssemblyScript's env.abort as a function, and nothing else under that name", () => {
    expect(checkImports([{ module: 'env', name: 'abort', kind: 'func' }]).allowed).toBe(true);
    expect(checkImports([{ module: 'env', name: 'abort', kind: 'function' }]).allowed).toBe(true);
    expect(checkImports([{ module: 'env', name: 'abort', kind: 'global' }]).denied[0]?.code).toBe('needs_js_host');
    expect(checkImports([{ module: 'env', name: 'trace', kind: 'func' }]).denied[0]?.code).toBe('needs_js_host');
  });

  it('allows the instrumenter fuel global only as a global', () => {
    expect(checkImports([{ module: 'nightcore', name: 'fuel_budget', kind: 'global' }]).allowed).toBe(true);
    const asFunc = checkImports([{ module: 'nightcore', name: 'fuel_budget', kind: 'func' }]);
    expect(asFunc.denied[0]?.reason).toContain('must be a global');
    expect(checkImports([{ module: 'nightcore', name: 'other', kind: 'global' }]).allowed).toBe(false);
  });

  it('does not treat inherited object keys as provided functions', () => {
    expect(checkImports([wasi('constructor'), wasi('toString')]).denied).toHaveLength(2);
  });
});

describe('the grant table', () => {
  it('lists exactly the 46 preview1 functions', () => {
    expect(PREVIEW1).toHaveLength(46);
    expect(Object.keys(WASI_FUNCTIONS).sort()).toEqual([...PREVIEW1].sort());
  });

  it('says what each capability makes useful: files need fs.read/fs.write, sockets nothing ever', () => {
    expect(allowedWasiFunctions([]).sort()).toEqual(
      [
        'fd_advise', 'fd_close', 'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights', 'fd_filestat_get',
        'fd_prestat_dir_name', 'fd_prestat_get', 'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'poll_oneoff',
        'proc_raise', 'sched_yield',
      ].sort(),
    );
    expect(allowedWasiFunctions(['stderr'])).toContain('fd_write');
    expect(allowedWasiFunctions(['fs.read'])).toEqual(expect.arrayContaining(['path_open', 'fd_readdir', 'path_readlink']));
    expect(allowedWasiFunctions(['fs.read'])).not.toContain('path_rename');
    expect(allowedWasiFunctions([...CAPABILITIES]).filter((f) => f.startsWith('sock_'))).toEqual([]);
  });

  const subsets: Capability[][] = [[], ...CAPABILITIES.map((c) => [c]), [...CAPABILITIES]];
  it.each(subsets.map((s) => [s.join(',') || '(none)', s] as const))('the host links all 46 functions for %s', (_label, caps) => {
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
    expect(Object.keys(host.imports).sort()).toEqual([...PREVIEW1].sort());
  });

  it('builds only the functions a module imports when told which (the rest are never linked)', () => {
    const options = { capabilities: [] as Capability[], args: [], env: {}, stdin: new Uint8Array(0), seed: 0n, outputBytes: 0, getMemory: () => null, getFuelUsed: () => 0n };
    const host = createWasiHost({ ...options, only: ['fd_write', 'proc_exit', 'not_a_wasi_function'] });
    // An unknown name is simply not provided: instantiation then fails with a LinkError, as before.
    expect(Object.keys(host.imports).sort()).toEqual(['fd_write', 'proc_exit']);
    // The gate is the same as in the full table: without `exit`, proc_exit is refused, not run.
    const exit = (h: typeof host) => (h.imports.proc_exit as unknown as (code: number) => number)(3);
    expect(exit(host)).toBe(exit(createWasiHost(options)));
    expect(host.capabilityDenials().map((d) => d.fn)).toEqual(['proc_exit']);
  });
});
