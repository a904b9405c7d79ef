// @ts-check
/**
 * What the descriptor and path functions share: the tree, the descriptor table, memory access, the
 * denial recorder and the per-byte fuel charge. Built once per run by wasi-host.mjs.
 */
import { E, FILETYPE, WRITE_RIGHTS } from './constants.mjs';

/**
 * @typedef {import('./tree.mjs').Node} Node
 * @typedef {import('./fd-table.mjs').Fd} Fd
 * @typedef {import('./fd-table.mjs').NodeFd} NodeFd
 * @typedef {object} FsContext
 * @property {import('./tree.mjs').Vfs} vfs
 * @property {import('./fd-table.mjs').FdTable} fds
 * @property {() => import('../wasi-memory.mjs').Mem | null} mem
 * @property {bigint} withheld    rights no descriptor has because the grant does not give them
 * @property {(fn: string, capability: string | null, errno: number, args: readonly unknown[]) => number} deny
 * @property {(bytes: number) => void} chargeBytes
 * @property {(stream: 0 | 1 | 2) => boolean} stdioGranted
 * @property {{ read: (dst: Uint8Array) => number, remaining: () => number }} stdin
 * @property {(stream: 1 | 2, bytes: Uint8Array) => void} output
 */

/** The capability whose absence withholds `right`. @param {bigint} right */
export const capabilityFor = (right) => ((right & WRITE_RIGHTS) !== 0n ? 'fs.write' : 'fs.read');

/**
 * NOTCAPABLE unless `fd` holds every bit of `rights`; a missing right the grant withheld (rather
 * than one the module dropped itself) is recorded as a capability denial.
 * @param {FsContext} ctx @param {Fd} fd @param {bigint} rights @param {string} fn @param {readonly unknown[]} args
 */
export function needRights(ctx, fd, rights, fn, args) {
  const missing = rights & ~fd.rightsBase;
  if (missing === 0n) return E.SUCCESS;
  const withheld = missing & ctx.withheld;
  if (withheld !== 0n) return ctx.deny(fn, capabilityFor(withheld), E.NOTCAPABLE, args);
  return E.NOTCAPABLE;
}

/** The same check for rights a new descriptor would need. @param {FsContext} ctx @param {bigint} missing @param {string} fn @param {readonly unknown[]} args */
export function refuseRights(ctx, missing, fn, args) {
  const withheld = missing & ctx.withheld;
  if (withheld !== 0n) return ctx.deny(fn, capabilityFor(withheld), E.NOTCAPABLE, args);
  return E.NOTCAPABLE;
}

/** @param {Node} node */
export const filetypeOf = (node) =>
  node.kind === 'dir' ? FILETYPE.DIRECTORY : node.kind === 'file' ? FILETYPE.REGULAR_FILE : FILETYPE.SYMBOLIC_LINK;

/** Every node lives on one virtual device. */
export const VFS_DEVICE = 1n;

/** Writes a 64-byte filestat. @param {import('../wasi-memory.mjs').Mem} m @param {number} at @param {Node | null} node */
export function writeFilestat(m, at, node) {
  m.bytes.fill(0, at, at + 64);
  if (!node) return; // stdio: an unknown-type stream with no size or times
  const size = node.kind === 'file' ? node.size : node.kind === 'symlink' ? new TextEncoder().encode(node.target).length : node.entries.size;
  m.view.setBigUint64(at, VFS_DEVICE, true);
  m.view.setBigUint64(at + 8, BigInt(node.ino), true);
  m.view.setUint8(at + 16, filetypeOf(node));
  m.view.setBigUint64(at + 24, BigInt(Math.max(node.nlink, 0)), true);
  m.view.setBigUint64(at + 32, BigInt(size), true);
  m.view.setBigUint64(at + 40, node.atim, true);
  m.view.setBigUint64(at + 48, node.mtim, true);
  m.view.setBigUint64(at + 56, node.ctim, true);
}

