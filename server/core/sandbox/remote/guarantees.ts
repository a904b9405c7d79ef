/**
 * What the remote backend enforces, and its limits (the README's assurance table is generated from
 * this; see ../assurance.ts).
 */
import type { BackendDescription } from '../backend';

export const REMOTE: BackendDescription = {
  kind: 'remote',
  title: 'Remote execution nodes',
  guarantees: [
    {
      id: 'instruction_budget',
      how: 'the node runs the job on its own worker or process backend with the same fuel instrumentation; the budget is part of the signed job',
      limits: 'as the node\'s local backend',
    },
    {
      id: 'wall_clock',
      how: 'the node kills the run at the signed limit; the console gives up 5 s later, records a `timeout` and sends the node a signed cancel order',
      limits: 'a node that ignores its limit and the cancel order holds its own capacity, never the console\'s',
    },
    {
      id: 'memory_cap',
      how: 'the signed job carries the limits; the node\'s backend clamps memory in the binary as locally',
      limits: 'as the node\'s local backend',
    },
    {
      id: 'files_network',
      how: 'the same WASI capability checks at every call, on the node; a process-backend node adds its jail (no host files, empty network namespace)',
      limits: 'as the node\'s local backend',
    },
    {
      id: 'determinism',
      how: 'the seed, arguments, environment and stdin digest are in the signed job; the node signs the outcome, fuel and output digests, so `nightcore replay` compares like for like',
      limits: 'as the node\'s local backend; nodes on another V8 build may overflow the stack at another depth',
    },
    {
      id: 'isolation',
      how: 'a separate machine: jobs are Ed25519-signed by the console (expiring, single use, bound to one node); the node verifies every module again against its own trust store (`--publisher-key`) and signs its result or refusal, which is checked before it counts, kept in the decision record and checked again by `audit verify` and `replay`',
      limits: 'a compromised node can lie about what the module did (its signature then proves which node lied); module bytes and stdin travel to the node; health reports only steer dispatch and are not signed',
    },
    {
      id: 'kill_switch',
      how: '`killAll` abandons every in-flight job at once, records it as killed, and sends each node a cancel order signed by the console; the node stops that job on its own backend at once',
      limits: 'a node that cannot be reached stops the job only at its signed wall-clock limit',
    },
  ],
};
