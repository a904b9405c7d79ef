// @ts-check
/**
 * WASI preview1 host for one run. Every one of the 46 functions is linked; what a module may *do*
 * is the grant, checked at each call: a call outside it returns a WASI errno (NOTCAPABLE) and is
 * recorded as a capability denial, like wasmtime. Plain ES module so it loads in a worker thread.
 *
 * Not node:wasi: Node documents that module as not a sandbox (it exposes preopened host paths).
 * Here nothing touches the host: preopened directories are an in-memory tree (vfs/), stdin is a
 * byte array, stdout/stderr are capped buffers, the clock is virtual and random is a seeded PRNG,
 * so a run is a pure function of its inputs.
 */
import { createXoshiro256StarStar } from './prng.mjs';
import { E, READ_RIGHTS, WRITE_RIGHTS, DIR_RIGHTS, FILE_RIGHTS } from './vfs/constants.mjs';
import { createVfs } from './vfs/tree.mjs';
import { exportTree, importTree } from './vfs/snapshot.mjs';
import { createFdTable } from './vfs/fd-table.mjs';
import { fdOps } from './vfs/fd-ops.mjs';
import { pathOps } from './vfs/path-ops.mjs';
import { pollOneoff } from './wasi-poll.mjs';
import { createDenialLog } from './wasi-denials.mjs';
import { fits, memoryOf, putU32, putU64 } from './wasi-memory.mjs';
import { HOST_FUNCTION_GRANTS } from './wasi-grants.mjs';

export { HOST_FUNCTION_GRANTS };

/** Virtual clock: realtime starts at 2000-01-01T00:00:00Z and advances 1 ns per unit of fuel used. */
export const VIRTUAL_EPOCH_NS = 946_684_800_000_000_000n;
export const NS_PER_FUEL = 1n;

/** Host calls cost fuel: a base charge per call plus one unit per BYTES_PER_FUEL bytes moved. */
export const HOST_CALL_FUEL = 100n;
export const BYTES_PER_FUEL = 8;

/** Quotas of the per-run virtual filesystem (past them: NOSPC). */
export const VFS_MAX_BYTES = 64 * 1024 * 1024;
export const VFS_MAX_NODES = 20_000;

/** Thrown by proc_exit to unwind the wasm stack; the runner turns it into an `ok` outcome. */
export class ProcExit {
  /** @param {number} code */
  constructor(code) {
    this.code = code;
  }
}

/** Thrown by proc_raise: a signal ends the run as a trap. */
export class ProcRaise {
  /** @param {number} signal */
  constructor(signal) {
    this.signal = signal;
  }
}

/**
 * @typedef {import('./vfs/snapshot.mjs').Preopen} Preopen
 * @typedef {object} HostOptions
 * @property {readonly string[]} capabilities
 * @property {readonly string[]} args      passed as argv exactly (the caller supplies argv[0])
 * @property {Readonly<Record<string, string>>} env
 * @property {Uint8Array} stdin
 * @property {bigint} seed
 * @property {number} outputBytes          cap on stdout + stderr together
 * @property {readonly Preopen[]} [preopens]   guest directories, preopened as fds 3, 4, ...
 * @property {() => WebAssembly.Memory | null} getMemory   the instance's memory, once instantiated
 * @property {() => bigint} getFuelUsed    drives the virtual clock
 * @property {(units: bigint) => void} [chargeFuel]   takes fuel for host work; throws when exhausted
 * @property {readonly string[]} [only]   build just these host functions (the ones the module imports):
 *   wrapping all ~45 on every run cost more than the rest of the host (bench/profile-governed.ts)
 */

const encoder = new TextEncoder();
/** @param {readonly string[]} strings → NUL-terminated UTF-8 */
const encodeAll = (strings) => strings.map((s) => encoder.encode(`${s}\0`));

/** One growable byte buffer per stream (doubling: many tiny writes stay cheap). */
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
    bytes: () => buf.slice(0, length),
  };
}

