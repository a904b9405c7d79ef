// @ts-check
/**
 * preview1 `path_*` functions. Every path is resolved by tree.mjs from a directory descriptor and
 * can never leave it; the rights each function needs are checked on that descriptor first.
 */
import { DIR_RIGHTS, E, FDFLAGS, FILE_RIGHTS, LOOKUP_SYMLINK_FOLLOW, OFLAGS, R } from './constants.mjs';
import { fits, putU32, readString } from '../wasi-memory.mjs';
import { needRights, refuseRights, writeFilestat } from './context.mjs';
import { setTimes } from './fd-ops.mjs';
import { resolve, unlinkEntry } from './tree.mjs';

/**
 * @typedef {import('./context.mjs').FsContext} FsContext
 * @typedef {import('./tree.mjs').DirNode} DirNode
 * @typedef {import('./tree.mjs').Node} Node
 * @typedef {import('./fd-table.mjs').NodeFd} NodeFd
 */

/**
 * A directory descriptor holding `rights` and the path argument, decoded.
 * @param {FsContext} ctx @param {number} fd @param {bigint} rights @param {number} ptr @param {number} len @param {string} fn
 * @returns {{ errno: number } | { entry: NodeFd, dir: DirNode, path: string }}
 */
function dirAndPath(ctx, fd, rights, ptr, len, fn) {
  const entry = ctx.fds.get(fd);
  if (!entry || entry.kind !== 'node') return { errno: E.BADF };
  if (entry.node.kind !== 'dir') return { errno: E.NOTDIR };
  const m = ctx.mem();
  if (!m) return { errno: E.FAULT };
  const path = readString(m, ptr, len);
  if (path === 'fault') return { errno: E.FAULT };
  if (path === 'ilseq') return { errno: E.ILSEQ };
  const errno = needRights(ctx, entry, rights, fn, [fd, path]);
  if (errno) return { errno };
  return { entry, dir: entry.node, path };
}

/** True when `inner` is `outer` or lies below it (a directory cannot move into itself). */
/** @param {DirNode} outer @param {DirNode} inner */
function contains(outer, inner) {
  if (outer === inner) return true;
  for (const child of outer.entries.values()) if (child.kind === 'dir' && contains(child, inner)) return true;
  return false;
}

