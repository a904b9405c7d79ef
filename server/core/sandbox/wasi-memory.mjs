// @ts-check
/**
 * Bounds-checked access to the module's linear memory for host calls. Every pointer a module passes
 * is checked before use, so a bad pointer becomes EFAULT instead of a host exception. Views are
 * re-made per call because memory.grow detaches the old buffer.
 */

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * @typedef {{ view: DataView, bytes: Uint8Array }} Mem
 * @typedef {{ ptr: number, len: number }} Iovec
 */

/** @param {() => WebAssembly.Memory | null} getMemory @returns {Mem | null} */
export function memoryOf(getMemory) {
  const memory = getMemory();
  if (!memory) return null;
  return { view: new DataView(memory.buffer), bytes: new Uint8Array(memory.buffer) };
}

/** @param {Mem} m @param {number} ptr @param {number} len */
export const fits = (m, ptr, len) => (ptr >>> 0) + (len >>> 0) <= m.bytes.length;

/**
 * Reads an iovec/ciovec array; null when the array or any buffer lies outside memory.
 * @param {Mem} m @param {number} iovs @param {number} count @returns {Iovec[] | null}
 */
export function readIovecs(m, iovs, count) {
  const n = count >>> 0;
  if (!fits(m, iovs, n * 8) || n > 1024) return null;
  const out = [];
  for (let i = 0; i < n; i++) {
    const ptr = m.view.getUint32((iovs >>> 0) + i * 8, true);
    const len = m.view.getUint32((iovs >>> 0) + i * 8 + 4, true);
    if (!fits(m, ptr, len)) return null;
    out.push({ ptr, len });
  }
  return out;
}

/** @param {readonly Iovec[]} list */
export const iovecTotal = (list) => list.reduce((n, v) => n + v.len, 0);

/**
 * A UTF-8 path from guest memory: a string, or 'fault' / 'ilseq'.
 * @param {Mem} m @param {number} ptr @param {number} len @returns {string | 'fault' | 'ilseq'}
 */
export function readString(m, ptr, len) {
  if (!fits(m, ptr, len)) return 'fault';
  try {
    return decoder.decode(m.bytes.subarray(ptr >>> 0, (ptr >>> 0) + (len >>> 0)));
  } catch {
    return 'ilseq';
  }
}

/** Writes a u32 result if it fits; false otherwise. @param {Mem} m @param {number} ptr @param {number} value */
export function putU32(m, ptr, value) {
  if (!fits(m, ptr, 4)) return false;
  m.view.setUint32(ptr >>> 0, value >>> 0, true);
  return true;
}

/** @param {Mem} m @param {number} ptr @param {bigint} value */
export function putU64(m, ptr, value) {
  if (!fits(m, ptr, 8)) return false;
  m.view.setBigUint64(ptr >>> 0, BigInt.asUintN(64, value), true);
  return true;
}
