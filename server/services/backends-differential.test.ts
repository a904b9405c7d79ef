/**
 * The differential test of the three backends over the real corpora: every runnable module of the
 * spec corpus (testdata/spec: per module its first numeric call and its first trapping call), all
 * 72 WASI conformance tests (testdata/wasi-testsuite) with their folders, and the limits (fuel
 * exhaustion, traps, memory caps, stack overflow, output truncation). Each request runs on
 * worker-threads, on the jailed process backend and on the remote backend (a real execution node
 * over HTTP on loopback, signed jobs and results); outcome, fuel, peak memory, output digests,
 * capability denials, return values (bit for bit) and the final folder must be identical.
 * One process, pooled backends, bounded concurrency: a couple of minutes on 2 cores.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, signEd25519, verifyEd25519 } from '../core/crypto/ed25519';
import { keyIdOf } from '../core/crypto/keys';
import { sha256Hex } from '../core/crypto/digest';
import { CAPABILITIES } from '../core/module/manifest';
import { createWorkerThreadsBackend } from '../core/sandbox/worker-threads';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import { createProcessBackend, sandboxDirOf } from '../core/sandbox/process';
import { createExecutionNode, createRemoteBackend } from '../core/sandbox/remote';
import type { SandboxBackend } from '../core/sandbox/backend';
import type { RunRequest, RunResult, WasmValue, WasmValueType } from '../core/sandbox/types';
import * as m from '../core/sandbox/test-modules';
import { WASI_SUITE_CASES } from '../core/sandbox/test-wasi-suite';
import { testPublisher } from '../core/sandbox/remote/test-signed';
import { snapshotHostDirs } from './host-dirs';
import { httpNodeTransport, startNodeServer } from './node-http';

const SPEC = join(__dirname, '../../testdata/spec');
const NUMERIC = new Set(['i32', 'i64', 'f32', 'f64']);

interface SpecValue { type: string; value: string }
interface SpecCase { file: string; invoke: { field: string; args: SpecValue[] }; expected?: SpecValue[]; trap?: string }

const scratch = new DataView(new ArrayBuffer(8));
function toValue({ type, value }: SpecValue): WasmValue {
  const bits = BigInt(value);
  switch (type) {
    case 'i32': return { type, value: Number(BigInt.asIntN(32, bits)) };
    case 'i64': return { type, value: BigInt.asIntN(64, bits) };
    case 'f32': scratch.setUint32(0, Number(bits)); return { type, value: scratch.getFloat32(0) };
    default: scratch.setBigUint64(0, bits); return { type: 'f64', value: scratch.getFloat64(0) };
  }
}

/** A value's exact bits, so -0 versus 0 (and any NaN payload) counts as a difference. */
function bitsOf(v: WasmValue): string {
  if (v.type === 'f32') return (scratch.setFloat32(0, v.value), `f32:${scratch.getUint32(0)}`);
  if (v.type === 'f64') return (scratch.setFloat64(0, v.value), `f64:${scratch.getBigUint64(0)}`);
  return `${v.type}:${v.value}`;
}

const LIMITS = { fuel: 1_000_000_000, memoryPages: 1024, wallMs: 20_000, outputBytes: 1 << 20 };

/** Per spec module: its first call with plain numeric arguments and results, and its first trapping one. */
function specRequests(): { name: string; req: RunRequest }[] {
  const cases = JSON.parse(readFileSync(join(SPEC, 'cases.json'), 'utf8')) as SpecCase[];
  const picked = new Map<string, SpecCase>();
  for (const c of cases) {
    const numeric = c.invoke.args.every((a) => NUMERIC.has(a.type)) && (c.expected ?? []).every((v) => NUMERIC.has(v.type));
    const key = `${c.file}#${c.trap === undefined ? 'return' : 'trap'}`;
    if (numeric && !picked.has(key)) picked.set(key, c);
  }
  const wasmOf = new Map<string, Uint8Array>();
  return [...picked.entries()].map(([key, c]) => {
    let wasm = wasmOf.get(c.file);
    if (!wasm) wasmOf.set(c.file, (wasm = new Uint8Array(readFileSync(join(SPEC, c.file)))));
    const req = m.request(wasm, {
      entry: c.invoke.field,
      capabilities: [],
      invoke: { args: c.invoke.args.map(toValue), results: (c.expected ?? []).map((v) => v.type as WasmValueType) },
      limits: LIMITS,
    });
    return { name: `spec ${key} ${c.invoke.field}`, req };
  });
}

