// @ts-check
/**
 * preview1 `fd_*` functions over the virtual filesystem and the run's stdio. Each returns a WASI
 * errno; results go to guest memory only after every pointer was checked (EFAULT otherwise).
 */
import { E, FDFLAGS, FILETYPE, FSTFLAGS, R, WHENCE } from './constants.mjs';
import { fits, iovecTotal, putU32, putU64, readIovecs } from '../wasi-memory.mjs';
import { filetypeOf, needRights, writeFilestat } from './context.mjs';
import { readdirInto } from './readdir.mjs';

/**
 * @typedef {import('./context.mjs').FsContext} FsContext
 * @typedef {import('./fd-table.mjs').Fd} Fd
 * @typedef {import('./tree.mjs').FileNode} FileNode
 */

const MAX_FILE_OFFSET = 2 ** 53 - 1;
const u64 = (/** @type {bigint | number} */ v) => BigInt.asUintN(64, BigInt(v));

/**
 * A regular file descriptor holding `rights`: BADF for stdio, closed fds and directories (a file
 * operation on a directory), NOTCAPABLE without the rights.
 * @param {FsContext} ctx @param {number} fd @param {bigint} rights @param {string} fn @param {unknown[]} args
 * @returns {{ errno: number } | { entry: import('./fd-table.mjs').NodeFd, file: FileNode }}
 */
function fileFd(ctx, fd, rights, fn, args) {
  const entry = ctx.fds.get(fd);
  if (!entry || entry.kind !== 'node' || entry.node.kind !== 'file') return { errno: E.BADF };
  const errno = needRights(ctx, entry, rights, fn, args);
  if (errno) return { errno };
  return { entry, file: entry.node };
}

/** @param {FsContext} ctx @param {FileNode} file @param {number} at @param {import('../wasi-memory.mjs').Mem} m @param {import('../wasi-memory.mjs').Iovec[]} list */
function writeAt(ctx, file, at, m, list) {
  const total = iovecTotal(list);
  if (at + total > MAX_FILE_OFFSET) return { errno: E.FBIG, n: 0 };
  if (at + total > file.size && !ctx.vfs.resize(file, at + total)) return { errno: E.NOSPC, n: 0 };
  ctx.vfs.own(file);
  let pos = at;
  for (const { ptr, len } of list) {
    file.data.set(m.bytes.subarray(ptr, ptr + len), pos);
    pos += len;
  }
  file.mtim = file.ctim = ctx.vfs.now();
  ctx.chargeBytes(total);
  return { errno: E.SUCCESS, n: total };
}

/** @param {FsContext} ctx @param {FileNode} file @param {number} at @param {import('../wasi-memory.mjs').Mem} m @param {import('../wasi-memory.mjs').Iovec[]} list */
function readAt(ctx, file, at, m, list) {
  let pos = at;
  for (const { ptr, len } of list) {
    const n = Math.max(0, Math.min(len, file.size - pos));
    m.bytes.set(file.data.subarray(pos, pos + n), ptr);
    pos += n;
    if (n < len) break;
  }
  ctx.chargeBytes(pos - at);
  return pos - at;
}

