/**
 * `nightcore call` on the jailed process backend: the invocation crosses the process boundary (i64
 * as BigInt, NaN) and comes back with the same results and traps as on worker threads.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { createWorkerThreadsBackend } from '../worker-threads';
import { DEFAULT_WORKER_URL } from '../worker-threads/worker-url';
import { createProcessBackend } from './index';
import { callRequest } from '../test-programs';
import type { RunRequest } from '../types';

const made = createProcessBackend({ sandboxDir: dirname(dirname(fileURLToPath(import.meta.url))), node: process.execPath, size: 1 });
if (!made.ok) throw new Error(`${made.code}: ${made.message}`);
const jailed = made.value;
const threads = createWorkerThreadsBackend({ size: 1, workerUrl: DEFAULT_WORKER_URL });
afterAll(async () => {
  await jailed.close();
  await threads.close();
});

async function both(req: RunRequest) {
  const [a, b] = await Promise.all([jailed.run(req), threads.run(req)]);
  if (!a.ok || !b.ok) throw new Error('run failed');
  return [a.value, b.value] as const;
}

describe('calls on the process backend', () => {
  it('passes every value type across the process boundary and returns the same typed results', async () => {
    const req = callRequest('reactor', 'mix', { args: [{ type: 'i32', value: -1 }, { type: 'i64', value: 1n << 40n }, { type: 'f32', value: 0.5 }, { type: 'f64', value: 0.25 }], results: ['f64'] });
    const [jail, thread] = await both(req);
    expect(jail.returnValues).toEqual([{ type: 'f64', value: 2 ** 40 - 0.25 }]);
    expect(jail.returnValues).toEqual(thread.returnValues);
    expect(jail.fuelUsed).toBe(thread.fuelUsed);
    const [i64] = await both(callRequest('reactor', 'mul_i64', { args: [{ type: 'i64', value: -3n }, { type: 'i64', value: 1n << 62n }], results: ['i64'] }));
    // -3 × 2^62 wraps in 64 bits, exactly as wasm's i64.mul does.
    expect(i64.returnValues).toEqual([{ type: 'i64', value: BigInt.asIntN(64, -3n << 62n) }]);
  });

  it("reports AssemblyScript's abort with the same decoded message", async () => {
    const [jail, thread] = await both(callRequest('abort', 'check', { args: [{ type: 'i32', value: -5 }], results: ['i32'] }));
    expect(jail.outcome).toEqual({ kind: 'trap', trap: 'abort', message: 'n must be positive at abort.ts:8:3' });
    expect(jail.outcome).toEqual(thread.outcome);
  });
});