function wasiRequests(): { name: string; req: RunRequest }[] {
  return WASI_SUITE_CASES.map(({ name, dir, file, spec }) => {
    const dirs = snapshotHostDirs(spec.root ? [{ host: join(dir, spec.root), guest: '/' }] : []);
    if (!dirs.ok) throw new Error(`${name}: ${dirs.message}`);
    const wasm = new Uint8Array(readFileSync(join(dir, file)));
    const req = m.request(wasm, {
      args: [file, ...(spec.args ?? [])],
      env: spec.env ?? {},
      capabilities: [...CAPABILITIES],
      seed: 7n,
      limits: { ...LIMITS, fuel: 20_000_000_000 },
      ...(dirs.value.length > 0 ? { preopens: dirs.value } : {}),
    });
    return { name: `wasi ${name}`, req };
  });
}

/** The limits and endings every backend must agree on. */
function limitRequests(): { name: string; req: RunRequest }[] {
  return [
    { name: 'fuel exhaustion', req: m.request(m.INFINITE_LOOP, { limits: { fuel: 200_000 } }) },
    { name: 'unreachable trap', req: m.request(m.UNREACHABLE) },
    { name: 'divide by zero trap', req: m.request(m.DIVIDE_BY_ZERO) },
    { name: 'stack overflow', req: m.request(m.DEEP_RECURSION, { limits: { fuel: 1e12 } }) },
    { name: 'memory cap: grow fails, module traps', req: m.request(m.memoryBomb('trap'), { limits: { memoryPages: 4 } }) },
    { name: 'memory cap: grow fails, module copes', req: m.request(m.memoryBomb('cope'), { limits: { memoryPages: 4 } }) },
    { name: 'memory cap: initial memory above the cap', req: m.request(m.HELLO, { limits: { memoryPages: 0 } }) },
    { name: 'exit code', req: m.request(m.EXIT_3) },
    { name: 'output truncated', req: m.request(m.chatty(200), { limits: { outputBytes: 100 } }) },
    { name: 'seeded random', req: m.request(m.RANDOM_32, { seed: 1234n }) },
    { name: 'stdin echo', req: m.request(m.ECHO_STDIN, { stdin: new TextEncoder().encode('the same on every backend') }) },
    { name: 'capability denials recorded', req: m.request(m.OPENS_FILES, { capabilities: [] }) },
  ];
}

/** Everything a decision record keeps about the execution, comparable across backends. */
function comparable(r: Awaited<ReturnType<SandboxBackend['run']>>) {
  if (!r.ok) return { refused: r.code, message: r.message };
  const v: RunResult = r.value;
  return {
    outcome: v.outcome,
    fuelUsed: v.fuelUsed,
    peakMemoryPages: v.peakMemoryPages,
    stdout: sha256Hex(v.stdout),
    stderr: sha256Hex(v.stderr),
    outputTruncated: v.outputTruncated,
    capabilityDenials: v.capabilityDenials,
    returnValues: v.returnValues?.map(bitsOf),
    filesystem: v.filesystem?.map((p) => ({ guestPath: p.guestPath, entries: p.entries.map((e) => (e.kind === 'file' ? { path: e.path, sha256: sha256Hex(e.data) } : e)) })),
  };
}

const closers: (() => Promise<unknown>)[] = [];
/** Every module is signed: the node verifies each one against its own trust store before running it. */
const publisher = testPublisher();
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

