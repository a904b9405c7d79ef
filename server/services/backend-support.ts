/**
 * What this host actually supports for each sandbox backend, checked rather than assumed: the
 * jail's tools present, unprivileged user namespaces working (a real bwrap start), cgroup v2
 * controllers available. `nightcore backends` prints it beside each backend's declared guarantees.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { findJailTools } from '../core/sandbox/process';

export interface HostSupport {
  readonly bubblewrap: string | null;
  readonly prlimit: string | null;
  /** A throwaway jail actually started here. */
  readonly userNamespaces: boolean;
  readonly cgroupV2Controllers: readonly string[];
  readonly processBackend: { readonly available: boolean; readonly reason: string };
}

export function probeHostSupport(): HostSupport {
  const tools = findJailTools({ node: process.execPath });
  const bubblewrap = ['/usr/bin/bwrap', '/bin/bwrap'].find((p) => existsSync(p)) ?? null;
  const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p)) ?? null;
  let userNamespaces = false;
  if (bubblewrap) {
    const r = spawnSync(bubblewrap, ['--unshare-user', '--unshare-pid', '--unshare-net', '--ro-bind', '/', '/', '--', '/bin/true'], { timeout: 10_000 });
    userNamespaces = r.status === 0;
  }
  let cgroupV2Controllers: string[] = [];
  try {
    cgroupV2Controllers = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    cgroupV2Controllers = [];
  }
  const available = tools.ok && userNamespaces;
  const reason = !tools.ok ? tools.message : userNamespaces ? 'bubblewrap starts jails here' : 'bubblewrap is installed but cannot create user namespaces on this host';
  return { bubblewrap, prlimit, userNamespaces, cgroupV2Controllers, processBackend: { available, reason } };
}