/**
 * Each host function with the capabilities it needs and whether they gate the whole function
 * (args, clock, ...); descriptor and path functions are gated by the rights on each descriptor
 * instead (vfs/context.mjs). Computed once, not on every run.
 * @type {readonly (readonly [string, readonly string[], boolean])[]}
 */
const HOST_FUNCTIONS = Object.entries(HOST_FUNCTION_GRANTS).map(([name, needs]) => [
  name,
  needs,
  needs.length > 0 && needs.every((n) => n === 'args' || n === 'environ' || n === 'clock' || n === 'random' || n === 'exit'),
]);

/** @param {HostOptions} opts */
export function createWasiHost(opts) {
  const granted = new Set(opts.capabilities);
  const argv = encodeAll(opts.args);
  // Sorted so the environment block is identical on replay whatever the object's key order.
  const environ = encodeAll(Object.keys(opts.env).sort().map((k) => `${k}=${opts.env[k]}`));
  const random = createXoshiro256StarStar(opts.seed);
  const denials = createDenialLog();
  const sinks = { 1: createSink(), 2: createSink() };
  let outputLeft = opts.outputBytes;
  let truncated = false;
  let stdinAt = 0;
  let sleptNs = 0n;

  const charge = opts.chargeFuel ?? (() => {});
  const monotonicNs = () => opts.getFuelUsed() * NS_PER_FUEL + sleptNs;
  /** @param {number} id @returns {bigint | null} */
  const clockNow = (id) => (id === 0 ? VIRTUAL_EPOCH_NS + monotonicNs() : id >= 1 && id <= 3 ? monotonicNs() : null);

  // Rights the grant withholds are absent from every descriptor (and their use is a denial).
  const withheld =
    (granted.has('fs.write') ? 0n : WRITE_RIGHTS) |
    (granted.has('fs.read') ? 0n : READ_RIGHTS) |
    (granted.has('fs.read') || granted.has('fs.write') ? 0n : DIR_RIGHTS | FILE_RIGHTS);
  const vfs = createVfs({ now: () => clockNow(0) ?? 0n, maxBytes: VFS_MAX_BYTES, maxNodes: VFS_MAX_NODES });
  const roots = (opts.preopens ?? []).map((p) => ({ guestPath: p.guestPath, root: importTree(vfs, p.entries) }));
  const fds = createFdTable(roots, withheld);
  const mem = () => memoryOf(opts.getMemory);

  /** @type {import('./vfs/context.mjs').FsContext} */
  const fs = {
    vfs,
    fds,
    mem,
    withheld,
    deny: denials.record,
    chargeBytes: (n) => n > 0 && charge(BigInt(Math.ceil(n / BYTES_PER_FUEL))),
    stdioGranted: (s) => granted.has(s === 0 ? 'stdin' : s === 1 ? 'stdout' : 'stderr'),
    stdin: {
      read(dst) {
        const chunk = opts.stdin.subarray(stdinAt, stdinAt + dst.length);
        dst.set(chunk);
        stdinAt += chunk.length;
        return chunk.length;
      },
      remaining: () => opts.stdin.length - stdinAt,
    },
    output(stream, bytes) {
      // Bytes past the cap are dropped and flagged; the write is still reported complete.
      const keep = Math.min(bytes.length, outputLeft);
      if (keep < bytes.length) truncated = true;
      if (keep > 0) sinks[stream].append(bytes.subarray(0, keep));
      outputLeft -= keep;
    },
  };

  /** Writes a string table (argv or environ) as pointer array + packed bytes. */
  /** @param {Uint8Array[]} table @param {number} ptrs @param {number} buf */
  const tableGet = (table, ptrs, buf) => {
    const m = mem();
    const total = table.reduce((n, s) => n + s.length, 0);
    if (!m || !fits(m, ptrs, table.length * 4) || !fits(m, buf, total)) return E.FAULT;
    let at = buf >>> 0;
    table.forEach((s, i) => {
      m.view.setUint32((ptrs >>> 0) + i * 4, at, true);
      m.bytes.set(s, at);
      at += s.length;
    });
    fs.chargeBytes(total);
    return E.SUCCESS;
  };
  /** @param {Uint8Array[]} table @param {number} countPtr @param {number} sizePtr */
  const tableSizes = (table, countPtr, sizePtr) => {
    const m = mem();
    if (!m || !fits(m, countPtr, 4) || !fits(m, sizePtr, 4)) return E.FAULT;
    putU32(m, countPtr, table.length);
    putU32(m, sizePtr, table.reduce((n, s) => n + s.length, 0));
    return E.SUCCESS;
  };
  /** A socket call never acts: no descriptor is ever a socket, and there is no network. */
  /** @param {string} fn */
  const socket = (fn) => (/** @type {number} */ fd) => denials.record(fn, null, fds.get(fd) ? E.NOTSOCK : E.BADF, [fd]);

  // Three tables looked up by name, not one object spread together: merging ~45 methods with
  // spreads cost about 20 µs on every run (bench/profile-governed.ts).
  const fdTable = fdOps(fs);
  const pathTable = pathOps(fs);
  /** @type {Record<string, (...a: any[]) => unknown>} */
  const impl = {
    args_get: (p, b) => tableGet(argv, p, b),
    args_sizes_get: (c, s) => tableSizes(argv, c, s),
    environ_get: (p, b) => tableGet(environ, p, b),
    environ_sizes_get: (c, s) => tableSizes(environ, c, s),
    clock_res_get(id, resPtr) {
      const m = mem();
      if (clockNow(id) === null) return E.INVAL;
      if (!m || !putU64(m, resPtr, NS_PER_FUEL)) return E.FAULT;
      return E.SUCCESS;
    },
    clock_time_get(id, _precision, timePtr) {
      const m = mem();
      const now = clockNow(id);
      if (now === null) return E.INVAL;
      if (!m || !putU64(m, timePtr, now)) return E.FAULT;
      return E.SUCCESS;
    },
    random_get(buf, len) {
      const m = mem();
      if (!m || !fits(m, buf, len)) return E.FAULT;
      random.fill(m.bytes.subarray(buf >>> 0, (buf >>> 0) + (len >>> 0)));
      fs.chargeBytes(len >>> 0);
      return E.SUCCESS;
    },
    poll_oneoff: pollOneoff({ fs, now: clockNow, sleep: (ns) => (sleptNs += ns) }),
    sched_yield: () => E.SUCCESS,
    proc_exit(code) {
      throw new ProcExit(code >>> 0);
    },
    proc_raise(signal) {
      throw new ProcRaise(signal >>> 0);
    },
    sock_accept: socket('sock_accept'),
    sock_recv: socket('sock_recv'),
    sock_send: socket('sock_send'),
    sock_shutdown: socket('sock_shutdown'),
  };

  /** @type {Record<string, Function>} */
  const imports = {};
  const only = opts.only ? new Set(opts.only) : undefined;
  for (const [name, needs, gate] of HOST_FUNCTIONS) {
    if (only && !only.has(name)) continue;
    const fn = impl[name] ?? fdTable[name] ?? pathTable[name];
    if (!fn) throw new Error(`wasi host: ${name} is in the grant table but not implemented`);
    imports[name] = (/** @type {unknown[]} */ ...args) => {
      charge(HOST_CALL_FUEL);
      if (gate && !needs.some((n) => granted.has(n))) {
        return denials.record(name, needs[0] ?? null, E.NOTCAPABLE, args);
      }
      return fn(...args);
    };
  }

  const output = () => ({ stdout: sinks[1].bytes(), stderr: sinks[2].bytes(), truncated });
  const filesystem = () => roots.map((r) => ({ guestPath: r.guestPath, entries: exportTree(r.root) }));
  return { imports, output, capabilityDenials: denials.list, filesystem };
}
