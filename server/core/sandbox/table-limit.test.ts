/**
 * Regression (issue 8): a module with a 10-million-element table aborted the whole process
 * ("Reached heap limit") instead of ending one run. The table cap is clamped into the binary and an
 * initial size above it is refused before the engine allocates anything.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { createSandboxPool } from './worker-threads/pool';
import { DEFAULT_WORKER_URL } from './worker-threads/worker-url';
import * as m from './test-modules';

const pool = createSandboxPool({ size: 1, workerUrl: DEFAULT_WORKER_URL });
afterAll(() => pool.close());

const ten = 10_000_000;

describe('table caps in the sandbox', () => {
  it('ends a 10M-element table module as memory_limit, and this process lives on', async () => {
    const wasm = m.wat(`(module (table ${ten} funcref) (memory 1) (func (export "_start")))`);
    const result = await pool.run(m.request(wasm, { capabilities: [] }));
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ outcome: { kind: 'memory_limit' }, fuelUsed: 0 }) });
    // The pool still serves the next run.
    const next = await pool.run(m.request(m.HELLO, { capabilities: ['stdout'] }));
    expect(next.ok && next.value.outcome).toEqual({ kind: 'ok', exitCode: 0 });
  });

  it('stops table.grow at the granted cap (the grow returns -1; the run itself is ok)', async () => {
    // Grows by the whole engine limit, then by the cap + 1, then by the cap - 10 (which fits).
    const wasm = m.wat(`(module
      (table $t 10 funcref)
      (func (export "_start")
        (if (i32.ne (table.grow $t (ref.null func) (i32.const ${ten})) (i32.const -1)) (then unreachable))
        (if (i32.ne (table.grow $t (ref.null func) (i32.const 1001)) (i32.const -1)) (then unreachable))
        (if (i32.ne (table.grow $t (ref.null func) (i32.const 990)) (i32.const 10)) (then unreachable))
        (if (i32.ne (table.size $t) (i32.const 1000)) (then unreachable))))`);
    const result = await pool.run(m.request(wasm, { capabilities: [], limits: { tableElements: 1000 } }));
    expect(result.ok && result.value.outcome).toEqual({ kind: 'ok', exitCode: 0 });
  });

  it('refuses a table that starts one element above the cap, and accepts one exactly at it', async () => {
    const at = (n: number) => m.wat(`(module (table ${n} funcref) (func (export "_start")))`);
    const over = await pool.run(m.request(at(501), { capabilities: [], limits: { tableElements: 500 } }));
    expect(over.ok && over.value.outcome).toEqual({ kind: 'memory_limit' });
    const exact = await pool.run(m.request(at(500), { capabilities: [], limits: { tableElements: 500 } }));
    expect(exact.ok && exact.value.outcome).toEqual({ kind: 'ok', exitCode: 0 });
  });
});
