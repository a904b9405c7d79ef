/**
 * What the worker-threads backend really enforces, and the limits of each guarantee. The README's
 * assurance table is generated from this (scripts/assurance-table.ts; a test keeps them equal), so
 * change the words here, never in the README.
 */
import type { BackendDescription } from '../backend';

export const WORKER_THREADS: BackendDescription = {
  kind: 'worker-threads',
  title: 'Worker threads (default)',
  guarantees: [
    {
      id: 'instruction_budget',
      how: 'the module is rewritten before compiling: every basic block charges its instruction count to an i64 fuel global (function entry, loop headers, after branches and calls); below zero it traps, and `out_of_fuel` reports exactly the budget used',
      limits: 'host (WASI) calls cost 100 units each plus 1 per 8 bytes moved (calls from a start function are free); bulk memory operations cost 1 regardless of size (bounded by the memory cap and wall clock)',
    },
    {
      id: 'wall_clock',
      how: 'a timer per run; on expiry `Worker.terminate()` (the only thing that preempts a busy loop) and the worker is replaced',
      limits: 'fuel, memory and output of a timed-out run are reported as 0/empty',
    },
    {
      id: 'memory_cap',
      how: 'the module\'s memory maximum is clamped in the binary to `min(policy, manifest)` pages, so `memory.grow` fails past it; peak pages are reported',
      limits: 'worker `resourceLimits` do **not** cap wasm memory and are only used for the JS heap; shared memory, memory64 and multiple memories are refused',
    },
    {
      id: 'files_network',
      how: 'all 46 `wasi_snapshot_preview1` functions are linked and the grant (`fs.read`, `fs.write`, stdio, ...) is checked at every call: a refused call returns `NOTCAPABLE` and is recorded as a capability denial; preopened directories are in-memory copies per run that no path can leave (`..`, absolute paths, symlinks out, never-opened fds); `sock_*` never act and are recorded; imports from any other module are refused before running; `node:wasi` is not used',
      limits: 'files per run: 64 MiB and 20,000 files and directories (inputs included), 1,024 open descriptors',
    },
    {
      id: 'determinism',
      how: 'virtual clock (starts 2000-01-01, advances 1 ns per unit of fuel), random from xoshiro256** seeded per run (seed recorded), no threads or shared memory; `nightcore replay` checks it',
      limits: 'stack-overflow depth depends on V8\'s frame sizes (stable on one engine build, not across engines)',
    },
    {
      id: 'isolation',
      how: 'a fresh instance per run; workers that timed out, crashed or were killed are terminated and replaced',
      limits: 'workers share the console\'s process: no protection against V8 bugs or side channels',
    },
    {
      id: 'kill_switch',
      how: '`killAll` terminates every in-flight worker by the pool\'s own handles and rejects queued runs; audited',
      limits: 'the CLI runs one module per process, so the kill switch belongs to the long-running console',
    },
  ],
};
