/**
 * Test support: a WASI host over a plain memory, with helpers to pass strings and read results, so
 * each preview1 function can be called directly with the exact arguments an attacker would choose.
 */
import { createWasiHost, type HostOptions } from '../wasi-host.mjs';
import type { Preopen, TreeEntry } from '../types';

export const E = {
  SUCCESS: 0, BADF: 8, EXIST: 20, FAULT: 21, FBIG: 22, ILSEQ: 25, INVAL: 28, ISDIR: 31, LOOP: 32, MFILE: 33,
  NOENT: 44, NOSPC: 51, NOTDIR: 54, NOTEMPTY: 55, NOTSOCK: 57, NOTCAPABLE: 76,
} as const;
export const RIGHTS = { FD_READ: 1n << 1n, FD_WRITE: 1n << 6n, FD_READDIR: 1n << 14n, ALL: (1n << 30n) - 1n } as const;
export const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
export const FOLLOW = 1;

const utf8 = new TextEncoder();
export const file = (path: string, text: string): TreeEntry => ({ path, kind: 'file', data: utf8.encode(text) });
export const dir = (path: string): TreeEntry => ({ path, kind: 'dir' });
export const link = (path: string, target: string): TreeEntry => ({ path, kind: 'symlink', target });

type HostFn = (...args: (number | bigint)[]) => number;

export function testHost(opts: { capabilities: string[]; preopens?: Preopen[] } & Partial<HostOptions>) {
  const memory = new WebAssembly.Memory({ initial: 2 });
  let fuelUsed = 0n;
  let charged = 0n;
  const host = createWasiHost({
    args: [],
    env: {},
    stdin: new Uint8Array(0),
    seed: 1n,
    outputBytes: 1024,
    getMemory: () => memory,
    getFuelUsed: () => fuelUsed,
    chargeFuel: (units) => {
      charged += units;
    },
    ...opts,
  });
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  let heap = 4096;
  /** Copies a string (or raw bytes) into memory; returns [ptr, len]. */
  const str = (s: string | Uint8Array): [number, number] => {
    const b = typeof s === 'string' ? utf8.encode(s) : s;
    bytes().set(b, heap);
    const at = heap;
    heap += b.length + 8;
    return [at, b.length];
  };
  const call = (name: string, ...args: (number | bigint)[]) => (host.imports[name] as unknown as HostFn)(...args);
  /** path_open(dirfd, lookup, path, oflags, base, inheriting, fdflags) → [errno, fd]. */
  const open = (dirfd: number, path: string, o: { lookup?: number; oflags?: number; base?: bigint; fdflags?: number } = {}) => {
    const [p, l] = str(path);
    const base = o.base ?? RIGHTS.ALL;
    const errno = call('path_open', dirfd, o.lookup ?? FOLLOW, p, l, o.oflags ?? 0, base, base, o.fdflags ?? 0, 0);
    return [errno, view().getUint32(0, true)] as const;
  };
  /** Writes one iovec at 16 pointing to `data` and calls fd_write; returns [errno, written]. */
  const write = (fd: number, data: string) => {
    const [p, l] = str(data);
    view().setUint32(16, p, true);
    view().setUint32(20, l, true);
    const errno = call('fd_write', fd, 16, 1, 24);
    return [errno, view().getUint32(24, true)] as const;
  };
  const read = (fd: number, max = 256) => {
    const at = heap;
    heap += max + 8;
    view().setUint32(16, at, true);
    view().setUint32(20, max, true);
    const errno = call('fd_read', fd, 16, 1, 24);
    const n = view().getUint32(24, true);
    return [errno, new TextDecoder().decode(bytes().subarray(at, at + n))] as const;
  };
  return {
    host,
    call,
    str,
    open,
    write,
    read,
    view,
    bytes,
    setFuel: (n: bigint) => (fuelUsed = n),
    charged: () => charged,
  };
}
