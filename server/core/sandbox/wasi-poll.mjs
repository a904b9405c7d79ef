// @ts-check
/**
 * poll_oneoff over the virtual clock. Nothing here ever blocks the thread: stdin is a byte array and
 * files are in memory, so descriptors are always ready; when only clocks are subscribed, the earliest
 * deadline is reached by advancing the virtual clock's sleep offset (a sleep costs no wall time and
 * gives the same result on every run).
 */
import { E, R } from './vfs/constants.mjs';
import { needRights } from './vfs/context.mjs';
import { fits } from './wasi-memory.mjs';

const SUB_SIZE = 48;
const EVENT_SIZE = 32;
const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 };
const SUBSCRIPTION_CLOCK_ABSTIME = 1;

/**
 * @typedef {object} PollDeps
 * @property {import('./vfs/context.mjs').FsContext} fs
 * @property {(clockId: number) => bigint | null} now     null for an unknown clock
 * @property {(ns: bigint) => void} sleep                  advances every clock by ns
 */

/** @param {PollDeps} deps */
export function pollOneoff(deps) {
  const { fs } = deps;
  /** @param {number} inPtr @param {number} outPtr @param {number} nsubs @param {number} neventsPtr */
  return function poll_oneoff(inPtr, outPtr, nsubs, neventsPtr) {
    const n = nsubs >>> 0;
    if (n === 0) return E.INVAL;
    const m = fs.mem();
    if (!m || !fits(m, inPtr, n * SUB_SIZE) || !fits(m, outPtr, n * EVENT_SIZE) || !fits(m, neventsPtr, 4)) return E.FAULT;
    /** @type {{ userdata: bigint, type: number, error: number, nbytes: bigint }[]} */
    const ready = [];
    /** @type {{ userdata: bigint, deadline: bigint, now: bigint }[]} */
    const clocks = [];
    for (let i = 0; i < n; i++) {
      const at = (inPtr >>> 0) + i * SUB_SIZE;
      const userdata = m.view.getBigUint64(at, true);
      const tag = m.view.getUint8(at + 8);
      if (tag === EVENTTYPE.CLOCK) {
        const now = deps.now(m.view.getUint32(at + 16, true));
        if (now === null) {
          ready.push({ userdata, type: tag, error: E.INVAL, nbytes: 0n });
          continue;
        }
        const timeout = m.view.getBigUint64(at + 24, true);
        const abs = (m.view.getUint16(at + 40, true) & SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
        clocks.push({ userdata, deadline: abs ? timeout : now + timeout, now });
      } else if (tag === EVENTTYPE.FD_READ || tag === EVENTTYPE.FD_WRITE) {
        ready.push({ userdata, type: tag, ...fdReadiness(fs, m.view.getUint32(at + 16, true), tag) });
      } else {
        return E.INVAL;
      }
    }
    // Clocks already due fire with the descriptors; with nothing ready, sleep to the earliest one.
    const due = clocks.filter((c) => c.deadline <= c.now);
    if (ready.length === 0 && due.length === 0 && clocks.length > 0) {
      const first = clocks.reduce((a, b) => (b.deadline - b.now < a.deadline - a.now ? b : a));
      deps.sleep(first.deadline - first.now);
      due.push(...clocks.filter((c) => c.deadline - c.now <= first.deadline - first.now));
    }
    const events = [...ready, ...due.map((c) => ({ userdata: c.userdata, type: EVENTTYPE.CLOCK, error: 0, nbytes: 0n }))];
    events.forEach((ev, i) => {
      const at = (outPtr >>> 0) + i * EVENT_SIZE;
      m.bytes.fill(0, at, at + EVENT_SIZE);
      m.view.setBigUint64(at, ev.userdata, true);
      m.view.setUint16(at + 8, ev.error, true);
      m.view.setUint8(at + 10, ev.type);
      m.view.setBigUint64(at + 16, ev.nbytes, true);
    });
    m.view.setUint32(neventsPtr >>> 0, events.length, true);
    return E.SUCCESS;
  };
}

/**
 * @param {import('./vfs/context.mjs').FsContext} fs @param {number} fd @param {number} type
 * @returns {{ error: number, nbytes: bigint }}
 */
function fdReadiness(fs, fd, type) {
  const entry = fs.fds.get(fd);
  if (!entry) return { error: E.BADF, nbytes: 0n };
  const errno = needRights(fs, entry, R.POLL_FD_READWRITE, 'poll_oneoff', [fd]);
  if (errno) return { error: errno, nbytes: 0n };
  if (entry.kind === 'stdio') {
    if (type === 1 && entry.stream !== 0) return { error: E.BADF, nbytes: 0n };
    if (type === 2 && entry.stream === 0) return { error: E.BADF, nbytes: 0n };
    if (!fs.stdioGranted(entry.stream)) {
      const cap = entry.stream === 0 ? 'stdin' : entry.stream === 1 ? 'stdout' : 'stderr';
      return { error: fs.deny('poll_oneoff', cap, E.NOTCAPABLE, [fd]), nbytes: 0n };
    }
    return { error: 0, nbytes: type === 1 ? BigInt(fs.stdin.remaining()) : 0n };
  }
  if (entry.node.kind !== 'file') return { error: type === 1 ? 0 : E.BADF, nbytes: 0n };
  return { error: 0, nbytes: type === 1 ? BigInt(Math.max(0, entry.node.size - entry.pos)) : 0n };
}
