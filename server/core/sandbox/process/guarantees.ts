/**
 * What the process backend enforces, and the limits of each guarantee (the README's assurance table
 * is generated from this; see ../assurance.ts).
 */
import type { BackendDescription } from '../backend';
import { WORKER_THREADS } from '../worker-threads/guarantees';

const same = (id: string) => WORKER_THREADS.guarantees.find((g) => g.id === id)!;

export const PROCESS: BackendDescription = {
  kind: 'process',
  title: 'Jailed processes',
  guarantees: [
    { ...same('instruction_budget'), how: `the same instrumentation as the worker backend, in the jailed process: ${same('instruction_budget').how}` },
    {
      id: 'wall_clock',
      how: 'a timer per run in the console; on expiry the process (bubblewrap and everything in its PID namespace) is killed with SIGKILL and a pre-spawned one takes its place',
      limits: 'fuel, memory and output of a timed-out run are reported as 0/empty; a replacement process costs about 0.1 to 0.4 s to start, hidden by the pre-spawned pool while it lasts',
    },
    {
      id: 'memory_cap',
      how: 'the same clamp in the binary as the worker backend; the process also runs with RLIMIT_FSIZE 0, RLIMIT_CORE 0 and a small RLIMIT_NOFILE',
      limits: 'no RLIMIT_AS (V8 reserves large virtual ranges for wasm memories) and no cgroup limits on hosts without cgroup v2 controllers: the clamp is the memory cap',
    },
    {
      id: 'files_network',
      how: 'the same capability checks at every WASI call as the worker backend; in addition the process sees only a read-only root with the Node runtime and the sandbox code, a private /tmp, and an empty network namespace (loopback only, down)',
      limits: '—',
    },
    {
      ...same('determinism'),
      how: `the same host and seeded sources as the worker backend: ${same('determinism').how}`,
      limits: `${same('determinism').limits}; the jail runs the module in a worker thread with the worker backend's stack size and entry, so a stack overflow comes at the same depth (checked by the backend differential test)`,
    },
    {
      id: 'isolation',
      how: 'a separate OS process per executor inside bubblewrap: new user, PID, network, IPC, UTS and cgroup namespaces, all capabilities dropped, no_new_privs, a new session; run as the unprivileged user nobody when the console runs as root; at most 256 tasks for that user (a fork bomb stops there); the console, its database and its keys are not in the jail',
      limits: 'shares the host kernel (a kernel exploit escapes); requires unprivileged user namespaces',
    },
    {
      id: 'kill_switch',
      how: '`killAll` kills every busy process with SIGKILL and rejects queued runs; audited',
      limits: 'the CLI runs one module per process, so the kill switch belongs to the long-running console',
    },
  ],
};
