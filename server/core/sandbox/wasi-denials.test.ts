import { describe, it, expect } from 'vitest';
import { E, FOLLOW, OFLAGS, RIGHTS, dir, file, link, testHost } from './vfs/test-host';
import { MAX_SAMPLE_CHARS, sampleOf } from './wasi-denials.mjs';

/**
 * Every call outside the grant: it returns the WASI errno (NOTCAPABLE; sockets BADF/NOTSOCK since no
 * descriptor is ever a socket), does nothing, and is recorded once per function with a count and
 * the first few arguments.
 */
const tree = () => [{ guestPath: '/', entries: [file('in.txt', 'input'), dir('d'), link('l', 'in.txt')] }];

/** Calls one function by name with string arguments placed in memory. */
type Caller = ReturnType<typeof testHost>;
const FS_CALLS: [string, (h: Caller) => number, string][] = [
  ['path_open', (h) => h.open(3, 'in.txt', { base: RIGHTS.FD_READ })[0], 'fs.read'],
  ['path_filestat_get', (h) => h.call('path_filestat_get', 3, FOLLOW, ...h.str('in.txt'), 512), 'fs.read'],
  ['path_readlink', (h) => h.call('path_readlink', 3, ...h.str('l'), 512, 64, 600), 'fs.read'],
  ['fd_readdir', (h) => h.call('fd_readdir', 3, 512, 256, 0n, 600), 'fs.read'],
  ['fd_filestat_get', (h) => h.call('fd_filestat_get', 3, 512), 'fs.read'],
  ['path_create_directory', (h) => h.call('path_create_directory', 3, ...h.str('new')), 'fs.write'],
  ['path_unlink_file', (h) => h.call('path_unlink_file', 3, ...h.str('in.txt')), 'fs.write'],
  ['path_remove_directory', (h) => h.call('path_remove_directory', 3, ...h.str('d')), 'fs.write'],
  ['path_rename', (h) => h.call('path_rename', 3, ...h.str('in.txt'), 3, ...h.str('out.txt')), 'fs.write'],
  ['path_link', (h) => h.call('path_link', 3, 0, ...h.str('in.txt'), 3, ...h.str('hard')), 'fs.write'],
  ['path_symlink', (h) => h.call('path_symlink', ...h.str('in.txt'), 3, ...h.str('soft')), 'fs.write'],
  ['path_filestat_set_times', (h) => h.call('path_filestat_set_times', 3, 0, ...h.str('in.txt'), 1n, 1n, 5), 'fs.write'],
];

describe('capability denials: files', () => {
  it.each(FS_CALLS)('%s without any fs grant → NOTCAPABLE, recorded, nothing done', (fn, invoke) => {
    const h = testHost({ capabilities: ['stdout'], preopens: tree() });
    expect(invoke(h)).toBe(E.NOTCAPABLE);
    const denials = h.host.capabilityDenials();
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ fn, errno: 'NOTCAPABLE', count: 1 });
    expect(denials[0]?.capability === 'fs.read' || denials[0]?.capability === 'fs.write').toBe(true);
    expect(h.host.filesystem()[0]?.entries.map((e) => e.path)).toEqual(['d', 'in.txt', 'l']);
  });

  it.each(FS_CALLS.filter(([, , cap]) => cap === 'fs.write'))('%s with fs.read only → NOTCAPABLE naming fs.write', (fn, invoke) => {
    const h = testHost({ capabilities: ['fs.read'], preopens: tree() });
    expect(invoke(h)).toBe(E.NOTCAPABLE);
    expect(h.host.capabilityDenials()).toEqual([expect.objectContaining({ fn, capability: 'fs.write', errno: 'NOTCAPABLE', count: 1 })]);
    expect(h.host.filesystem()[0]?.entries.map((e) => e.path)).toEqual(['d', 'in.txt', 'l']);
  });

  it.each(FS_CALLS.filter(([, , cap]) => cap === 'fs.read'))('%s with fs.read only succeeds and records nothing', (_fn, invoke) => {
    const h = testHost({ capabilities: ['fs.read'], preopens: tree() });
    expect(invoke(h)).toBe(E.SUCCESS);
    expect(h.host.capabilityDenials()).toEqual([]);
  });

  it('fs.read only: opening to write or create is refused at the open; a read-only fd refuses writes', () => {
    const h = testHost({ capabilities: ['fs.read'], preopens: tree() });
    expect(h.open(3, 'in.txt', { base: RIGHTS.FD_READ | RIGHTS.FD_WRITE })[0]).toBe(E.NOTCAPABLE);
    expect(h.open(3, 'new.txt', { base: RIGHTS.FD_READ, oflags: OFLAGS.CREAT })[0]).toBe(E.NOTCAPABLE);
    expect(h.open(3, 'in.txt', { base: RIGHTS.FD_READ, oflags: OFLAGS.TRUNC })[0]).toBe(E.NOTCAPABLE);
    const [errno, fd] = h.open(3, 'in.txt', { base: RIGHTS.FD_READ });
    expect(errno).toBe(E.SUCCESS);
    expect(h.read(fd)).toEqual([E.SUCCESS, 'input']);
    expect(h.write(fd, 'x')[0]).toBe(E.NOTCAPABLE);
    expect(h.call('fd_filestat_set_size', fd, 0n)).toBe(E.NOTCAPABLE);
    const denied = h.host.capabilityDenials();
    expect(denied.map((d) => `${d.fn}:${d.capability}:${d.count}`)).toEqual(['path_open:fs.write:3', 'fd_write:fs.write:1', 'fd_filestat_set_size:fs.write:1']);
    expect(denied[0]?.samples).toEqual(['3, "in.txt"', '3, "new.txt"', '3, "in.txt"']);
  });

  it('fs.write only: creating and writing work, reading and listing are refused naming fs.read', () => {
    const h = testHost({ capabilities: ['fs.write'], preopens: tree() });
    const [errno, fd] = h.open(3, 'out.txt', { base: RIGHTS.FD_WRITE, oflags: OFLAGS.CREAT });
    expect(errno).toBe(E.SUCCESS);
    expect(h.write(fd, 'result')).toEqual([E.SUCCESS, 6]);
    expect(h.open(3, 'in.txt', { base: RIGHTS.FD_READ })[0]).toBe(E.NOTCAPABLE);
    expect(h.read(fd)[0]).toBe(E.NOTCAPABLE);
    expect(h.call('fd_readdir', 3, 512, 256, 0n, 600)).toBe(E.NOTCAPABLE);
    expect(h.host.capabilityDenials().map((d) => `${d.fn}:${d.capability}`)).toEqual(['path_open:fs.read', 'fd_read:fs.read', 'fd_readdir:fs.read']);
  });

  it('a module dropping its own rights gets NOTCAPABLE but no denial (the grant was not involved)', () => {
    const h = testHost({ capabilities: ['fs.read', 'fs.write'], preopens: tree() });
    const [, fd] = h.open(3, 'in.txt', { base: RIGHTS.FD_READ | RIGHTS.FD_WRITE });
    expect(h.call('fd_fdstat_set_rights', fd, RIGHTS.FD_READ, 0n)).toBe(E.SUCCESS);
    expect(h.write(fd, 'x')[0]).toBe(E.NOTCAPABLE);
    expect(h.call('fd_fdstat_set_rights', fd, RIGHTS.FD_READ | RIGHTS.FD_WRITE, 0n)).toBe(E.NOTCAPABLE);
    expect(h.host.capabilityDenials()).toEqual([]);
  });
});

