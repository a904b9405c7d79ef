// @ts-check
/**
 * The in-memory tree behind every preopened directory: inodes, quotas and path resolution that can
 * never leave the directory it starts from. Nothing here touches the host filesystem.
 *
 * Resolution is capability-style (like cap-std, which wasmtime uses): a path is walked component by
 * component from a directory descriptor; an absolute path, a `..` above that directory, or a symlink
 * whose target is absolute or climbs above it is refused with NOTCAPABLE before anything is touched.
 */
import { E } from './constants.mjs';

export const MAX_SYMLINK_HOPS = 32;
export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;

/**
 * @typedef {{ kind: 'file', ino: number, nlink: number, opens: number, released: boolean, atim: bigint, mtim: bigint, ctim: bigint, data: Uint8Array, size: number, shared: boolean }} FileNode
 *   `shared`: `data` is the caller's input array, read-only here; the first change copies it (copy-on-write).
 * @typedef {{ kind: 'dir', ino: number, nlink: number, opens: number, released: boolean, atim: bigint, mtim: bigint, ctim: bigint, entries: Map<string, Node> }} DirNode
 * @typedef {{ kind: 'symlink', ino: number, nlink: number, opens: number, released: boolean, atim: bigint, mtim: bigint, ctim: bigint, target: string }} LinkNode
 * @typedef {FileNode | DirNode | LinkNode} Node
 * @typedef {{ errno: number }} Failure
 * @typedef {{ parent: DirNode | null, name: string | null, node: Node | undefined, dirOnly: boolean }} Resolved
 *   parent/name are null when the path ends in `.` or `..` (it names a directory, not an entry).
 */

/**
 * One filesystem per run: an inode counter, the virtual clock for timestamps, and quotas so a module
 * cannot exhaust the worker's heap through files (past them: NOSPC).
 * @param {{ now: () => bigint, maxBytes: number, maxNodes: number }} opts
 */
export function createVfs(opts) {
  let nextIno = 1;
  let nodes = 0;
  let bytes = 0;

  const stamp = () => {
    const t = opts.now();
    return { ino: nextIno++, nlink: 1, opens: 0, released: false, atim: t, mtim: t, ctim: t };
  };
  const reserveNode = () => {
    if (nodes >= opts.maxNodes) return false;
    nodes++;
    return true;
  };

  return {
    now: opts.now,
    usage: () => ({ bytes, nodes }),
    /** @returns {DirNode | null} */
    dir() {
      if (!reserveNode()) return null;
      return { kind: 'dir', ...stamp(), entries: new Map() };
    },
    /** @returns {FileNode | null} */
    file() {
      if (!reserveNode()) return null;
      return { kind: 'file', ...stamp(), data: new Uint8Array(0), size: 0, shared: false };
    },
    /** @param {string} target @returns {LinkNode | null} */
    symlink(target) {
      if (!reserveNode()) return null;
      return { kind: 'symlink', ...stamp(), target };
    },
    /**
     * Returns a node's bytes to the quota once nothing can reach it: no directory entry links it
     * and no descriptor has it open (POSIX: an unlinked open file stays readable until closed).
     * @param {Node} node
     */
    releaseIfUnreachable(node) {
      if (node.nlink > 0 || node.opens > 0 || node.released) return;
      node.released = true;
      nodes--;
      if (node.kind === 'file') {
        bytes -= node.size;
        node.data = new Uint8Array(0);
        node.size = 0;
      }
    },
    /**
     * A file's content from the caller's input, without copying it (most inputs are only read).
     * False when the quota would be exceeded.
     * @param {FileNode} file @param {Uint8Array} data
     */
    adopt(file, data) {
      if (bytes - file.size + data.length > opts.maxBytes) return false;
      bytes += data.length - file.size;
      file.data = data;
      file.size = data.length;
      file.shared = true;
      return true;
    },
    /** Makes a shared (input) file's bytes this run's own before they change. @param {FileNode} file */
    own(file) {
      if (!file.shared) return;
      const copy = new Uint8Array(Math.max(64, file.size));
      copy.set(file.data.subarray(0, file.size));
      file.data = copy;
      file.shared = false;
    },
    /**
     * Sets a file's length (zero-filling growth). False when the quota would be exceeded.
     * @param {FileNode} file @param {number} size
     */
    resize(file, size) {
      if (size > Number.MAX_SAFE_INTEGER || bytes - file.size + size > opts.maxBytes) return false;
      this.own(file);
      if (size > file.data.length) {
        // Doubling below 1 MiB keeps many small appends cheap; above it grow to the need plus 1 MiB.
        const cap = size < 1 << 20 ? Math.max(64, 2 ** Math.ceil(Math.log2(size))) : size + (1 << 20);
        const next = new Uint8Array(Math.min(cap, opts.maxBytes));
        next.set(file.data.subarray(0, file.size));
        file.data = next;
      } else if (size < file.size) {
        file.data.fill(0, size, file.size);
      }
      bytes += size - file.size;
      file.size = size;
      return true;
    },
  };
}

