/**
 * When the executor pool starts executors (issue 14): all or some at once, and one ahead of a run
 * whose preparation is still off-thread, so its start overlaps the preparation. Fake executors: the
 * test decides when each one says ready, answers or dies.
 */
import { describe, it, expect } from 'vitest';
import { createExecutorPool, type ExecutorEvents, type PrepareResult } from './executor-pool';
import { ok } from '../result';
import { WORKER_THREADS } from './worker-threads/guarantees';
import * as m from './test-modules';
import type { ToExecutor } from './executor-protocol';

interface Fake {
  readonly events: ExecutorEvents;
  readonly sent: ToExecutor[];
  terminated: boolean;
}

function fakePool(opts: { size: number; prespawn?: boolean | number; prepare?: () => PrepareResult<string> | Promise<PrepareResult<string>> }) {
  const spawned: Fake[] = [];
  const pool = createExecutorPool<string>({
    description: WORKER_THREADS,
    size: opts.size,
    queueLimit: 8,
    prespawn: opts.prespawn,
    spawn(events) {
      const fake: Fake = { events, sent: [], terminated: false };
      spawned.push(fake);
      return { send: (msg) => void fake.sent.push(msg), terminate: () => void (fake.terminated = true), ref() {}, unref() {} };
    },
    prepare: opts.prepare ?? (() => ok('prepared')),
    job: (_req, prepared) => ({ prepared }),
  });
  return { pool, spawned };
}

const report = { outcome: { kind: 'ok', exitCode: 0 }, fuelUsed: 1, peakMemoryPages: 1, stdout: new Uint8Array(0), stderr: new Uint8Array(0), outputTruncated: false, capabilityDenials: [], filesystem: [], recycle: false };
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
/** A preparation the test finishes when it likes. */
function deferred() {
  let finish!: (r: PrepareResult<string>) => void;
  const promise = new Promise<PrepareResult<string>>((r) => (finish = r));
  return { promise, finish };
}

describe('executor pool: when executors start', () => {
  it('starts none until first use by default, every one with prespawn true, and the given count with a number', async () => {
    expect(fakePool({ size: 3 }).spawned).toHaveLength(0);
    expect(fakePool({ size: 3, prespawn: true }).spawned).toHaveLength(3);
    expect(fakePool({ size: 3, prespawn: 1 }).spawned).toHaveLength(1);
    expect(fakePool({ size: 2, prespawn: 5 }).spawned).toHaveLength(2); // never more than the pool's size
    expect(fakePool({ size: 2, prespawn: -1 }).spawned).toHaveLength(0);
  });

  it('starts an executor while the run is still being prepared, and runs on it once both are done', async () => {
    const prep = deferred();
    const { pool, spawned } = fakePool({ size: 2, prepare: () => prep.promise });
    const run = pool.run(m.request(m.HELLO));
    expect(spawned).toHaveLength(1); // before the preparation has finished
    spawned[0]!.events.onMessage({ type: 'ready' });
    expect(spawned[0]!.sent).toHaveLength(0); // nothing to run yet
    prep.finish(ok('compiled'));
    await ticks(2);
    expect(spawned[0]!.sent).toEqual([{ type: 'run', id: 1, job: { prepared: 'compiled' } }]);
    spawned[0]!.events.onMessage({ type: 'done', id: 1, report });
    const r = await run;
    expect(r.ok && r.value.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(spawned).toHaveLength(1); // the one started ahead served the run
  });

  it('starts no extra executor ahead when one is idle or already starting', async () => {
    const { pool, spawned } = fakePool({ size: 4, prespawn: 1, prepare: () => deferred().promise });
    void pool.run(m.request(m.HELLO)); // the prespawned one, still starting, is enough for it
    expect(spawned).toHaveLength(1);
    void pool.run(m.request(m.HELLO)); // a second run being prepared needs a second executor
    expect(spawned).toHaveLength(2);
    spawned[0]!.events.onMessage({ type: 'ready' });
    spawned[1]!.events.onMessage({ type: 'ready' });
    void pool.run(m.request(m.HELLO));
    expect(spawned).toHaveLength(3);
    await pool.close();
  });

  it('does not restart, in a loop, an executor that cannot start while a preparation is pending', async () => {
    const prep = deferred();
    const { pool, spawned } = fakePool({ size: 2, prepare: () => prep.promise });
    const run = pool.run(m.request(m.HELLO));
    expect(spawned).toHaveLength(1);
    spawned[0]!.events.onDeath('bad entry'); // dies before ready
    await ticks(5);
    expect(spawned).toHaveLength(1); // not started again while the run is still being prepared
    prep.finish(ok('compiled'));
    await ticks(2);
    expect(spawned).toHaveLength(2); // the queued run starts one, which fails the same way...
    spawned[1]!.events.onDeath('bad entry');
    const r = await run; // ...and the run ends as crashed, with the reason
    expect(r.ok && r.value.outcome).toEqual({ kind: 'crashed', message: 'sandbox failed to start: bad entry' });
    await ticks(5);
    expect(spawned).toHaveLength(2);
  });

  it('a run refused by its preparation leaves the executor started ahead idle, for the next run', async () => {
    const prep = deferred();
    let calls = 0;
    const { pool, spawned } = fakePool({ size: 1, prepare: () => (++calls === 1 ? prep.promise : ok('next')) });
    const refused = pool.run(m.request(m.HELLO));
    spawned[0]!.events.onMessage({ type: 'ready' });
    prep.finish({ ok: false, code: 'LIMIT_EXCEEDED', message: 'initial memory above the cap' });
    expect(await refused).toMatchObject({ ok: true, value: { outcome: { kind: 'memory_limit' } } });
    const next = pool.run(m.request(m.HELLO));
    expect(spawned[0]!.sent).toEqual([{ type: 'run', id: 1, job: { prepared: 'next' } }]);
    spawned[0]!.events.onMessage({ type: 'done', id: 1, report });
    expect((await next).ok).toBe(true);
    expect(spawned).toHaveLength(1);
  });
});