/** @param {FsContext} ctx */
export function pathOps(ctx) {
  const u64 = (/** @type {bigint | number} */ v) => BigInt.asUintN(64, BigInt(v));
  /** @param {DirNode} dir */
  const touch = (dir) => (dir.mtim = dir.ctim = ctx.vfs.now());

  /** @type {Record<string, (...a: any[]) => number>} */
  const ops = {
    path_open(fd, dirflags, ptr, len, oflags, rightsBase, rightsInheriting, fdflags, openedPtr) {
      const need = R.PATH_OPEN | (oflags & OFLAGS.CREAT ? R.PATH_CREATE_FILE : 0n) | (oflags & OFLAGS.TRUNC ? R.PATH_FILESTAT_SET_SIZE : 0n);
      const d = dirAndPath(ctx, fd, need, ptr, len, 'path_open');
      if ('errno' in d) return d.errno;
      const m = ctx.mem();
      if (!m || !fits(m, openedPtr, 4)) return E.FAULT;
      const base = u64(rightsBase);
      const inheriting = u64(rightsInheriting);
      // The grant decides access: asking to write (or read) what the grant withholds is a denial here.
      const wantsWrite = (base & R.FD_WRITE) !== 0n || (fdflags & FDFLAGS.APPEND) !== 0;
      if (wantsWrite && (ctx.withheld & R.FD_WRITE) !== 0n) return refuseRights(ctx, R.FD_WRITE, 'path_open', [fd, d.path]);
      const wantsRead = (base & (R.FD_READ | R.FD_READDIR)) !== 0n;
      if (wantsRead && (ctx.withheld & R.FD_READ) !== 0n) return refuseRights(ctx, R.FD_READ, 'path_open', [fd, d.path]);
      if (oflags & ~(OFLAGS.CREAT | OFLAGS.DIRECTORY | OFLAGS.EXCL | OFLAGS.TRUNC)) return E.INVAL;

      const r = resolve(d.dir, d.path, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      if ('errno' in r) return r.errno;
      let node = r.node;
      if (!node) {
        if (!(oflags & OFLAGS.CREAT)) return E.NOENT;
        if (r.dirOnly) return E.ISDIR;
        if (oflags & OFLAGS.DIRECTORY) return E.INVAL;
        const file = ctx.vfs.file();
        if (!file || !r.parent || !r.name) return E.NOSPC;
        r.parent.entries.set(r.name, file);
        touch(r.parent);
        node = file;
      } else {
        if (oflags & OFLAGS.CREAT && oflags & OFLAGS.EXCL) return E.EXIST;
        if (node.kind === 'symlink') return E.LOOP;
        if ((oflags & OFLAGS.DIRECTORY || r.dirOnly) && node.kind !== 'dir') return E.NOTDIR;
        if (node.kind === 'dir' && (base & R.FD_WRITE || oflags & (OFLAGS.TRUNC | OFLAGS.CREAT))) return E.ISDIR;
        if (node.kind === 'file' && oflags & OFLAGS.TRUNC) {
          ctx.vfs.resize(node, 0);
          node.mtim = node.ctim = ctx.vfs.now();
        }
      }
      const kindRights = node.kind === 'dir' ? DIR_RIGHTS : FILE_RIGHTS;
      const opened = ctx.fds.add({
        kind: 'node',
        node,
        pos: 0,
        rightsBase: base & d.entry.rightsInheriting & kindRights,
        rightsInheriting: inheriting & d.entry.rightsInheriting,
        fdflags: fdflags & (FDFLAGS.APPEND | FDFLAGS.DSYNC | FDFLAGS.NONBLOCK | FDFLAGS.RSYNC | FDFLAGS.SYNC),
        preopen: null,
      });
      if (opened < 0) return E.MFILE;
      putU32(m, openedPtr, opened);
      return E.SUCCESS;
    },

    path_create_directory(fd, ptr, len) {
      const d = dirAndPath(ctx, fd, R.PATH_CREATE_DIRECTORY, ptr, len, 'path_create_directory');
      if ('errno' in d) return d.errno;
      const r = resolve(d.dir, d.path, false);
      if ('errno' in r) return r.errno;
      if (r.node || !r.parent || !r.name) return E.EXIST;
      const dir = ctx.vfs.dir();
      if (!dir) return E.NOSPC;
      r.parent.entries.set(r.name, dir);
      touch(r.parent);
      return E.SUCCESS;
    },

    path_filestat_get(fd, flags, ptr, len, statPtr) {
      const d = dirAndPath(ctx, fd, R.PATH_FILESTAT_GET, ptr, len, 'path_filestat_get');
      if ('errno' in d) return d.errno;
      const r = resolve(d.dir, d.path, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      if ('errno' in r) return r.errno;
      if (!r.node) return E.NOENT;
      if (r.dirOnly && r.node.kind !== 'dir') return E.NOTDIR;
      const m = ctx.mem();
      if (!m || !fits(m, statPtr, 64)) return E.FAULT;
      writeFilestat(m, statPtr >>> 0, r.node);
      return E.SUCCESS;
    },

    path_filestat_set_times(fd, flags, ptr, len, atim, mtim, fstflags) {
      const d = dirAndPath(ctx, fd, R.PATH_FILESTAT_SET_TIMES, ptr, len, 'path_filestat_set_times');
      if ('errno' in d) return d.errno;
      const r = resolve(d.dir, d.path, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      if ('errno' in r) return r.errno;
      if (!r.node) return E.NOENT;
      if (r.dirOnly && r.node.kind !== 'dir') return E.NOTDIR;
      return setTimes(ctx, r.node, atim, mtim, fstflags);
    },

    path_link(oldFd, oldFlags, oldPtr, oldLen, newFd, newPtr, newLen) {
      const s = dirAndPath(ctx, oldFd, R.PATH_LINK_SOURCE, oldPtr, oldLen, 'path_link');
      if ('errno' in s) return s.errno;
      const t = dirAndPath(ctx, newFd, R.PATH_LINK_TARGET, newPtr, newLen, 'path_link');
      if ('errno' in t) return t.errno;
      const from = resolve(s.dir, s.path, (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      if ('errno' in from) return from.errno;
      if (!from.node) return E.NOENT;
      if (from.node.kind === 'dir') return E.PERM;
      if (from.dirOnly) return E.NOTDIR;
      const to = resolve(t.dir, t.path, false);
      if ('errno' in to) return to.errno;
      if (to.node || !to.parent || !to.name) return E.EXIST;
      if (to.dirOnly) return E.NOENT;
      to.parent.entries.set(to.name, from.node);
      from.node.nlink++;
      from.node.ctim = ctx.vfs.now();
      touch(to.parent);
      return E.SUCCESS;
    },

    path_readlink(fd, ptr, len, bufPtr, bufLen, bufusedPtr) {
      const d = dirAndPath(ctx, fd, R.PATH_READLINK, ptr, len, 'path_readlink');
      if ('errno' in d) return d.errno;
      const r = resolve(d.dir, d.path, false);
      if ('errno' in r) return r.errno;
      if (!r.node) return E.NOENT;
      if (r.node.kind !== 'symlink') return E.INVAL;
      const m = ctx.mem();
      if (!m || !fits(m, bufPtr, bufLen) || !fits(m, bufusedPtr, 4)) return E.FAULT;
      // Like readlink(2): a short buffer gets the first bytes, and bufused says how many.
      const target = new TextEncoder().encode(r.node.target).subarray(0, bufLen >>> 0);
      m.bytes.set(target, bufPtr >>> 0);
      putU32(m, bufusedPtr, target.length);
      return E.SUCCESS;
    },

    path_remove_directory(fd, ptr, len) {
      const d = dirAndPath(ctx, fd, R.PATH_REMOVE_DIRECTORY, ptr, len, 'path_remove_directory');
      if ('errno' in d) return d.errno;
      const r = resolve(d.dir, d.path, false);
      if ('errno' in r) return r.errno;
      if (!r.parent || !r.name) return E.INVAL;
      if (!r.node) return E.NOENT;
      if (r.node.kind !== 'dir') return E.NOTDIR;
      if (r.node.entries.size > 0) return E.NOTEMPTY;
      unlinkEntry(ctx.vfs, r.parent, r.name);
      return E.SUCCESS;
    },

    path_unlink_file(fd, ptr, len) {
      const d = dirAndPath(ctx, fd, R.PATH_UNLINK_FILE, ptr, len, 'path_unlink_file');
      if ('errno' in d) return d.errno;
      const r = resolve(d.dir, d.path, false);
      if ('errno' in r) return r.errno;
      if (!r.parent || !r.name) return E.ISDIR;
      if (!r.node) return E.NOENT;
      if (r.node.kind === 'dir') return E.ISDIR;
      if (r.dirOnly) return E.NOTDIR;
      unlinkEntry(ctx.vfs, r.parent, r.name);
      return E.SUCCESS;
    },

    path_rename(oldFd, oldPtr, oldLen, newFd, newPtr, newLen) {
      const s = dirAndPath(ctx, oldFd, R.PATH_RENAME_SOURCE, oldPtr, oldLen, 'path_rename');
      if ('errno' in s) return s.errno;
      const t = dirAndPath(ctx, newFd, R.PATH_RENAME_TARGET, newPtr, newLen, 'path_rename');
      if ('errno' in t) return t.errno;
      const from = resolve(s.dir, s.path, false);
      if ('errno' in from) return from.errno;
      const to = resolve(t.dir, t.path, false);
      if ('errno' in to) return to.errno;
      if (!from.node) return E.NOENT;
      if (!from.parent || !from.name || !to.parent || !to.name) return E.INVAL;
      const node = from.node;
      if ((from.dirOnly || to.dirOnly) && node.kind !== 'dir') return E.NOTDIR;
      if (to.node === node) return E.SUCCESS;
      if (node.kind === 'dir' && contains(node, to.parent)) return E.INVAL;
      if (to.node) {
        if (node.kind === 'dir' && to.node.kind !== 'dir') return E.NOTDIR;
        if (node.kind !== 'dir' && to.node.kind === 'dir') return E.ISDIR;
        if (to.node.kind === 'dir' && to.node.entries.size > 0) return E.NOTEMPTY;
        unlinkEntry(ctx.vfs, to.parent, to.name);
      }
      from.parent.entries.delete(from.name);
      to.parent.entries.set(to.name, node);
      node.ctim = ctx.vfs.now();
      touch(from.parent);
      touch(to.parent);
      return E.SUCCESS;
    },

    path_symlink(targetPtr, targetLen, fd, ptr, len) {
      const d = dirAndPath(ctx, fd, R.PATH_SYMLINK, ptr, len, 'path_symlink');
      if ('errno' in d) return d.errno;
      const m = ctx.mem();
      if (!m) return E.FAULT;
      const target = readString(m, targetPtr, targetLen);
      if (target === 'fault') return E.FAULT;
      if (target === 'ilseq' || target.includes('\0')) return E.ILSEQ;
      if (target.length === 0) return E.NOENT;
      // An absolute target could only ever point outside the tree: refused when created, as by cap-std.
      if (target.startsWith('/')) return E.NOTCAPABLE;
      const r = resolve(d.dir, d.path, false);
      if ('errno' in r) return r.errno;
      if (r.node || !r.parent || !r.name) return E.EXIST;
      if (r.dirOnly) return E.NOENT;
      const link = ctx.vfs.symlink(target);
      if (!link) return E.NOSPC;
      r.parent.entries.set(r.name, link);
      touch(r.parent);
      return E.SUCCESS;
    },
  };
  return ops;
}
