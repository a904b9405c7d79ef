/**
 * Module bytes cross to the jail only when it lacks them, for real: the runner (runner.mjs) spoken to
 * directly, then the process backend in bubblewrap jails with eviction, a killed jail, two modules
 * alternating and 8 runs in flight. Every result's stdout is checked against its own module's.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import * as m from '../test-modules';
import { mustInstrument } from '../instrument/testkit';
import { jobFields } from '../run-job';
import type { SandboxBackend } from '../backend';
import { createProcessBackend } from './index';
import { digestOf, JAIL_MODULE_ENTRIES } from './module-store.mjs';

const sandboxDir = dirname(dirname(fileURLToPath(import.meta.url)));
const opened: SandboxBackend[] = [];
function backend(size: number): SandboxBackend {
  const made = createProcessBackend({ sandboxDir, node: process.execPath, size });
  if (!made.ok) throw new Error(`${made.code}: ${made.message}`);
  opened.push(made.value);
  return made.value;
}
afterAll(async () => {
  for (const b of opened) await b.close();
});

const text = (i: number) => `module number ${i}`;
const modules = Array.from({ length: JAIL_MODULE_ENTRIES + 1 }, (_, i) => m.request(m.says(text(i))));
async function runs(b: SandboxBackend, i: number): Promise<void> {
  const r = await b.run(modules[i]!);
  if (!r.ok) throw new Error(r.message);
  expect(r.value.outcome).toEqual({ kind: 'ok', exitCode: 0 });
  expect(new TextDecoder().decode(r.value.stdout)).toBe(`${text(i)}\n`);
}
const sent = (b: SandboxBackend) => {
  const d = b.stats().detail ?? {};
  return { withBytes: d.runsWithModuleBytes, withoutBytes: d.runsWithoutModuleBytes, resent: d.moduleBytesResent };
};

describe('the runner speaks the protocol (no jail, the same entry)', () => {
  it('asks for bytes it lacks, refuses bytes under another digest, then runs by digest alone', async () => {
    const child = fork(fileURLToPath(new URL('./runner.mjs', import.meta.url)), [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const messages: unknown[] = [];
    const waiters: ((m: unknown) => void)[] = [];
    child.on('message', (msg) => (waiters.length ? waiters.shift()!(msg) : messages.push(msg)));
    const next = () => new Promise<any>((resolve) => (messages.length ? resolve(messages.shift()) : waiters.push(resolve)));
    try {
      expect(await next()).toEqual({ type: 'ready' });
      const req = modules[0]!;
      const { bytes, memoryExport } = mustInstrument(req.wasm, req.limits.memoryPages);
      const digest = digestOf(bytes);
      const job = { ...jobFields(req), memoryExport, moduleDigest: digest };
      child.send({ type: 'run', id: 1, job });
      expect(await next()).toEqual({ type: 'need', id: 1 });
      const other = mustInstrument(modules[1]!.wasm).bytes;
      child.send({ type: 'run', id: 2, job: { ...job, moduleBytes: other } });
      const refused = await next();
      expect(refused).toMatchObject({ type: 'done', id: 2, moduleDigest: null, report: { outcome: { kind: 'crashed' } } });
      expect(refused.report.outcome.message).toContain(`not ${digest}`);
      child.send({ type: 'run', id: 3, job });
      expect(await next()).toEqual({ type: 'need', id: 3 }); // the refused bytes were not kept under either digest
      child.send({ type: 'run', id: 4, job: { ...job, moduleBytes: bytes } });
      const first = await next();
      expect(first).toMatchObject({ type: 'done', id: 4, moduleDigest: digest, report: { outcome: { kind: 'ok', exitCode: 0 } } });
      expect(new TextDecoder().decode(first.report.stdout)).toBe(`${text(0)}\n`);
      child.send({ type: 'run', id: 5, job });
      const byDigest = await next();
      expect(byDigest).toMatchObject({ type: 'done', id: 5, moduleDigest: digest });
      expect(new TextDecoder().decode(byDigest.report.stdout)).toBe(`${text(0)}\n`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('module bytes on the process backend', () => {
  it('two modules alternating: each jail is sent each module once, every result is its own', async () => {
    const b = backend(1);
    for (let i = 0; i < 6; i++) await runs(b, i % 2);
    expect(sent(b)).toEqual({ withBytes: 2, withoutBytes: 4, resent: 0 });
  });

  it('a module evicted from the jail\'s cache is sent again and runs correctly', async () => {
    const b = backend(1);
    for (let i = 0; i <= JAIL_MODULE_ENTRIES; i++) await runs(b, i); // the last one evicts module 0
    await runs(b, JAIL_MODULE_ENTRIES); // still held
    await runs(b, 0);
    expect(sent(b)).toEqual({ withBytes: JAIL_MODULE_ENTRIES + 2, withoutBytes: 1, resent: 0 });
  });

  it('a killed jail is replaced and its successor is sent the bytes', async () => {
    const b = backend(1);
    await runs(b, 0);
    await runs(b, 0);
    const r = await b.run(m.request(m.INFINITE_LOOP, { limits: { fuel: 1e15, wallMs: 200 } }));
    expect(r.ok && r.value.outcome).toEqual({ kind: 'timeout' });
    await runs(b, 0);
    // module 0 with bytes, by digest, the loop with bytes, module 0 with bytes again in the new jail
    expect(sent(b)).toEqual({ withBytes: 3, withoutBytes: 1, resent: 0 });
    expect(b.stats().detail?.replaced).toBe(1);
  });

  it('8 runs in flight over 2 jails, two modules: every result is its own module\'s', async () => {
    const b = backend(2);
    const order = Array.from({ length: 48 }, (_, i) => (i % 3 ? 0 : 1));
    for (let i = 0; i < order.length; i += 8) await Promise.all(order.slice(i, i + 8).map((k) => runs(b, k)));
    const s = sent(b);
    expect(s.withBytes).toBeLessThanOrEqual(4); // at most each module once per jail
    expect(s.withBytes! + s.withoutBytes!).toBe(order.length);
    expect(b.stats().crashes).toBe(0);
  });
});
