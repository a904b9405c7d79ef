/** The preparation thread end to end: the services' entry (loaded from its bundle) driven by the core's createWasmPreparer. */
import { describe, it, expect, afterAll } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createWasmPreparer } from '../core/sandbox/instrument/off-thread';
import { DEFAULT_INSTRUMENT_WORKER_URL } from './instrument-worker-url';
import { instantiateMetered, wat } from '../core/sandbox/instrument/testkit';
import { manyFunctions } from '../core/sandbox/instrument/many-functions';

const caps = { maxMemoryPages: 4, maxTableElements: 100 };
const preparer = createWasmPreparer({ workerUrl: DEFAULT_INSTRUMENT_WORKER_URL, timeoutMs: 60_000, maxBytes: 8 * 1024 * 1024 });
afterAll(() => preparer.close());

describe('preparation off the main thread', () => {
  it('starts from its bundle, not from TypeScript through tsx (about 400 ms per start, issue 14)', async () => {
    const w = new Worker(DEFAULT_INSTRUMENT_WORKER_URL, { execArgv: [], env: {} });
    try {
      const ready = await new Promise((done, fail) => {
        w.once('message', done);
        w.once('error', fail);
      });
      expect(ready).toEqual({ type: 'ready', loadedFrom: 'bundle' });
    } finally {
      await w.terminate();
    }
  });

  it('instruments, compiles and inspects on the other thread; the module runs metered here', async () => {
    const wasm = await wat(`(module (memory 1) (func (export "f") (result i32) i32.const 7))`);
    const r = await preparer.instrument(wasm, caps, null, true);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.fresh).toBe(true);
    expect(r.value.report?.exports.map((e) => e.name)).toEqual(['f']);
    expect(r.value.artefact.memory).toEqual({ source: 'defined', initialPages: 1, maxPages: 4 });
    const run = instantiateMetered(r.value.module, 100n);
    expect((run.exports.f as () => number)()).toBe(7);
    expect(run.accounting()).toEqual({ outOfFuel: false, fuelUsed: 2n });

    // A persisted artefact is compiled as it is, not instrumented again.
    const again = await preparer.instrument(wasm, caps, r.value.artefact);
    expect(again.ok && again.value.fresh).toBe(false);
    expect(again.ok && [...again.value.artefact.bytes]).toEqual([...r.value.artefact.bytes]);
  });

  it('answers with the instrumenter\'s own refusals, and inspects malformed bytes as a failure', async () => {
    const big = await wat(`(module (memory 9))`);
    expect(await preparer.instrument(big, caps)).toMatchObject({ ok: false, code: 'LIMIT_EXCEEDED' });
    expect(await preparer.inspect(new Uint8Array([1, 2, 3]))).toMatchObject({ ok: false, code: 'INSPECT_FAILED' });
  });

  it('refuses a module over the size bound without starting any work', async () => {
    const small = createWasmPreparer({ workerUrl: DEFAULT_INSTRUMENT_WORKER_URL, timeoutMs: 1000, maxBytes: 16 });
    expect(await small.instrument(new Uint8Array(17), caps)).toMatchObject({ ok: false, code: 'TOO_LARGE' });
    await small.close();
  });

  it('ends a job past the time bound as TIMEOUT, and the next job still runs', async () => {
    const slow = createWasmPreparer({ workerUrl: DEFAULT_INSTRUMENT_WORKER_URL, timeoutMs: 50, maxBytes: 64 * 1024 * 1024 });
    // Started once so the timer measures only the job (not the thread's start and warm-up).
    expect((await slow.inspect(await wat('(module)'))).ok).toBe(true);
    const r = await slow.instrument(manyFunctions(300_000), caps);
    expect(r).toMatchObject({ ok: false, code: 'TIMEOUT' });
    expect((await slow.inspect(await wat('(module)'))).ok).toBe(true);
    await slow.close();
  }, 60_000);
});
