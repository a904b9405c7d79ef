/**
 * The SandboxBackend port: what the governor needs from anything that executes a module. A backend
 * declares its guarantees as data (what it enforces, how, and the limits of that), so operators can
 * compare backends and the README's assurance table is generated from the same words the code ships.
 *
 * Backend-neutral checks (limits, digest, imports, entry) run before any backend sees a request:
 * see request-checks.ts and `withRequestChecks` below.
 */
import type { Result } from '../result';
import type { RunRequest, RunResult } from './types';
import { checkRequest, checkRequestOffThread, type ReportSource } from './request-checks';

export const BACKEND_KINDS = ['worker-threads', 'process', 'remote'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];
/** Backends that keep the module out of the console's process. */
export const ISOLATED_BACKENDS: readonly BackendKind[] = ['process', 'remote'];

/** Every guarantee a backend must speak to, in the order the assurance table lists them. */
export const GUARANTEE_IDS = [
  'instruction_budget',
  'wall_clock',
  'memory_cap',
  'files_network',
  'determinism',
  'isolation',
  'kill_switch',
] as const;
export type GuaranteeId = (typeof GUARANTEE_IDS)[number];

export const GUARANTEE_TITLES: Readonly<Record<GuaranteeId, string>> = {
  instruction_budget: 'deterministic instruction budget',
  wall_clock: 'wall-clock limit',
  memory_cap: 'memory and table caps',
  files_network: 'no host filesystem / network',
  determinism: 'determinism',
  isolation: 'isolation from other runs and the console',
  kill_switch: 'kill switch',
};

export interface Guarantee {
  readonly id: GuaranteeId;
  /** How this backend enforces it, in one or two plain sentences. */
  readonly how: string;
  /** What it does not cover; '—' when nothing is known. */
  readonly limits: string;
}

export interface BackendDescription {
  readonly kind: BackendKind;
  /** Shown as the table's column heading, e.g. "worker thread (default)". */
  readonly title: string;
  /** One entry per GuaranteeId, in GUARANTEE_IDS order (a test checks this). */
  readonly guarantees: readonly Guarantee[];
}

export type SandboxRunError = 'BUSY' | 'SHUT_DOWN' | 'INSTRUMENT_FAILED';

/** Counters every backend can report; backend-specific numbers go in `detail`. */
export interface BackendStats {
  readonly kind: BackendKind;
  /** Runs that can execute at once. */
  readonly capacity: number;
  readonly running: number;
  readonly queued: number;
  readonly queueLimit: number;
  readonly completed: number;
  readonly timeouts: number;
  readonly crashes: number;
  readonly killed: number;
  readonly detail: Readonly<Record<string, number>>;
}

export interface SandboxBackend {
  readonly kind: BackendKind;
  readonly description: BackendDescription;
  /**
   * Runs one request to completion; fails only with BUSY, SHUT_DOWN or INSTRUMENT_FAILED. Aborting
   * `signal` stops this one run (waiting or executing) as denied 'kill switch: <signal.reason>': an
   * execution node stops a job its console cancelled.
   */
  run(req: RunRequest, signal?: AbortSignal): Promise<Result<RunResult, SandboxRunError>>;
  /** Ends every in-flight and queued run as denied 'kill switch: <reason>'; returns how many. */
  killAll(reason: string): number;
  stats(): BackendStats;
  /** Stops the backend; pending runs end with SHUT_DOWN. */
  close(): Promise<void>;
}

/**
 * Wraps a backend so the backend-neutral checks run first: a request with invalid limits, bytes
 * that do not match their digest, ungranted imports or a missing entry never reaches it.
 */
export function withRequestChecks(inner: SandboxBackend, reports?: ReportSource): SandboxBackend {
  return {
    kind: inner.kind,
    description: inner.description,
    run: async (req, signal) => {
      // With a report source (the preparation thread), no module work happens on this thread.
      const refused = reports ? await checkRequestOffThread(req, reports) : checkRequest(req);
      return refused ?? inner.run(req, signal);
    },
    killAll: (reason) => inner.killAll(reason),
    stats: () => inner.stats(),
    close: () => inner.close(),
  };
}
