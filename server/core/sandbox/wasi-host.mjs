// @ts-check
/**
 * WASI preview1 host for one run, built from the granted capabilities only. Plain ES module with
 * node-free code so it loads inside a worker thread without a TypeScript loader.
 *
 * Not node:wasi: Node documents that module as not a sandbox (it exposes preopened host paths).
 * Here nothing touches the host: stdin is a byte array, stdout/stderr are capped in-memory buffers,
 * the clock is virtual and random is a seeded PRNG, so a run is a pure function of its inputs.
 */
import { createXoshiro256StarStar } from './prng.mjs';

/** Which capability grants each function; wasi-imports.ts re-exports it as WASI_FUNCTIONS for the pre-exec check. */
export const HOST_FUNCTION_GRANTS = Object.freeze({
  args_get: ['args'],
  args_sizes_get: ['args'],
  environ_get: ['environ'],
  environ_sizes_get: ['environ'],
  fd_read: ['stdin'],
  fd_write: ['stdout', 'stderr'],
  clock_time_get: ['clock'],
  clock_res_get: ['clock'],
  random_get: ['random'],
  proc_exit: ['exit'],
  fd_fdstat_get: ['baseline'],
  fd_close: ['baseline'],
  fd_seek: ['baseline'],
  fd_prestat_get: ['baseline'],
  fd_prestat_dir_name: ['baseline'],
});

/** Virtual clock: realtime starts at 2000-01-01T00:00:00Z and advances 1 ns per unit of fuel used. */
export const VIRTUAL_EPOCH_NS = 946_684_800_000_000_000n;
export const NS_PER_FUEL = 1n;

const ESUCCESS = 0;
const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;
const ESPIPE = 70;
const FILETYPE_CHARACTER_DEVICE = 2;
const RIGHT_FD_READ = 1n << 1n;
const RIGHT_FD_WRITE = 1n << 6n;
const FDFLAG_APPEND = 1;

/** Thrown by proc_exit to unwind the wasm stack; the runner turns it into an `ok` outcome. */
export class ProcExit {
  /** @param {number} code */
  constructor(code) {
    this.code = code;
  }
}

/**
 * @typedef {object} HostOptions
 * @property {readonly string[]} capabilities
 * @property {readonly string[]} args      passed as argv exactly (the caller supplies argv[0])
 * @property {Readonly<Record<string, string>>} env
 * @property {Uint8Array} stdin
 * @property {bigint} seed
 * @property {number} outputBytes          cap on stdout + stderr together
 * @property {() => WebAssembly.Memory | null} getMemory   the instance's memory, once instantiated
 * @property {() => bigint} getFuelUsed    drives the virtual clock
 */

/**
 * @typedef {object} HostOutput
 * @property {Uint8Array} stdout
 * @property {Uint8Array} stderr
 * @property {boolean} truncated
 */

const encoder = new TextEncoder();

/** @param {readonly string[]} strings → NUL-terminated UTF-8 */
const encodeAll = (strings) => strings.map((s) => encoder.encode(`${s}\0`));

/**
 * One growable byte buffer per stream. Doubling keeps many tiny writes cheap: a list of per-write
 * chunks would cost an object per write and could exhaust the worker heap long before the byte cap.
 */
function createSink() {
  let buf = new Uint8Array(256);
  let length = 0;
  return {
    /** @param {Uint8Array} bytes */
    append(bytes) {
      if (length + bytes.length > buf.length) {
        let cap = buf.length * 2;
        while (cap < length + bytes.length) cap *= 2;
        const next = new Uint8Array(cap);
        next.set(buf.subarray(0, length));
        buf = next;
      }
      buf.set(bytes, length);
      length += bytes.length;
    },
    /** A fresh, exactly sized copy (transferable to the parent thread). */
    bytes: () => buf.slice(0, length),
  };
}

/**
 * @param {HostOptions} opts
 * @returns {{ imports: Record<string, Function>, output: () => HostOutput }}
 */
