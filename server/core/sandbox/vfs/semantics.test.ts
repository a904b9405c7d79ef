import { describe, it, expect } from 'vitest';
import { E, OFLAGS, RIGHTS, dir, file, testHost } from './test-host';
import { BYTES_PER_FUEL, HOST_CALL_FUEL, VFS_MAX_BYTES, VIRTUAL_EPOCH_NS } from '../wasi-host.mjs';
import { MAX_OPEN_FDS } from './limits.mjs';

/** Night Core's own choices over preview1 (the conformance suite covers the standard behaviour). */
const rw = (entries = [file('a.txt', 'hello')]) => testHost({ capabilities: ['fs.read', 'fs.write', 'clock', 'stdin'], preopens: [{ guestPath: '/', entries }] });

describe('virtual filesystem semantics', () => {
  it('stamps files with the virtual clock (epoch + fuel used), never the host clock', () => {
    const h = rw();
    h.setFuel(5000n);
    const [, fd] = h.open(3, 'new.txt', { oflags: OFLAGS.CREAT, base: RIGHTS.ALL & ~RIGHTS.FD_READDIR });
    expect(h.call('fd_filestat_get', fd, 512)).toBe(E.SUCCESS);
    expect(h.view().getBigUint64(512 + 48, true)).toBe(VIRTUAL_EPOCH_NS + 5000n);
    h.setFuel(9000n);
    h.write(fd, 'x');
    expect(h.call('fd_filestat_get', fd, 512)).toBe(E.SUCCESS);
    expect(h.view().getBigUint64(512 + 48, true)).toBe(VIRTUAL_EPOCH_NS + 9000n);
    expect(h.view().getBigUint64(512 + 32, true)).toBe(1n);
  });

  it('lists a directory in sorted order with `.` and `..` and resumes from any cookie', () => {
    const h = rw([file('c', ''), file('a', ''), dir('b')]);
    const names = (cookie: bigint, len = 512) => {
      expect(h.call('fd_readdir', 3, 1024, len, cookie, 8)).toBe(E.SUCCESS);
      const used = h.view().getUint32(8, true);
      const out: [string, bigint][] = [];
      for (let at = 1024; at + 24 <= 1024 + used; ) {
        const n = h.view().getUint32(at + 16, true);
        out.push([new TextDecoder().decode(h.bytes().subarray(at + 24, at + 24 + n)), h.view().getBigUint64(at, true)]);
        at += 24 + n;
      }
      return out;
    };
    expect(names(0n)).toEqual([['.', 1n], ['..', 2n], ['a', 3n], ['b', 4n], ['c', 5n]]);
    expect(names(3n)).toEqual([['b', 4n], ['c', 5n]]);
    expect(names(99n)).toEqual([]);
    // A buffer too small for the next entry comes back full, telling the caller to grow it.
    expect(h.call('fd_readdir', 3, 1024, 30, 0n, 8)).toBe(E.SUCCESS);
    expect(h.view().getUint32(8, true)).toBe(30);
  });

  it('keeps an unlinked file readable through an open descriptor until it is closed', () => {
    const h = rw();
    const [, fd] = h.open(3, 'a.txt', { base: RIGHTS.FD_READ });
    const [p, l] = h.str('a.txt');
    expect(h.call('path_unlink_file', 3, p, l)).toBe(E.SUCCESS);
    expect(h.open(3, 'a.txt')[0]).toBe(E.NOENT);
    expect(h.read(fd)).toEqual([E.SUCCESS, 'hello']);
    expect(h.call('fd_close', fd)).toBe(E.SUCCESS);
  });

  it('bounds the bytes a module can create (NOSPC) and frees them when files are deleted', () => {
    const h = rw([]);
    const [, fd] = h.open(3, 'big', { oflags: OFLAGS.CREAT, base: RIGHTS.ALL & ~RIGHTS.FD_READDIR });
    expect(h.call('fd_allocate', fd, 0n, BigInt(VFS_MAX_BYTES + 1))).toBe(E.NOSPC);
    expect(h.call('fd_filestat_set_size', fd, 2n ** 60n)).toBe(E.FBIG);
    expect(h.call('fd_allocate', fd, 0n, BigInt(VFS_MAX_BYTES))).toBe(E.SUCCESS);
    const [, other] = h.open(3, 'more', { oflags: OFLAGS.CREAT, base: RIGHTS.ALL & ~RIGHTS.FD_READDIR });
    expect(h.write(other, 'x')[0]).toBe(E.NOSPC);
    expect(h.call('fd_close', fd)).toBe(E.SUCCESS);
    const [p, l] = h.str('big');
    expect(h.call('path_unlink_file', 3, p, l)).toBe(E.SUCCESS);
    expect(h.write(other, 'x')).toEqual([E.SUCCESS, 1]);
  });

  it('bounds open descriptors (MFILE)', () => {
    const h = rw();
    let last = 0;
    for (let i = 0; i < MAX_OPEN_FDS + 5; i++) last = h.open(3, 'a.txt', { base: RIGHTS.FD_READ })[0];
    expect(last).toBe(E.MFILE);
  });

  it('reports stdio as a non-terminal (isatty false) and not seekable', () => {
    const h = rw();
    for (const fd of [0, 1, 2]) {
      expect(h.call('fd_fdstat_get', fd, 512)).toBe(E.SUCCESS);
      expect(h.view().getUint8(512)).toBe(0); // FILETYPE_UNKNOWN, like a pipe
      expect(h.call('fd_seek', fd, 0n, 0, 600)).toBe(70); // SPIPE
    }
  });

  it('sleeps on the virtual clock: poll_oneoff advances time by the timeout at once', () => {
    const h = rw();
    // One relative clock subscription (monotonic, 5 s).
    h.view().setBigUint64(2048, 77n, true);
    h.view().setUint8(2048 + 8, 0);
    h.view().setUint32(2048 + 16, 1, true);
    h.view().setBigUint64(2048 + 24, 5_000_000_000n, true);
    const before = Date.now();
    expect(h.call('poll_oneoff', 2048, 3072, 1, 8)).toBe(E.SUCCESS);
    expect(Date.now() - before).toBeLessThan(1000);
    expect(h.view().getUint32(8, true)).toBe(1);
    expect(h.view().getBigUint64(3072, true)).toBe(77n);
    expect(h.call('clock_time_get', 1, 0n, 16)).toBe(E.SUCCESS);
    expect(h.view().getBigUint64(16, true)).toBe(5_000_000_000n);
  });

  it('reports stdin ready with the bytes left, before any clock', () => {
    const h = testHost({ capabilities: ['stdin'], stdin: new TextEncoder().encode('12345') });
    h.view().setBigUint64(2048, 1n, true);
    h.view().setUint8(2048 + 8, 1); // fd_read
    h.view().setUint32(2048 + 16, 0, true);
    h.view().setBigUint64(2048 + 48, 2n, true);
    h.view().setUint8(2048 + 48 + 8, 0); // clock, 1 s
    h.view().setBigUint64(2048 + 48 + 24, 1_000_000_000n, true);
    expect(h.call('poll_oneoff', 2048, 3072, 2, 8)).toBe(E.SUCCESS);
    expect(h.view().getUint32(8, true)).toBe(1);
    expect(h.view().getBigUint64(3072 + 16, true)).toBe(5n);
    expect(h.call('poll_oneoff', 2048, 3072, 0, 8)).toBe(E.INVAL);
  });

  it('charges fuel per host call plus per byte moved, deterministically', () => {
    const h = rw();
    const [, fd] = h.open(3, 'a.txt', { base: RIGHTS.FD_READ });
    const before = h.charged();
    h.read(fd, 256);
    // One call, 5 bytes read: the base charge plus ceil(5 / BYTES_PER_FUEL).
    expect(h.charged() - before).toBe(HOST_CALL_FUEL + BigInt(Math.ceil(5 / BYTES_PER_FUEL)));
    const again = h.charged();
    h.call('sched_yield');
    expect(h.charged() - again).toBe(HOST_CALL_FUEL);
  });

  it('proc_raise ends the run (it throws; the runner reports trap proc_raise)', () => {
    const h = rw();
    expect(() => h.call('proc_raise', 6)).toThrow();
  });

  it('shares input bytes until the first change (copy-on-write): the caller\'s arrays are never written', () => {
    const entries = [file('a.txt', 'hello'), file('b.txt', 'world'), file('c.txt', 'as is')];
    const h = rw(entries);
    const [, a] = h.open(3, 'a.txt', { base: RIGHTS.ALL & ~RIGHTS.FD_READDIR });
    const [p, l] = h.str('J');
    h.view().setUint32(16, p, true);
    h.view().setUint32(20, l, true);
    expect(h.call('fd_pwrite', a, 16, 1, 0n, 24)).toBe(E.SUCCESS); // in place, no growth
    const [, b] = h.open(3, 'b.txt', { base: RIGHTS.ALL & ~RIGHTS.FD_READDIR });
    expect(h.call('fd_filestat_set_size', b, 2n)).toBe(E.SUCCESS); // shrink
    const text = (d: Uint8Array) => new TextDecoder().decode(d);
    expect(entries.map((e) => text((e as { data: Uint8Array }).data))).toEqual(['hello', 'world', 'as is']);
    const out = h.host.filesystem()[0]!.entries as unknown as { path: string; data: Uint8Array }[];
    expect(out.map((e) => text(e.data))).toEqual(['Jello', 'wo', 'as is']);
    // An unchanged file goes back as the very same bytes, not a copy.
    expect(out[2]!.data).toBe((entries[2] as { data: Uint8Array }).data);
  });
});

