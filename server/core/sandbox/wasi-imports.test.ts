import { describe, it, expect } from 'vitest';
import { CAPABILITIES, type Capability } from '../module/manifest';
import { allowedWasiFunctions, checkImports, checkLinkable, WASI_FUNCTIONS, type ImportDescriptor } from './wasi-imports';
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

  it('judges files by fs.read/fs.write, never grants sockets, and names non-preview1 functions', () => {
    expect(checkImports([wasi('path_open')], ['fs.read']).allowed).toBe(true);
    expect(checkImports([wasi('path_rename')], ['fs.read']).denied[0]?.reason).toContain('"fs.write"');
    const result = checkImports([wasi('sock_accept'), wasi('poll_oneoff'), wasi('path_open_v2')], [...CAPABILITIES]);
    expect(result.denied.map((d) => d.name)).toEqual(['sock_accept', 'path_open_v2']);
    expect(result.denied[0]?.reason).toContain('no network');
    expect(result.denied[1]?.reason).toContain('not a WASI preview1 function');
  });

  it('denies imports from any other module, and non-function WASI imports', () => {
    const result = checkImports(
      [
        { module: 'env', name: 'abort', kind: 'func' },
        { module: 'wasi_snapshot_preview1', name: 'memory', kind: 'memory' },
        { module: 'wasi_unstable', name: 'fd_write', kind: 'function' },
      ],
      [...CAPABILITIES],
    );
    expect(result.denied.map((d) => `${d.module}.${d.name}`)).toEqual([
      'env.abort',
      'wasi_snapshot_preview1.memory',
      'wasi_unstable.fd_write',
    ]);
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
      [
        'fd_advise', 'fd_close', 'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights', 'fd_filestat_get',
        'fd_prestat_dir_name', 'fd_prestat_get', 'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'poll_oneoff',
        'proc_raise', 'sched_yield',
      ].sort(),
    );
  });
});

describe('checkLinkable (what the sandbox requires before dispatch)', () => {
  it('links every preview1 function whatever the grant: the grant is enforced at the call', () => {
    expect(checkLinkable(Object.keys(WASI_FUNCTIONS).map(wasi))).toEqual({ allowed: true, denied: [] });
  });

  it('refuses other modules, non-function imports, unknown names and a fuel import that is not a global', () => {
    const result = checkLinkable([
      { module: 'env', name: 'abort', kind: 'func' },
      { module: 'wasi_snapshot_preview1', name: 'memory', kind: 'memory' },
      wasi('path_open_v2'),
      { module: 'nightcore', name: 'fuel_budget', kind: 'func' },
      { module: 'nightcore', name: 'fuel_budget', kind: 'global' },
    ]);
    expect(result.denied.map((d) => `${d.module}.${d.name}`)).toEqual([
      'env.abort',
      'wasi_snapshot_preview1.memory',
      'wasi_snapshot_preview1.path_open_v2',
      'nightcore.fuel_budget',
    ]);
  });
});

/** The 46 functions of wasi_snapshot_preview1 as published in its witx (the spec, not our table). */
const PREVIEW1 = [
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
];

describe('host and allow-list agree', () => {
  it('the table lists exactly the 46 preview1 functions', () => {
    expect(PREVIEW1).toHaveLength(46);
    expect(Object.keys(WASI_FUNCTIONS).sort()).toEqual([...PREVIEW1].sort());
  });

  const subsets: Capability[][] = [[], ...CAPABILITIES.map((c) => [c]), [...CAPABILITIES]];
  it.each(subsets.map((s) => [s.join(',') || '(none)', s] as const))('links all 46 functions for %s', (_label, caps) => {
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
});