describe('capability denials: everything else', () => {
  it.each([
    ['args_sizes_get', [0, 4], 'args'],
    ['args_get', [0, 64], 'args'],
    ['environ_sizes_get', [0, 4], 'environ'],
    ['environ_get', [0, 64], 'environ'],
    ['clock_time_get', [0, 0n, 0], 'clock'],
    ['clock_res_get', [0, 0], 'clock'],
    ['random_get', [0, 16], 'random'],
  ] as const)('%s without %s → NOTCAPABLE, recorded, memory untouched', (fn, args, cap) => {
    const h = testHost({ capabilities: [], args: ['prog', 'secret-arg'], env: { TOKEN: 'secret' } });
    h.bytes().fill(0xaa, 0, 128);
    expect(h.call(fn, ...args)).toBe(E.NOTCAPABLE);
    expect(h.bytes().subarray(0, 128).every((b) => b === 0xaa)).toBe(true);
    expect(h.host.capabilityDenials()).toEqual([{ fn, capability: cap, errno: 'NOTCAPABLE', count: 1, samples: [expect.any(String)] }]);
  });

  it('proc_exit without exit is refused and recorded (the module then continues, usually into a trap)', () => {
    const h = testHost({ capabilities: [] });
    expect(h.call('proc_exit', 3)).toBe(E.NOTCAPABLE);
    expect(h.host.capabilityDenials()).toEqual([{ fn: 'proc_exit', capability: 'exit', errno: 'NOTCAPABLE', count: 1, samples: ['3'] }]);
  });

  it('sockets never act, whatever the grant: BADF for a closed fd, NOTSOCK otherwise; each call recorded', () => {
    const h = testHost({ capabilities: ['fs.read', 'fs.write', 'stdin', 'stdout', 'stderr'], preopens: tree() });
    expect(h.call('sock_accept', 3, 0, 0)).toBe(E.NOTSOCK);
    expect(h.call('sock_recv', 0, 16, 1, 0, 24, 28)).toBe(E.NOTSOCK);
    expect(h.call('sock_send', 1, 16, 1, 0, 24)).toBe(E.NOTSOCK);
    expect(h.call('sock_shutdown', 42, 2)).toBe(E.BADF);
    expect(h.call('sock_shutdown', 1, 2)).toBe(E.NOTSOCK);
    expect(h.host.capabilityDenials()).toEqual([
      { fn: 'sock_accept', capability: null, errno: 'NOTSOCK', count: 1, samples: ['3'] },
      { fn: 'sock_recv', capability: null, errno: 'NOTSOCK', count: 1, samples: ['0'] },
      { fn: 'sock_send', capability: null, errno: 'NOTSOCK', count: 1, samples: ['1'] },
      { fn: 'sock_shutdown', capability: null, errno: 'BADF', count: 1, samples: ['42'] },
      { fn: 'sock_shutdown', capability: null, errno: 'NOTSOCK', count: 1, samples: ['1'] },
    ]);
  });

  it('keeps at most 3 samples per function but counts every call', () => {
    const h = testHost({ capabilities: [] });
    for (let i = 0; i < 1000; i++) h.call('random_get', i, 1);
    const [d] = h.host.capabilityDenials();
    expect(d?.count).toBe(1000);
    expect(d?.samples).toEqual(['0, 1', '1, 1', '2, 1']);
  });

  it('bounds and sanitizes samples: no control characters or markup-breaking bytes from guest paths', () => {
    const sample = sampleOf([3, `evil\u001b[31m\n${'x'.repeat(500)}`, 2n ** 63n]);
    expect(sample.length).toBeLessThanOrEqual(MAX_SAMPLE_CHARS);
    expect(/^[\x20-\x7e…]*$/.test(sample)).toBe(true);
    expect(sample.startsWith('3, "evil')).toBe(true);
  });
});
