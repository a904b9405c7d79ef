/**
 * The jail each sandbox process runs in: bubblewrap with new user, PID, network, IPC, UTS and cgroup
 * namespaces, an empty network namespace, a read-only minimal root (the Node binary's folders and the
 * sandbox's own code), a private /tmp, all capabilities dropped, no_new_privs (bubblewrap always sets
 * it), and resource limits applied by prlimit inside the jail. Pure: builds the command line only.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { err, ok, type Result } from '../../result';

export interface JailTools {
  readonly bwrap: string;
  readonly prlimit: string;
  readonly node: string;
}

export interface JailSpec {
  readonly tools: JailTools;
  /** Host folder holding the sandbox code (server/core/sandbox), mounted read-only at /nightcore. */
  readonly sandboxDir: string;
  /** Open files the process may hold (the IPC channel, stdio, Node's own). */
  readonly maxOpenFiles: number;
  /** Script to run inside the jail (default: the runner); tests probe the jail with their own. */
  readonly entry?: string;
}

export const JAIL_SANDBOX_DIR = '/nightcore';
/** RLIMIT_NPROC of the jail's (unprivileged) user: a fork bomb stops here. */
export const JAIL_MAX_TASKS = 256;
/** The unprivileged user a jail runs as when the console runs as root (nobody:nogroup on Debian). */
export const JAIL_USER = { uid: 65534, gid: 65534 } as const;

const INSTALL_HINT = 'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and util-linux prlimit, or choose the worker-threads backend';

/** Finds the jail's tools; refuses (never falls back to weaker isolation) when one is missing. */
export function findJailTools(candidates: {
  bwrap?: string;
  prlimit?: string;
  node: string;
  /** Folders searched when no explicit path is given or it does not exist (default /usr/bin, /bin). */
  systemDirs?: readonly string[];
}): Result<JailTools, 'BACKEND_UNAVAILABLE'> {
  const dirs = candidates.systemDirs ?? ['/usr/bin', '/bin'];
  const find = (explicit: string | undefined, name: string) =>
    [explicit, ...dirs.map((d) => `${d}/${name}`)].find((p): p is string => !!p && existsSync(p));
  const bwrap = find(candidates.bwrap, 'bwrap');
  if (!bwrap) return err('BACKEND_UNAVAILABLE', `the process backend needs bubblewrap (bwrap), which is not installed: ${INSTALL_HINT}`);
  const prlimit = find(candidates.prlimit, 'prlimit');
  if (!prlimit) return err('BACKEND_UNAVAILABLE', `the process backend needs prlimit, which is not installed: ${INSTALL_HINT}`);
  return ok({ bwrap, prlimit, node: candidates.node });
}

/** The read-only folders the Node binary needs: its own folder, the system libraries. */
function runtimeMounts(node: string): string[] {
  const dirs = new Set(['/usr', '/lib', '/lib64', '/bin', dirname(node)]);
  const args: string[] = [];
  for (const d of [...dirs].sort()) if (existsSync(d)) args.push('--ro-bind', d, d);
  return args;
}

/** argv for spawn(tools.bwrap, argv): the runner inside the jail under resource limits. */
export function jailArgv(spec: JailSpec): string[] {
  const { tools } = spec;
  return [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'nightcore-sandbox',
    ...runtimeMounts(tools.node),
    '--ro-bind',
    spec.sandboxDir,
    JAIL_SANDBOX_DIR,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--chdir',
    '/tmp',
    '--',
    tools.prlimit,
    // No files written (the virtual filesystem is in memory), no core dumps, few descriptors, and a
    // bounded number of tasks for the jail's user (threads count too: Node needs about a dozen).
    '--fsize=0',
    '--core=0',
    `--nofile=${spec.maxOpenFiles}`,
    `--nproc=${JAIL_MAX_TASKS}`,
    '--',
    tools.node,
    '--no-warnings',
    spec.entry ?? `${JAIL_SANDBOX_DIR}/process/runner.mjs`,
  ];
}
