/**
 * The module-bytes protocol between the parent and a jail (module-courier.ts), driven through the
 * real executor pool against simulated jails in this process: an honest one (the real module store),
 * one that forgets (eviction, restart), and ones that lie. A run's stdout is the digest of the module
 * the jail ran, so "the result is for the right module" is checked, not assumed.
 */
import { describe, it, expect } from 'vitest';
import { ok } from '../../result';
import { createExecutorPool } from '../executor-pool';
import type { ExecutorEvents } from '../executor-pool';
import * as m from '../test-modules';
import type { RunRequest } from '../types';
import type { WorkerReport } from '../run-job';
import { courierExecutor, createModuleCourier, type CourierCounters } from './module-courier';
import { createModuleStore, digestOf } from './module-store.mjs';
import { PROCESS } from './guarantees';

type Behaviour =
  /** The real store: keyed by the digest it computes. */
  | 'honest'
  /** Loses every module after each run (an LRU that dropped it, a jail that restarted inside). */
  | 'forgetful'
  /** Keeps one module and runs it for any bytes-less run ("I have it"), echoing what it ran. */
  | 'runs-what-it-has'
  /** Asks for the bytes even when the run carried them. */
  | 'always-needs'
  /** Reports a run id it was never given. */
  | 'wrong-id';

const report = (stdout: string, kind: 'ok' | 'crashed' = 'ok'): WorkerReport => ({
  outcome: kind === 'ok' ? { kind: 'ok', exitCode: 0 } : { kind: 'crashed', message: stdout },
  fuelUsed: 1,
  peakMemoryPages: 1,
  stdout: new TextEncoder().encode(kind === 'ok' ? stdout : ''),
  stderr: new Uint8Array(0),
  outputTruncated: false,
  capabilityDenials: [],
  filesystem: [],
  recycle: false,
});

interface Jails {
  spawned: number;
  /** Messages each jail received, in order (bytes replaced by their length). */
  received: { digest: string; bytes: number | null }[];
}

function simulatedBackend(behaviour: Behaviour, opts: { size?: number } = {}) {
  const counters: CourierCounters = { withBytes: 0, withoutBytes: 0, resent: 0 };
  const jails: Jails = { spawned: 0, received: [] };
  const spawn = (events: ExecutorEvents) => {
    jails.spawned++;
    let store = createModuleStore(16);
    let last: { module: WebAssembly.Module; digest: string } | null = null;
    let killed = false;
    const reply = (message: unknown) => setImmediate(() => !killed && onJailMessage(message));
    const receive = (msg: { id: number; job: { moduleDigest: string; moduleBytes?: Uint8Array } }) => {
      const { moduleDigest, moduleBytes } = msg.job;
      jails.received.push({ digest: moduleDigest, bytes: moduleBytes?.length ?? null });
      if (behaviour === 'always-needs') return reply({ type: 'need', id: msg.id });
      if (behaviour === 'runs-what-it-has' && !moduleBytes && last) {
        return reply({ type: 'done', id: msg.id, moduleDigest: last.digest, report: report(last.digest) });
      }
      const taken = store.take(moduleDigest, moduleBytes);
      if (taken.kind === 'need') return reply({ type: 'need', id: msg.id });
      if (taken.kind === 'error') return reply({ type: 'done', id: msg.id, moduleDigest: null, report: report(taken.message, 'crashed') });
      last = taken;
      if (behaviour === 'forgetful') store = createModuleStore(16);
      reply({ type: 'done', id: behaviour === 'wrong-id' ? msg.id + 1000 : msg.id, moduleDigest: taken.digest, report: report(taken.digest) });
    };
    const courier = createModuleCourier({ jailEntries: 16, counters });
    const { executor, onJailMessage } = courierExecutor(
      {
        send: (message) => receive(message as Parameters<typeof receive>[0]),
        kill: () => {
          if (killed) return;
          killed = true;
          setImmediate(() => events.onDeath('killed'));
        },
        ref: () => {},
        unref: () => {},
      },
      courier,
      events,
    );
    setImmediate(() => events.onMessage({ type: 'ready' }));
    return executor;
  };
  const pool = createExecutorPool<{ digest: string; bytes: Uint8Array }>({
    description: PROCESS,
    size: opts.size ?? 1,
    queueLimit: 32,
    spawn,
    prepare: (req) => ok({ digest: digestOf(req.wasm), bytes: req.wasm }),
    job: (_req, p) => ({ moduleDigest: p.digest, moduleBytes: p.bytes }),
  });
  return { pool, counters, jails };
}

const A = m.request(m.says('module a'));
const B = m.request(m.says('module b'));
/** The digest of the module whose result this is (the simulated run prints it), or the crash. */
async function ranModule(pool: ReturnType<typeof simulatedBackend>['pool'], req: RunRequest): Promise<string> {
  const r = await pool.run(req);
  if (!r.ok) throw new Error(r.message);
  return r.value.outcome.kind === 'ok' ? new TextDecoder().decode(r.value.stdout) : `${r.value.outcome.kind}: ${'message' in r.value.outcome ? r.value.outcome.message : ''}`;
}