/** @typedef {ReturnType<typeof createVfs>} Vfs */

const utf8 = new TextEncoder();

/** @param {string} path @returns {number} errno or 0 */
function checkPath(path) {
  if (path.length === 0) return E.NOENT;
  if (path.includes('\0')) return E.ILSEQ;
  if (utf8.encode(path).length > MAX_PATH_BYTES) return E.NAMETOOLONG;
  if (path.startsWith('/')) return E.NOTCAPABLE;
  return 0;
}

/**
 * Walks `path` from `base`. The final component is followed when it is a symlink only if
 * `followFinal`, or the path ends in `/` (POSIX). Never climbs above `base`.
 * @param {DirNode} base @param {string} path @param {boolean} followFinal
 * @returns {Failure | Resolved}
 */
export function resolve(base, path, followFinal) {
  const bad = checkPath(path);
  if (bad) return { errno: bad };
  let parts = path.split('/');
  let dirOnly = path.endsWith('/');
  /** @type {DirNode[]} */
  const stack = [base];
  let hops = 0;
  while (parts.length > 0) {
    const name = /** @type {string} */ (parts.shift());
    const top = stack[stack.length - 1];
    if (name === '' || name === '.') continue;
    if (name === '..') {
      if (stack.length === 1) return { errno: E.NOTCAPABLE };
      stack.pop();
      continue;
    }
    if (utf8.encode(name).length > MAX_NAME_BYTES) return { errno: E.NAMETOOLONG };
    const child = top.entries.get(name);
    const last = parts.every((p) => p === '');
    if (child && child.kind === 'symlink' && (!last || followFinal || dirOnly)) {
      if (++hops > MAX_SYMLINK_HOPS) return { errno: E.LOOP };
      const bad = checkPath(child.target);
      if (bad) return { errno: bad };
      if (last && child.target.endsWith('/')) dirOnly = true;
      parts = [...child.target.split('/'), ...parts];
      continue;
    }
    if (last) return { parent: top, name, node: child, dirOnly };
    if (!child) return { errno: E.NOENT };
    if (child.kind !== 'dir') return { errno: E.NOTDIR };
    stack.push(child);
  }
  return { parent: null, name: null, node: stack[stack.length - 1], dirOnly: true };
}

/** Names sorted by UTF-16 code unit order: a listing is the same on every run. */
/** @param {DirNode} dir */
export const sortedNames = (dir) => [...dir.entries.keys()].sort();

/** Unlinks `name` from `dir`, releasing the node when it has no other link. */
/** @param {Vfs} vfs @param {DirNode} dir @param {string} name */
export function unlinkEntry(vfs, dir, name) {
  const node = dir.entries.get(name);
  if (!node) return;
  dir.entries.delete(name);
  node.nlink--;
  node.ctim = vfs.now();
  dir.mtim = node.ctim;
  vfs.releaseIfUnreachable(node);
}
