import { describe, it, expect } from 'vitest';
import { MAX_PREOPENS, preopensProblem } from './preopen-check';
import { VFS_MAX_BYTES, VFS_MAX_NODES } from './wasi-host.mjs';
import type { TreeEntry } from './types';

describe('preopensProblem (bounds checked before a run is dispatched)', () => {
  it('accepts a normal tree, implied parents included', () => {
    const entries: TreeEntry[] = [
      { path: 'a/b/c.txt', kind: 'file', data: new Uint8Array(3) },
      { path: 'a', kind: 'dir' },
      { path: 'a/link', kind: 'symlink', target: 'b/c.txt' },
    ];
    expect(preopensProblem([{ guestPath: '/', entries }, { guestPath: '/data/in', entries: [] }])).toBeNull();
  });

  it('bounds the number of preopens, files and bytes', () => {
    const many = Array.from({ length: MAX_PREOPENS + 1 }, (_, i) => ({ guestPath: `/d${i}`, entries: [] }));
    expect(preopensProblem(many)).toContain(`more than ${MAX_PREOPENS}`);
    const files: TreeEntry[] = Array.from({ length: VFS_MAX_NODES }, (_, i) => ({ path: `f${i}`, kind: 'dir' }));
    expect(preopensProblem([{ guestPath: '/', entries: files }])).toContain('files and directories');
    // Two entries sharing one buffer: the bytes counted are what the worker would copy.
    const half = new Uint8Array(VFS_MAX_BYTES / 2 + 1);
    const big: TreeEntry[] = [
      { path: 'x', kind: 'file', data: half },
      { path: 'y', kind: 'file', data: half },
    ];
    expect(preopensProblem([{ guestPath: '/', entries: big }])).toContain('bytes');
  });

  it('refuses a file listed after something below it, bad link targets and unknown kinds', () => {
    expect(
      preopensProblem([{ guestPath: '/', entries: [{ path: 'a/b', kind: 'dir' }, { path: 'a', kind: 'file', data: new Uint8Array(0) }] }]),
    ).toContain('also a parent');
    expect(preopensProblem([{ guestPath: '/', entries: [{ path: 'l', kind: 'symlink', target: '' }] }])).toContain('symlink target');
    expect(preopensProblem([{ guestPath: '/', entries: [{ path: 'l', kind: 'symlink', target: 'a\0b' }] }])).toContain('symlink target');
    const odd = [{ path: 'x', kind: 'fifo' }] as unknown as TreeEntry[];
    expect(preopensProblem([{ guestPath: '/', entries: odd }])).toContain('unknown kind');
  });
});
