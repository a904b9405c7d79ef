/**
 * The parent's side of sending modules to one jail (runner.mjs, module-store.mjs): a run carries the
 * instrumented bytes only when this jail may lack them. The parent mirrors the jail's LRU of digests
 * (the same size and order: runs reach the jail one at a time, in the order sent), so in the steady
 * state a run carries only the digest. When the mirror is wrong (a compile that failed in the jail),
 * the jail answers `need` and the run is resent with the bytes: one extra round trip, never a failure.
 *
 * Fail-safe by construction: the digest is computed by the parent from the bytes it made, and the
 * jail keys its cache on the digest it computes itself from bytes it received from this parent, so
 * a bytes-less run can only ever meet the module made from those bytes. The jail echoes the digest of
 * the module it ran and the parent refuses a report for any other digest (a confused or stale jail
 * gives a crashed run and is replaced, never another module's result). A jail that is fully
 * compromised can forge any report with or without this protocol; that is the jail's own isolation's
 * job, not this one's. A restarted jail is a new executor with an empty mirror.
 */
import type { WorkerReport } from '../run-job';
import type { Executor, ExecutorEvents } from '../executor-pool';

/** The job fields this protocol reads; the rest goes to the jail unchanged. */
export interface ModuleJob {
  /** SHA-256 (hex) of moduleBytes, computed by the parent. */
  readonly moduleDigest: string;
  readonly moduleBytes: Uint8Array;
}

export interface CourierCounters {
  /** Runs sent with the module's bytes / with its digest only. */
  withBytes: number;
  withoutBytes: number;
  /** Runs resent with the bytes because the jail did not hold them. */
  resent: number;
}

export interface CourierOptions {
  /** Digests the jail keeps (JAIL_MODULE_ENTRIES): the mirror's size. */
  readonly jailEntries: number;
  readonly counters: CourierCounters;
}

type Run = { readonly type: 'run'; readonly id: number; readonly job: ModuleJob };

/** What to do with a message from the jail. */
export type Incoming =
  | { readonly kind: 'forward'; readonly message: unknown }
  | { readonly kind: 'resend'; readonly message: Run }
  | { readonly kind: 'violation'; readonly reason: string };

export interface ModuleCourier {
  /** The message to send for this run (without the bytes when the jail holds them). */
  outgoing(run: Run): Run | { readonly type: 'run'; readonly id: number; readonly job: Omit<ModuleJob, 'moduleBytes'> };
  incoming(message: unknown): Incoming;
  /** Digests the parent believes the jail holds, least recently used first (tests). */
  believed(): string[];
}

export function createModuleCourier(opts: CourierOptions): ModuleCourier {
  const held = new Map<string, true>();
  let inflight: { run: Run; sentBytes: boolean } | null = null;

  function hold(digest: string): void {
    held.delete(digest);
    held.set(digest, true);
    while (held.size > opts.jailEntries) held.delete(held.keys().next().value!);
  }

  return {
    outgoing(run) {
      const digest = run.job.moduleDigest;
      const omit = held.has(digest);
      hold(digest);
      inflight = { run, sentBytes: !omit };
      if (!omit) {
        opts.counters.withBytes++;
        return run;
      }
      opts.counters.withoutBytes++;
      const { moduleBytes: _sent, ...job } = run.job;
      return { ...run, job };
    },
    incoming(message) {
      if (typeof message !== 'object' || message === null) return { kind: 'forward', message };
      const m = message as { type?: unknown; id?: unknown; moduleDigest?: unknown; report?: WorkerReport };
      if (m.type === 'need') {
        if (!inflight || m.id !== inflight.run.id) return { kind: 'violation', reason: `asked for the bytes of run ${String(m.id)}, which it is not running` };
        if (inflight.sentBytes) return { kind: 'violation', reason: `asked again for the bytes of run ${String(m.id)}, which carried them` };
        inflight.sentBytes = true;
        hold(inflight.run.job.moduleDigest);
        opts.counters.resent++;
        opts.counters.withBytes++;
        return { kind: 'resend', message: inflight.run };
      }
      if (m.type === 'done') {
        if (!inflight || m.id !== inflight.run.id) return { kind: 'violation', reason: `reported run ${String(m.id)}, which it is not running` };
        const asked = inflight.run.job.moduleDigest;
        // No module ran (the jail could not compile or take it): a crashed report is no module's result.
        const noModule = m.moduleDigest === null && m.report?.outcome?.kind === 'crashed';
        if (m.moduleDigest !== asked && !noModule) {
          return { kind: 'violation', reason: `reported a run of module ${String(m.moduleDigest)} for a run of ${asked}` };
        }
        inflight = null;
        return { kind: 'forward', message: { type: 'done', id: m.id, report: m.report } };
      }
      return { kind: 'forward', message };
    },
    believed: () => [...held.keys()],
  };
}

/** The channel to one jailed process (its IPC channel and its kill), as the courier drives it. */
export interface JailChannel {
  /** Throws when the process is not connected. */
  send(message: unknown): void;
  kill(): void;
  ref(): void;
  unref(): void;
}

/**
 * An executor over one jail: runs go out through the courier, the jail's answers come back through
 * `onJailMessage`. A jail that breaks the protocol is not trusted with another run: its run ends as
 * crashed (onDeath, which also replaces it) and the process is killed.
 */
export function courierExecutor(channel: JailChannel, courier: ModuleCourier, events: ExecutorEvents): { executor: Executor; onJailMessage(message: unknown): void } {
  const fail = (reason: string) => {
    events.onDeath(reason);
    channel.kill();
  };
  return {
    executor: {
      // The pool's payload is the backend's job (index.ts: jobFields plus moduleDigest and moduleBytes).
      send: (message) => channel.send(courier.outgoing(message as Run)),
      terminate: () => channel.kill(),
      ref: () => channel.ref(),
      unref: () => channel.unref(),
    },
    onJailMessage(message) {
      const next = courier.incoming(message);
      if (next.kind === 'forward') return events.onMessage(next.message);
      if (next.kind === 'violation') return fail(`sandbox process broke the protocol: ${next.reason}`);
      try {
        channel.send(next.message);
      } catch (e) {
        fail(`could not resend the module to the sandbox process: ${String(e)}`);
      }
    },
  };
}