export function createWasiHost(opts) {
  const granted = new Set(opts.capabilities);
  const argv = encodeAll(opts.args);
  // Sorted so the environment block is identical on replay whatever the object's key order.
  const environ = encodeAll(Object.keys(opts.env).sort().map((k) => `${k}=${opts.env[k]}`));
  const random = createXoshiro256StarStar(opts.seed);
  const captured = { 1: createSink(), 2: createSink() };
  let outputLeft = opts.outputBytes;
  let truncated = false;
  let stdinAt = 0;

  /** Views over the current buffer (memory.grow detaches the old one), or null without memory. */
  const mem = () => {
    const memory = opts.getMemory();
    if (!memory) return null;
    return { view: new DataView(memory.buffer), bytes: new Uint8Array(memory.buffer) };
  };
  /** @param {{ bytes: Uint8Array }} m @param {number} ptr @param {number} len */
  const fits = (m, ptr, len) => ptr + len <= m.bytes.length;

  /** Writes a string table (argv or environ) as pointer array + packed bytes. */
  /** @param {Uint8Array[]} table @param {number} ptrs @param {number} buf */
  const tableGet = (table, ptrs, buf) => {
    const m = mem();
    const total = table.reduce((n, s) => n + s.length, 0);
    if (!m || !fits(m, ptrs >>> 0, table.length * 4) || !fits(m, buf >>> 0, total)) return EFAULT;
    let at = buf >>> 0;
    table.forEach((s, i) => {
      m.view.setUint32((ptrs >>> 0) + i * 4, at, true);
      m.bytes.set(s, at);
      at += s.length;
    });
    return ESUCCESS;
  };
  /** @param {Uint8Array[]} table @param {number} countPtr @param {number} sizePtr */
  const tableSizes = (table, countPtr, sizePtr) => {
    const m = mem();
    if (!m || !fits(m, countPtr >>> 0, 4) || !fits(m, sizePtr >>> 0, 4)) return EFAULT;
    m.view.setUint32(countPtr >>> 0, table.length, true);
    m.view.setUint32(sizePtr >>> 0, table.reduce((n, s) => n + s.length, 0), true);
    return ESUCCESS;
  };

  /** Reads an iovec array; null when any entry points outside memory. */
  /** @param {{ view: DataView, bytes: Uint8Array }} m @param {number} iovs @param {number} count */
  const iovecs = (m, iovs, count) => {
    if (!fits(m, iovs >>> 0, (count >>> 0) * 8)) return null;
    const out = [];
    for (let i = 0; i < count >>> 0; i++) {
      const ptr = m.view.getUint32((iovs >>> 0) + i * 8, true);
      const len = m.view.getUint32((iovs >>> 0) + i * 8 + 4, true);
      if (!fits(m, ptr, len)) return null;
      out.push({ ptr, len });
    }
    return out;
  };

  const nsUsed = () => opts.getFuelUsed() * NS_PER_FUEL;
  /** @param {number} fd */
  const stdioGranted = (fd) =>
    (fd === 0 && granted.has('stdin')) || (fd === 1 && granted.has('stdout')) || (fd === 2 && granted.has('stderr'));

  /** @type {Record<string, Function>} */
  const all = {
    args_get: (/** @type {number} */ p, /** @type {number} */ b) => tableGet(argv, p, b),
    args_sizes_get: (/** @type {number} */ c, /** @type {number} */ s) => tableSizes(argv, c, s),
    environ_get: (/** @type {number} */ p, /** @type {number} */ b) => tableGet(environ, p, b),
    environ_sizes_get: (/** @type {number} */ c, /** @type {number} */ s) => tableSizes(environ, c, s),

    fd_read(/** @type {number} */ fd, /** @type {number} */ iovs, /** @type {number} */ count, /** @type {number} */ nreadPtr) {
      if (fd !== 0 || !granted.has('stdin')) return EBADF;
      const m = mem();
      const list = m && iovecs(m, iovs, count);
      if (!m || !list || !fits(m, nreadPtr >>> 0, 4)) return EFAULT;
      let nread = 0;
      for (const { ptr, len } of list) {
        const chunk = opts.stdin.subarray(stdinAt, stdinAt + len);
        m.bytes.set(chunk, ptr);
        stdinAt += chunk.length;
        nread += chunk.length;
        if (chunk.length < len) break;
      }
      m.view.setUint32(nreadPtr >>> 0, nread, true);
      return ESUCCESS;
    },

    fd_write(/** @type {number} */ fd, /** @type {number} */ iovs, /** @type {number} */ count, /** @type {number} */ nwrittenPtr) {
      if ((fd !== 1 && fd !== 2) || !stdioGranted(fd)) return EBADF;
      const m = mem();
      const list = m && iovecs(m, iovs, count);
      if (!m || !list || !fits(m, nwrittenPtr >>> 0, 4)) return EFAULT;
      let total = 0;
      for (const { ptr, len } of list) {
        total += len;
        const keep = Math.min(len, outputLeft);
        if (keep < len) truncated = true;
        if (keep > 0) captured[fd].append(m.bytes.subarray(ptr, ptr + keep));
        outputLeft -= keep;
      }
      // Report everything as written even past the cap: a short write would make libc retry forever.
      m.view.setUint32(nwrittenPtr >>> 0, total, true);
      return ESUCCESS;
    },

    clock_res_get(/** @type {number} */ id, /** @type {number} */ resPtr) {
      const m = mem();
      if (id < 0 || id > 3) return EINVAL;
      if (!m || !fits(m, resPtr >>> 0, 8)) return EFAULT;
      m.view.setBigUint64(resPtr >>> 0, NS_PER_FUEL, true);
      return ESUCCESS;
    },

    clock_time_get(/** @type {number} */ id, /** @type {bigint} */ _precision, /** @type {number} */ timePtr) {
      const m = mem();
      if (id < 0 || id > 3) return EINVAL;
      if (!m || !fits(m, timePtr >>> 0, 8)) return EFAULT;
      // 0 = realtime (virtual wall clock); 1..3 = monotonic / process / thread time since start.
      const now = id === 0 ? VIRTUAL_EPOCH_NS + nsUsed() : nsUsed();
      m.view.setBigUint64(timePtr >>> 0, BigInt.asUintN(64, now), true);
      return ESUCCESS;
    },

    random_get(/** @type {number} */ buf, /** @type {number} */ len) {
      const m = mem();
      if (!m || !fits(m, buf >>> 0, len >>> 0)) return EFAULT;
      random.fill(m.bytes.subarray(buf >>> 0, (buf >>> 0) + (len >>> 0)));
      return ESUCCESS;
    },

    proc_exit(/** @type {number} */ code) {
      throw new ProcExit(code >>> 0);
    },

    fd_fdstat_get(/** @type {number} */ fd, /** @type {number} */ statPtr) {
      if (!stdioGranted(fd)) return EBADF;
      const m = mem();
      if (!m || !fits(m, statPtr >>> 0, 24)) return EFAULT;
      const at = statPtr >>> 0;
      m.bytes.fill(0, at, at + 24);
      m.view.setUint8(at, FILETYPE_CHARACTER_DEVICE);
      m.view.setUint16(at + 2, fd === 0 ? 0 : FDFLAG_APPEND, true);
      m.view.setBigUint64(at + 8, fd === 0 ? RIGHT_FD_READ : RIGHT_FD_WRITE, true);
      return ESUCCESS;
    },
    // Closing stdio is a no-op; there is no other descriptor to close.
    fd_close: (/** @type {number} */ fd) => (fd >= 0 && fd <= 2 ? ESUCCESS : EBADF),
    fd_seek: (/** @type {number} */ fd) => (fd >= 0 && fd <= 2 ? ESPIPE : EBADF),
    // No preopened directories: libc's start-up scan stops at the first EBADF.
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,
  };

  /** @type {Record<string, Function>} */
  const imports = {};
  for (const [name, needs] of Object.entries(HOST_FUNCTION_GRANTS)) {
    const fn = all[name];
    if (fn && needs.some((n) => n === 'baseline' || granted.has(n))) imports[name] = fn;
  }
  const output = () => ({ stdout: captured[1].bytes(), stderr: captured[2].bytes(), truncated });
  return { imports, output };
}
