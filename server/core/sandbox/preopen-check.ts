import type { Preopen } from './types';
import { entryPathProblem } from './vfs/entry-path.mjs';
import { VFS_MAX_BYTES, VFS_MAX_NODES } from './wasi-host.mjs';

/** Preopened directories per run (fds 3 ... 3 + n - 1). */
export const MAX_PREOPENS = 16;
const MAX_GUEST_PATH_BYTES = 255;
const MAX_LINK_TARGET_BYTES = 4096;
const utf8 = new TextEncoder();

/** `/` or `/a/b`: absolute, no empty, `.` or `..` components, no NUL. */
function guestPathProblem(path: string): string | null {
  if (typeof path !== 'string' || !path.startsWith('/')) return 'must be an absolute guest path';
  if (utf8.encode(path).length > MAX_GUEST_PATH_BYTES) return 'longer than 255 bytes';
  if (path === '/') return null;
  return entryPathProblem(path.slice(1));
}

/**
 * Why a request's preopens cannot be built, or null. Checked before dispatch so a malformed list is a
 * clear denial instead of a worker failure: bounded count and bytes (the virtual filesystem's own
 * quotas), normalized relative entry paths, no entry below a file or link, no duplicates.
 */
export function preopensProblem(preopens: readonly Preopen[]): string | null {
  if (preopens.length > MAX_PREOPENS) return `more than ${MAX_PREOPENS} preopened directories`;
  let nodes = 0;
  let bytes = 0;
  const guests = new Set<string>();
  for (const p of preopens) {
    const gp = guestPathProblem(p.guestPath);
    if (gp) return `preopen ${JSON.stringify(p.guestPath)}: ${gp}`;
    if (guests.has(p.guestPath)) return `preopen ${JSON.stringify(p.guestPath)} given twice`;
    guests.add(p.guestPath);
    // Every path in the tree, listed or implied as a parent, with its kind.
    const kinds = new Map<string, string>();
    nodes += 1;
    for (const e of p.entries) {
      const where = `preopen ${JSON.stringify(p.guestPath)}, entry ${JSON.stringify(e.path)}`;
      const problem = entryPathProblem(e.path);
      if (problem) return `${where}: ${problem}`;
      if (e.kind !== 'dir' && e.kind !== 'file' && e.kind !== 'symlink') return `${where}: unknown kind`;
      const parts = e.path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join('/');
        const kind = kinds.get(parent);
        if (kind === undefined) kinds.set(parent, 'dir');
        else if (kind !== 'dir') return `${where}: lies below a ${kind}`;
      }
      const seen = kinds.get(e.path);
      if (seen !== undefined && !(seen === 'dir' && e.kind === 'dir')) return `${where}: given twice or also a parent`;
      kinds.set(e.path, e.kind);
      if (e.kind === 'file') bytes += e.data.length;
      if (e.kind === 'symlink' && (e.target.length === 0 || e.target.includes('\0') || utf8.encode(e.target).length > MAX_LINK_TARGET_BYTES)) {
        return `${where}: bad symlink target`;
      }
    }
    nodes += kinds.size;
  }
  if (nodes > VFS_MAX_NODES) return `more than ${VFS_MAX_NODES} files and directories`;
  if (bytes > VFS_MAX_BYTES) return `more than ${VFS_MAX_BYTES} bytes of files`;
  return null;
}
