// @ts-check
/**
 * fd_readdir's wire format: a stream of 24-byte dirents (d_next u64, d_ino u64, d_namlen u32,
 * d_type u8) each followed by its name, cut off at the buffer's end (a full buffer tells the caller
 * to grow it and ask again from the last cookie it saw). Cookie n = the n-th entry of the listing:
 * `.`, `..`, then the names in sorted order, so a listing is identical on every run.
 */
import { FILETYPE } from './constants.mjs';
import { filetypeOf } from './context.mjs';
import { sortedNames } from './tree.mjs';

const DIRENT_SIZE = 24;
const utf8 = new TextEncoder();

/**
 * @param {import('./tree.mjs').DirNode} dir @param {bigint} cookie @param {Uint8Array} out
 * @returns {number} bytes used (equal to out.length when the listing did not fit)
 */
export function readdirInto(dir, cookie, out) {
  const names = ['.', '..', ...sortedNames(dir)];
  let used = 0;
  for (let i = cookie; i < BigInt(names.length) && used < out.length; i++) {
    const name = names[Number(i)];
    const node = name === '.' || name === '..' ? dir : dir.entries.get(name);
    const bytes = utf8.encode(name);
    const header = new Uint8Array(DIRENT_SIZE);
    const h = new DataView(header.buffer);
    h.setBigUint64(0, i + 1n, true);
    h.setBigUint64(8, BigInt(node ? node.ino : 0), true);
    h.setUint32(16, bytes.length, true);
    h.setUint8(20, node ? filetypeOf(node) : FILETYPE.UNKNOWN);
    for (const chunk of [header, bytes]) {
      const n = Math.min(chunk.length, out.length - used);
      out.set(chunk.subarray(0, n), used);
      used += n;
    }
  }
  return used;
}