/** @param {FsContext} ctx */
export function fdOps(ctx) {
  /** @type {Record<string, (...a: any[]) => number>} */
  const ops = {
    fd_read(fd, iovs, count, nreadPtr) {
      const entry = ctx.fds.get(fd);
      const m = ctx.mem();
      const list = m && readIovecs(m, iovs, count);
      if (!entry) return E.BADF;
      if (!m || !list || !fits(m, nreadPtr, 4)) return E.FAULT;
      if (entry.kind === 'stdio') {
        if (entry.stream !== 0) return E.BADF;
        if (!ctx.stdioGranted(0)) return ctx.deny('fd_read', 'stdin', E.NOTCAPABLE, [fd]);
        let n = 0;
        for (const { ptr, len } of list) {
          const got = ctx.stdin.read(m.bytes.subarray(ptr, ptr + len));
          n += got;
          if (got < len) break;
        }
        ctx.chargeBytes(n);
        putU32(m, nreadPtr, n);
        return E.SUCCESS;
      }
      const f = fileFd(ctx, fd, R.FD_READ, 'fd_read', [fd]);
      if ('errno' in f) return f.errno;
      const n = readAt(ctx, f.file, f.entry.pos, m, list);
      f.entry.pos += n;
      putU32(m, nreadPtr, n);
      return E.SUCCESS;
    },

    fd_pread(fd, iovs, count, offset, nreadPtr) {
      const entry = ctx.fds.get(fd);
      if (entry?.kind === 'stdio') return E.SPIPE;
      const f = fileFd(ctx, fd, R.FD_READ | R.FD_SEEK, 'fd_pread', [fd]);
      if ('errno' in f) return f.errno;
      const m = ctx.mem();
      const list = m && readIovecs(m, iovs, count);
      if (!m || !list || !fits(m, nreadPtr, 4)) return E.FAULT;
      const at = u64(offset);
      if (at > BigInt(MAX_FILE_OFFSET)) return E.INVAL;
      putU32(m, nreadPtr, readAt(ctx, f.file, Number(at), m, list));
      return E.SUCCESS;
    },

    fd_write(fd, iovs, count, nwrittenPtr) {
      const entry = ctx.fds.get(fd);
      const m = ctx.mem();
      const list = m && readIovecs(m, iovs, count);
      if (!entry) return E.BADF;
      if (!m || !list || !fits(m, nwrittenPtr, 4)) return E.FAULT;
      if (entry.kind === 'stdio') {
        if (entry.stream === 0) return E.BADF;
        const stream = entry.stream;
        if (!ctx.stdioGranted(stream)) return ctx.deny('fd_write', stream === 1 ? 'stdout' : 'stderr', E.NOTCAPABLE, [fd]);
        for (const { ptr, len } of list) ctx.output(stream, m.bytes.subarray(ptr, ptr + len));
        // Report everything as written even past the output cap: a short write makes libc retry forever.
        ctx.chargeBytes(iovecTotal(list));
        putU32(m, nwrittenPtr, iovecTotal(list));
        return E.SUCCESS;
      }
      const f = fileFd(ctx, fd, R.FD_WRITE, 'fd_write', [fd]);
      if ('errno' in f) return f.errno;
      const at = f.entry.fdflags & FDFLAGS.APPEND ? f.file.size : f.entry.pos;
      const r = writeAt(ctx, f.file, at, m, list);
      if (r.errno) return r.errno;
      f.entry.pos = at + r.n;
      putU32(m, nwrittenPtr, r.n);
      return E.SUCCESS;
    },

    fd_pwrite(fd, iovs, count, offset, nwrittenPtr) {
      const entry = ctx.fds.get(fd);
      if (entry?.kind === 'stdio') return E.SPIPE;
      const f = fileFd(ctx, fd, R.FD_WRITE | R.FD_SEEK, 'fd_pwrite', [fd]);
      if ('errno' in f) return f.errno;
      const m = ctx.mem();
      const list = m && readIovecs(m, iovs, count);
      if (!m || !list || !fits(m, nwrittenPtr, 4)) return E.FAULT;
      const at = u64(offset);
      if (at > BigInt(MAX_FILE_OFFSET)) return E.INVAL;
      const r = writeAt(ctx, f.file, Number(at), m, list);
      if (r.errno) return r.errno;
      putU32(m, nwrittenPtr, r.n);
      return E.SUCCESS;
    },

    fd_seek(fd, offset, whence, newOffsetPtr) {
      const entry = ctx.fds.get(fd);
      if (entry?.kind === 'stdio') return E.SPIPE;
      const delta = BigInt.asIntN(64, BigInt(offset));
      const rights = delta === 0n && whence === WHENCE.CUR ? R.FD_TELL : R.FD_SEEK | R.FD_TELL;
      const f = fileFd(ctx, fd, rights, 'fd_seek', [fd]);
      if ('errno' in f) return f.errno;
      const base = whence === WHENCE.SET ? 0n : whence === WHENCE.CUR ? BigInt(f.entry.pos) : whence === WHENCE.END ? BigInt(f.file.size) : -1n;
      if (base < 0n) return E.INVAL;
      const next = base + delta;
      if (next < 0n || next > BigInt(MAX_FILE_OFFSET)) return E.INVAL;
      const m = ctx.mem();
      if (!m || !fits(m, newOffsetPtr, 8)) return E.FAULT;
      f.entry.pos = Number(next);
      putU64(m, newOffsetPtr, next);
      return E.SUCCESS;
    },

    fd_tell(fd, offsetPtr) {
      const entry = ctx.fds.get(fd);
      if (entry?.kind === 'stdio') return E.SPIPE;
      const f = fileFd(ctx, fd, R.FD_TELL, 'fd_tell', [fd]);
      if ('errno' in f) return f.errno;
      const m = ctx.mem();
      if (!m || !putU64(m, offsetPtr, BigInt(f.entry.pos))) return E.FAULT;
      return E.SUCCESS;
    },

    fd_advise(fd, _offset, _len, advice) {
      const f = fileFd(ctx, fd, R.FD_ADVISE, 'fd_advise', [fd]);
      if ('errno' in f) return f.errno;
      return advice >= 0 && advice <= 5 ? E.SUCCESS : E.INVAL;
    },

    fd_allocate(fd, offset, len) {
      const f = fileFd(ctx, fd, R.FD_ALLOCATE, 'fd_allocate', [fd]);
      if ('errno' in f) return f.errno;
      const end = u64(offset) + u64(len);
      if (end > BigInt(MAX_FILE_OFFSET)) return E.FBIG;
      if (Number(end) > f.file.size) {
        if (!ctx.vfs.resize(f.file, Number(end))) return E.NOSPC;
        f.file.mtim = f.file.ctim = ctx.vfs.now();
      }
      return E.SUCCESS;
    },

    fd_datasync(fd) {
      const f = fileFd(ctx, fd, R.FD_DATASYNC, 'fd_datasync', [fd]);
      return 'errno' in f ? f.errno : E.SUCCESS;
    },

    fd_sync(fd) {
      const entry = ctx.fds.get(fd);
      if (!entry) return E.BADF;
      if (entry.kind === 'stdio') return E.INVAL;
      return needRights(ctx, entry, R.FD_SYNC, 'fd_sync', [fd]);
    },

    fd_close(fd) {
      const entry = ctx.fds.close(fd);
      if (!entry) return E.BADF;
      if (entry.kind === 'node') ctx.vfs.releaseIfUnreachable(entry.node);
      return E.SUCCESS;
    },

    fd_renumber(from, to) {
      const r = ctx.fds.renumber(from, to);
      if (!r) return E.BADF;
      if (r.replaced?.kind === 'node') ctx.vfs.releaseIfUnreachable(r.replaced.node);
      return E.SUCCESS;
    },

    fd_fdstat_get(fd, statPtr) {
      const entry = ctx.fds.get(fd);
      if (!entry) return E.BADF;
      const m = ctx.mem();
      if (!m || !fits(m, statPtr, 24)) return E.FAULT;
      const at = statPtr >>> 0;
      m.bytes.fill(0, at, at + 24);
      // stdio is a pipe here, never a terminal: UNKNOWN (as wasmtime reports pipes) keeps isatty() false.
      m.view.setUint8(at, entry.kind === 'stdio' ? FILETYPE.UNKNOWN : filetypeOf(entry.node));
      m.view.setUint16(at + 2, entry.fdflags, true);
      m.view.setBigUint64(at + 8, entry.rightsBase, true);
      m.view.setBigUint64(at + 16, entry.rightsInheriting, true);
      return E.SUCCESS;
    },

    fd_fdstat_set_flags(fd, flags) {
      const entry = ctx.fds.get(fd);
      if (!entry) return E.BADF;
      const errno = needRights(ctx, entry, R.FD_FDSTAT_SET_FLAGS, 'fd_fdstat_set_flags', [fd, flags]);
      if (errno) return errno;
      if (flags & ~(FDFLAGS.APPEND | FDFLAGS.DSYNC | FDFLAGS.NONBLOCK | FDFLAGS.RSYNC | FDFLAGS.SYNC)) return E.INVAL;
      // Every write is already synchronous in memory, so the sync flags are accepted and kept.
      entry.fdflags = flags;
      return E.SUCCESS;
    },

    fd_fdstat_set_rights(fd, base, inheriting) {
      const entry = ctx.fds.get(fd);
      if (!entry) return E.BADF;
      const b = u64(base);
      const i = u64(inheriting);
      // Rights only shrink: asking for one the descriptor lacks is refused.
      if ((b & ~entry.rightsBase) !== 0n || (i & ~entry.rightsInheriting) !== 0n) return E.NOTCAPABLE;
      entry.rightsBase = b;
      entry.rightsInheriting = i;
      return E.SUCCESS;
    },

    fd_filestat_get(fd, statPtr) {
      const entry = ctx.fds.get(fd);
      if (!entry) return E.BADF;
      const errno = needRights(ctx, entry, R.FD_FILESTAT_GET, 'fd_filestat_get', [fd]);
      if (errno) return errno;
      const m = ctx.mem();
      if (!m || !fits(m, statPtr, 64)) return E.FAULT;
      writeFilestat(m, statPtr >>> 0, entry.kind === 'stdio' ? null : entry.node);
      return E.SUCCESS;
    },

    fd_filestat_set_size(fd, size) {
      const f = fileFd(ctx, fd, R.FD_FILESTAT_SET_SIZE, 'fd_filestat_set_size', [fd]);
      if ('errno' in f) return f.errno;
      const n = u64(size);
      if (n > BigInt(MAX_FILE_OFFSET)) return E.FBIG;
      if (!ctx.vfs.resize(f.file, Number(n))) return E.NOSPC;
      f.file.mtim = f.file.ctim = ctx.vfs.now();
      return E.SUCCESS;
    },

    fd_filestat_set_times(fd, atim, mtim, flags) {
      const entry = ctx.fds.get(fd);
      if (!entry) return E.BADF;
      const errno = needRights(ctx, entry, R.FD_FILESTAT_SET_TIMES, 'fd_filestat_set_times', [fd]);
      if (errno) return errno;
      if (entry.kind === 'stdio') return E.BADF;
      return setTimes(ctx, entry.node, atim, mtim, flags);
    },

    fd_readdir(fd, buf, bufLen, cookie, bufusedPtr) {
      const entry = ctx.fds.get(fd);
      if (!entry) return E.BADF;
      if (entry.kind !== 'node' || entry.node.kind !== 'dir') return E.NOTDIR;
      const errno = needRights(ctx, entry, R.FD_READDIR, 'fd_readdir', [fd]);
      if (errno) return errno;
      const m = ctx.mem();
      if (!m || !fits(m, buf, bufLen) || !fits(m, bufusedPtr, 4)) return E.FAULT;
      const used = readdirInto(entry.node, u64(cookie), m.bytes.subarray(buf >>> 0, (buf >>> 0) + (bufLen >>> 0)));
      ctx.chargeBytes(used);
      putU32(m, bufusedPtr, used);
      return E.SUCCESS;
    },

    fd_prestat_get(fd, prestatPtr) {
      const entry = ctx.fds.get(fd);
      if (!entry || entry.kind !== 'node' || entry.preopen === null) return E.BADF;
      const m = ctx.mem();
      if (!m || !fits(m, prestatPtr, 8)) return E.FAULT;
      m.view.setUint32(prestatPtr >>> 0, 0, true); // tag 0: a directory
      m.view.setUint32((prestatPtr >>> 0) + 4, new TextEncoder().encode(entry.preopen).length, true);
      return E.SUCCESS;
    },

    fd_prestat_dir_name(fd, pathPtr, pathLen) {
      const entry = ctx.fds.get(fd);
      if (!entry || entry.kind !== 'node' || entry.preopen === null) return E.BADF;
      const name = new TextEncoder().encode(entry.preopen);
      if ((pathLen >>> 0) < name.length) return E.NAMETOOLONG;
      const m = ctx.mem();
      if (!m || !fits(m, pathPtr, name.length)) return E.FAULT;
      m.bytes.set(name, pathPtr >>> 0);
      return E.SUCCESS;
    },
  };
  return ops;
}