describe('sending module bytes only when the jail lacks them', () => {
  it('sends the bytes once per module and jail, then only the digest, with two modules alternating', async () => {
    const { pool, counters, jails } = simulatedBackend('honest');
    for (let i = 0; i < 6; i++) {
      const req = i % 2 ? B : A;
      expect(await ranModule(pool, req)).toBe(digestOf(req.wasm));
    }
    expect(jails.received.map((r) => r.bytes !== null)).toEqual([true, true, false, false, false, false]);
    expect(counters).toEqual({ withBytes: 2, withoutBytes: 4, resent: 0 });
    await pool.close();
  });

  it('resends the bytes when the jail no longer holds the module, and the run is correct', async () => {
    const { pool, counters, jails } = simulatedBackend('forgetful');
    for (const req of [A, A, B, A]) expect(await ranModule(pool, req)).toBe(digestOf(req.wasm));
    // A (bytes), A (digest only → need → bytes), B (bytes), A (digest only → need → bytes)
    expect(jails.received.map((r) => r.bytes !== null)).toEqual([true, false, true, true, false, true]);
    expect(counters.resent).toBe(2);
    await pool.close();
  });

  it('a jail that replaced the module with another one it holds gets no result through: the run crashes and the jail is replaced', async () => {
    const { pool, jails } = simulatedBackend('runs-what-it-has');
    expect(await ranModule(pool, A)).toBe(digestOf(A.wasm));
    expect(await ranModule(pool, B)).toBe(digestOf(B.wasm)); // bytes sent: it runs B
    const lied = await ranModule(pool, A); // digest only: it runs B and says so
    expect(lied).toMatch(/^crashed: sandbox process broke the protocol: reported a run of module [0-9a-f]{64} for a run of [0-9a-f]{64}$/);
    // The fresh jail holds nothing: it is sent the bytes and runs the right module.
    expect(await ranModule(pool, A)).toBe(digestOf(A.wasm));
    expect(jails.spawned).toBe(2);
    expect(jails.received.at(-1)!.bytes).toBe(A.wasm.length);
    await pool.close();
  });

  it('a jail asking for bytes it was just sent, or reporting a run it was not given, ends the run as crashed (no loop, no result)', async () => {
    const needy = simulatedBackend('always-needs');
    expect(await ranModule(needy.pool, A)).toMatch(/^crashed: sandbox process broke the protocol: asked again for the bytes of run 1/);
    expect(needy.jails.received).toHaveLength(1);
    await needy.pool.close();
    const stray = simulatedBackend('wrong-id');
    expect(await ranModule(stray.pool, A)).toMatch(/^crashed: sandbox process broke the protocol: reported run 1001, which it is not running/);
    await stray.pool.close();
  });

  it('a jail never runs bytes under a digest they do not have: the parent\'s digest is checked by the jail', async () => {
    // A prepare that names A's digest for B's bytes (a bug in the parent) is refused by the jail.
    const forged = createExecutorPool<{ digest: string; bytes: Uint8Array }>({
      description: PROCESS, size: 1, queueLimit: 1,
      spawn: (events) => {
        const store = createModuleStore(16);
        const courier = createModuleCourier({ jailEntries: 16, counters: { withBytes: 0, withoutBytes: 0, resent: 0 } });
        const { executor, onJailMessage } = courierExecutor({
          send: (msg) => {
            const { id, job } = msg as { id: number; job: { moduleDigest: string; moduleBytes?: Uint8Array } };
            const t = store.take(job.moduleDigest, job.moduleBytes);
            setImmediate(() => onJailMessage(t.kind === 'error'
              ? { type: 'done', id, moduleDigest: null, report: report(t.message, 'crashed') }
              : { type: 'done', id, moduleDigest: t.kind === 'module' ? t.digest : null, report: report('ran') }));
          },
          kill: () => {}, ref: () => {}, unref: () => {},
        }, courier, events);
        setImmediate(() => events.onMessage({ type: 'ready' }));
        return executor;
      },
      prepare: () => ok({ digest: digestOf(A.wasm), bytes: B.wasm }),
      job: (_req, p) => ({ moduleDigest: p.digest, moduleBytes: p.bytes }),
    });
    expect(await ranModule(forged, A)).toMatch(/^crashed: the module's bytes have digest [0-9a-f]{64}, not [0-9a-f]{64}$/);
    await forged.close();
  });

  it('8 runs in flight over 2 jails, two modules: every result is its own module\'s, each jail sent each module once', async () => {
    const { pool, counters } = simulatedBackend('honest', { size: 2 });
    const reqs = Array.from({ length: 40 }, (_, i) => (i % 3 ? A : B));
    const results: string[] = [];
    for (let i = 0; i < reqs.length; i += 8) results.push(...(await Promise.all(reqs.slice(i, i + 8).map((r) => ranModule(pool, r)))));
    expect(results).toEqual(reqs.map((r) => digestOf(r.wasm)));
    expect(counters.withBytes).toBeLessThanOrEqual(4);
    expect(counters.withBytes + counters.withoutBytes).toBe(40);
    await pool.close();
  });
});