async function openBackends(): Promise<Record<'worker-threads' | 'process' | 'remote', SandboxBackend>> {
  const threads = createWorkerThreadsBackend({ size: 2, workerUrl: DEFAULT_WORKER_URL, queueLimit: 64 });
  closers.push(() => threads.close());
  const jailed = createProcessBackend({ sandboxDir: sandboxDirOf(DEFAULT_WORKER_URL), node: process.execPath, size: 2, queueLimit: 64, prespawn: true, moduleCacheEntries: 2048 });
  if (!jailed.ok) throw new Error(`${jailed.code}: ${jailed.message}`);
  closers.push(() => jailed.value.close());

  // The node: its own key, its own local backend, trusting exactly this console's key.
  const consoleKey = generateKeyPair();
  const nodeKey = generateKeyPair();
  const nodeLocal = createWorkerThreadsBackend({ size: 2, workerUrl: DEFAULT_WORKER_URL, queueLimit: 64 });
  closers.push(() => nodeLocal.close());
  const node = createExecutionNode({
    seed: nodeKey.seed,
    publicKey: nodeKey.publicKey,
    consoles: (id) => (id === keyIdOf(consoleKey.publicKey) ? consoleKey.publicKey : undefined),
    publishers: publisher.publishers,
    backend: nodeLocal,
    clock: () => new Date(),
    sign: signEd25519,
    verify: verifyEd25519,
  });
  const server = await startNodeServer(node, { host: '127.0.0.1', port: 0 });
  closers.push(() => server.close());
  const remote = createRemoteBackend({
    nodes: [{ keyid: node.keyid, url: server.url, capacity: 2 }],
    transport: httpNodeTransport(),
    consoleKeyid: keyIdOf(consoleKey.publicKey),
    nodeKey: (id) => (id === node.keyid ? nodeKey.publicKey : undefined),
    sign: (msg) => signEd25519(consoleKey.seed, msg),
    verify: verifyEd25519,
    clock: () => new Date(),
  });
  closers.push(() => remote.close());
  return { 'worker-threads': threads, process: jailed.value, remote };
}

/** Runs `work` over `items` with at most `width` at once. */
async function pooled<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

describe('differential: worker-threads, process (jailed) and remote (node over loopback) agree', () => {
  it('gives identical outcomes, fuel and output digests over the spec corpus, the WASI suite and the limits', async () => {
    const backends = await openBackends();
    const requests = [...limitRequests(), ...wasiRequests(), ...specRequests()].map(({ name, req }) => ({ name, req: publisher.signed(req) }));
    const mismatches: string[] = [];
    const tally = new Map<string, number>();
    const started = performance.now();
    await pooled(requests, 2, async ({ name, req }) => {
      const [threads, jailed, remote] = await Promise.all([backends['worker-threads'].run(req), backends.process.run(req), backends.remote.run(req)]);
      const [a, b, c] = [comparable(threads), comparable(jailed), comparable(remote)];
      const kind = threads.ok ? threads.value.outcome.kind : `refused ${threads.code}`;
      tally.set(kind, (tally.get(kind) ?? 0) + 1);
      // Even a stack overflow comes at the same depth: the jail runs the module in a worker thread
      // with the worker backend's stack size and entry (process/runner.mjs).
      const expected = JSON.stringify(a);
      if (JSON.stringify(b) !== expected) mismatches.push(`${name}: process ${JSON.stringify(b)} != worker ${expected}`);
      if (JSON.stringify(c) !== expected) mismatches.push(`${name}: remote ${JSON.stringify(c)} != worker ${expected}`);
      // Every run that reached a sandbox came back signed by the node (a request refused by the
      // backend-neutral checks never leaves the console).
      const executed = threads.ok && threads.value.outcome.kind !== 'denied';
      if (executed && remote.ok && remote.value.attestation === undefined) mismatches.push(`${name}: the remote result carries no node attestation`);
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const summary = [...tally.entries()].sort().map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`backend differential: ${requests.length} requests × 3 backends in ${seconds} s, ${mismatches.length} mismatches (${summary})`);
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The corpus really exercised every kind of ending, not only happy paths.
    for (const kind of ['ok', 'trap', 'out_of_fuel', 'memory_limit']) expect(tally.get(kind) ?? 0).toBeGreaterThan(0);
    expect(requests.length).toBeGreaterThan(800);
  }, 600_000);
});
