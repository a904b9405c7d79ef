// @ts-check
/**
 * The descriptor table of one run: stdio (0-2), the preopened directories (3...), and whatever the
 * module opens. A descriptor carries its own rights; a right the grant withheld is never present.
 */
import { DIR_RIGHTS, FILE_RIGHTS, R } from './constants.mjs';
import { MAX_OPEN_FDS } from './limits.mjs';

/**
 * @typedef {import('./tree.mjs').Node} Node
 * @typedef {{ kind: 'stdio', stream: 0 | 1 | 2, rightsBase: bigint, rightsInheriting: bigint, fdflags: number }} StdioFd
 * @typedef {{ kind: 'node', node: Node, pos: number, rightsBase: bigint, rightsInheriting: bigint, fdflags: number, preopen: string | null }} NodeFd
 * @typedef {StdioFd | NodeFd} Fd
 */

const STDIN_RIGHTS = R.FD_READ | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE;
const STDOUT_RIGHTS = R.FD_WRITE | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE;

/**
 * @param {{ guestPath: string, root: import('./tree.mjs').DirNode }[]} preopens
 * @param {bigint} withheld  rights the grant does not give (never present on any descriptor)
 */
export function createFdTable(preopens, withheld) {
  /** @type {Map<number, Fd>} */
  const fds = new Map();
  fds.set(0, { kind: 'stdio', stream: 0, rightsBase: STDIN_RIGHTS, rightsInheriting: 0n, fdflags: 0 });
  fds.set(1, { kind: 'stdio', stream: 1, rightsBase: STDOUT_RIGHTS, rightsInheriting: 0n, fdflags: 1 });
  fds.set(2, { kind: 'stdio', stream: 2, rightsBase: STDOUT_RIGHTS, rightsInheriting: 0n, fdflags: 1 });
  preopens.forEach((p, i) => {
    p.root.opens++;
    fds.set(3 + i, {
      kind: 'node',
      node: p.root,
      pos: 0,
      rightsBase: DIR_RIGHTS & ~withheld,
      rightsInheriting: (DIR_RIGHTS | FILE_RIGHTS) & ~withheld,
      fdflags: 0,
      preopen: p.guestPath,
    });
  });

  return {
    /** @param {number} fd */
    get: (fd) => fds.get(fd),
    /** Lowest free number (POSIX), or -1 when the table is full. @param {Fd} entry */
    add(entry) {
      if (fds.size >= MAX_OPEN_FDS) return -1;
      let n = 3;
      while (fds.has(n)) n++;
      fds.set(n, entry);
      if (entry.kind === 'node') entry.node.opens++;
      return n;
    },
    /** @param {number} fd @returns {Fd | undefined} the closed entry */
    close(fd) {
      const entry = fds.get(fd);
      if (!entry) return undefined;
      fds.delete(fd);
      if (entry.kind === 'node') entry.node.opens--;
      return entry;
    },
    /**
     * Moves `from` onto `to`; `to` must be open and is closed first.
     * @param {number} from @param {number} to
     * @returns {{ replaced: Fd | null } | null} null when either descriptor is not open
     */
    renumber(from, to) {
      const entry = fds.get(from);
      const target = fds.get(to);
      if (!entry || !target) return null;
      if (from === to) return { replaced: null };
      if (target.kind === 'node') target.node.opens--;
      fds.set(to, entry);
      fds.delete(from);
      return { replaced: target };
    },
  };
}

/** @typedef {ReturnType<typeof createFdTable>} FdTable */
