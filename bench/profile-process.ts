/**
 * Profiling driver (not a bench): the sandbox alone (no governance) on the process backend, for
 * `node --cpu-prof --cpu-prof-dir=DIR bin/run-ts.mjs bench/profile-process.ts [program=rust-wordcount] [runs=2000]`.
 * Prints the per-run p50 of the process and worker-thread backends (taking turns, batches of 100),
 * and what a process-backend run sends over the jail's IPC channel when the jail lacks the module: the
 * job with the instrumented module's bytes (before issue 14's change every run carried them; now only a
 * jail's first run of a module does, the others carry its digest), timed through v8.serialize as the
 * channel's advanced serialization does, and the round trip of that message over a plain IPC channel (a
 * child that echoes a small reply; no jail, no run) against the same message without the bytes.
 * What it showed is recorded in bench/README.md ("Issue 14: real workloads and the process backend").
 */
import os from 'node:os';
import { serialize, deserialize } from 'node:v8';
import { fork, type Serializable } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createProcessBackend, sandboxDirOf } from '../server/core/sandbox/process';
import { createWorkerThreadsBackend } from '../server/core/sandbox/worker-threads';
import { DEFAULT_WORKER_URL } from '../server/core/sandbox/worker-threads/worker-url';
import { request } from '../server/core/sandbox/test-modules';
import { mustInstrument } from '../server/core/sandbox/instrument/testkit';
import { jobFields } from '../server/core/sandbox/run-job';
import { DEFAULT_LIMITS } from '../server/core/module/sign';
import type { SandboxBackend } from '../server/core/sandbox/backend';
import { loadTree } from './cold-workloads';

const id = process.argv[2] ?? 'rust-wordcount';
const runs = Number(process.argv[3] ?? 2000);
const w = (await loadTree(fileURLToPath(new URL('..', import.meta.url)))).workloads.find((x) => x.id === id);
if (!w) throw new Error(`no program ${id}`);
const req = request(w.wasm, {
  capabilities: w.capabilities, args: [w.id, ...(w.input.args ?? [])], stdin: w.input.stdin ?? new Uint8Array(0), seed: w.input.seed ?? 1n,
  limits: { ...DEFAULT_LIMITS, memoryPages: w.memoryPages ?? DEFAULT_LIMITS.memoryPages },
});
const made = createProcessBackend({ size: os.availableParallelism(), sandboxDir: sandboxDirOf(DEFAULT_WORKER_URL), node: process.execPath, prespawn: true });
if (!made.ok) throw new Error(made.message);
const backends: Record<string, SandboxBackend> = { process: made.value, 'worker-threads': createWorkerThreadsBackend({ size: os.availableParallelism(), workerUrl: DEFAULT_WORKER_URL }) };
const lat: Record<string, number[]> = { process: [], 'worker-threads': [] };
const once = async (name: string) => {
  const t = performance.now();
  const r = await backends[name]!.run(req);
  lat[name]!.push(performance.now() - t);
  if (!r.ok || r.value.outcome.kind !== 'ok' || !w.stdout.test(Buffer.from(r.value.stdout).toString())) throw new Error(`${name}: ${JSON.stringify(r.ok ? r.value.outcome : r)}`);
};
for (const name of Object.keys(backends)) for (let i = 0; i < 100; i++) await once(name);
for (const name of Object.keys(lat)) lat[name] = [];
for (let round = 0; round < runs / 100; round++) for (const name of round % 2 ? ['process', 'worker-threads'] : ['worker-threads', 'process']) for (let i = 0; i < 100; i++) await once(name);
for (const b of Object.values(backends)) await b.close();

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bytes = mustInstrument(w.wasm, req.limits.memoryPages).bytes;
const message = { type: 'run', id: 1, job: { ...jobFields(req), moduleDigest: req.wasmSha256, moduleBytes: bytes, memoryExport: 'memory' } };
const ser: number[] = [];
const de: number[] = [];
let size = 0;
for (let i = 0; i < 2000; i++) {
  let t = performance.now();
  const buf = serialize(message);
  ser.push(performance.now() - t);
  size = buf.length;
  t = performance.now();
  deserialize(buf);
  de.push(performance.now() - t);
}
/** p50 of sending `msg` to an echoing child over an advanced-serialization IPC channel and getting a small reply. */
async function roundTrip(msg: Serializable, n = 1000): Promise<number> {
  const child = fork('-e', ["process.on('message', (m) => process.send({ type: 'done', id: m.id }))"], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await new Promise<void>((resolve) => { child.once('message', () => resolve()); child.send(msg); });
    times.push(performance.now() - t);
  }
  child.kill();
  return p50(times);
}
const { moduleBytes: _bytes, ...withoutBytes } = message.job;
const ipcWithBytes = await roundTrip(message);
const ipcWithoutBytes = await roundTrip({ ...message, job: withoutBytes });
console.log(JSON.stringify({
  ipcRoundTripP50Ms: { withModuleBytes: ipcWithBytes, withoutModuleBytes: ipcWithoutBytes },
  program: w.title, runs, loadAverage1m: os.loadavg()[0],
  p50Ms: { process: p50(lat.process!), workerThreads: p50(lat['worker-threads']!) },
  jobMessageBytes: size, instrumentedModuleBytes: bytes.length, stdinBytes: req.stdin.length,
  serializeP50Ms: p50(ser), deserializeP50Ms: p50(de),
}, null, 2));