/**
 * Sets atime/mtime: an explicit value, "now" from the virtual clock, or unchanged. A flag asking for
 * both an explicit value and now (or an unknown bit) is INVAL.
 * @param {FsContext} ctx @param {import('./tree.mjs').Node} node @param {bigint} atim @param {bigint} mtim @param {number} flags
 */
export function setTimes(ctx, node, atim, mtim, flags) {
  const known = FSTFLAGS.ATIM | FSTFLAGS.ATIM_NOW | FSTFLAGS.MTIM | FSTFLAGS.MTIM_NOW;
  if (flags & ~known) return E.INVAL;
  if (flags & FSTFLAGS.ATIM && flags & FSTFLAGS.ATIM_NOW) return E.INVAL;
  if (flags & FSTFLAGS.MTIM && flags & FSTFLAGS.MTIM_NOW) return E.INVAL;
  const now = ctx.vfs.now();
  if (flags & FSTFLAGS.ATIM) node.atim = u64(atim);
  if (flags & FSTFLAGS.ATIM_NOW) node.atim = now;
  if (flags & FSTFLAGS.MTIM) node.mtim = u64(mtim);
  if (flags & FSTFLAGS.MTIM_NOW) node.mtim = now;
  node.ctim = now;
  return E.SUCCESS;
}
