/**
 * Test support (not shipped behaviour): in-memory fakes for every governor port, so the run path
 * can be driven through each outcome without SQLite or worker threads.
 */
import { policy } from '../guardian/test-fixtures';
import type { TManifest } from '../module/manifest';
import type { BackendStats, SandboxBackend, SandboxRunError } from '../sandbox/backend';
import { emptyResult } from '../sandbox/request-checks';
import type { RunRequest, RunResult } from '../sandbox/types';
import { sha256Hex, wat } from '../sandbox/test-modules';
import type { AuditEventInput } from '../audit/event';
import { err, ok, type Result } from '../result';
import type { ApprovalStatus, DecidedRun, GovernorPorts, StoredModule } from './ports';

/** The rules of the shipped default that the governor's paths exercise. */
export const TEST_POLICY = policy({
  name: 'governor-test',
  pre: {
    signature_trusted: { severity: 'critical', required_roles: [] },
    imports_allowed: { severity: 'critical' },
    quarantined: { severity: 'critical' },
    approval_required: { severity: 'high', required: false },
    entry_exported: { severity: 'high' },
  },
  post: {
    outcome_allowed: { severity: 'high', kinds: ['ok'] },
    exit_code: { severity: 'medium', allowed: [0] },
    output_patterns: { severity: 'high', deny: ['\\bAKIA[0-9A-Z]{16}\\b'], ignore_case: false },
  },
  threat: {
    weights: { unknown_signer: 50, first_seen_digest: 10 },
    settings: { large_custom_sections_bytes: 65536, near_cap_percent: 90, prior_post_failures_max_count: 3 },
    bands: { low: 0, medium: 30, high: 60, quarantine: 85 },
    quarantine_on_post_failure: true,
  },
});

export const HELLO_WASM = wat(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\\n") (data (i32.const 0) "\\10\\00\\00\\00\\03\\00\\00\\00")
  (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

export function storedModule(wasm: Uint8Array = HELLO_WASM, over: Partial<StoredModule> = {}): StoredModule {
  return {
    id: 1,
    name: 'hello',
    version: '1.0.0',
    tenant: 'acme',
    wasmSha256: sha256Hex(wasm),
    manifestSha256: 'b'.repeat(64),
    sizeBytes: wasm.length,
    wasm,
    source: 'bundle',
    manifestJson: '{}',
    envelopeJson: '{}',
    ...over,
  };
}

export function manifestFor(module: StoredModule, over: Partial<TManifest> = {}): TManifest {
  return {
    format: 'nightcore.module/v1',
    name: module.name,
    version: module.version,
    tenant: module.tenant,
    description: 'test module',
    entry: '_start',
    capabilities: ['stdout', 'stderr', 'exit'],
    limits: { fuel: 1_000_000, memoryPages: 2, wallMs: 1000, outputBytes: 4096 },
    wasm: { sha256: module.wasmSha256 },
    ...over,
  };
}

type Script = (req: RunRequest) => Promise<Result<RunResult, SandboxRunError>>;

export const ranOk = (stdout = 'hi\n', over: Partial<RunResult> = {}): RunResult => ({
  ...emptyResult({ kind: 'ok', exitCode: 0 }, 3),
  fuelUsed: 120,
  peakMemoryPages: 1,
  stdout: new TextEncoder().encode(stdout),
  ...over,
});

/** A backend that answers from a script and counts what it was asked. */
export class FakeBackend implements SandboxBackend {
  readonly kind = 'worker-threads' as const;
  readonly description = { kind: 'worker-threads' as const, title: 'fake', guarantees: [] };
  readonly requests: RunRequest[] = [];
  killed: string[] = [];
  capacity = 2;
  queueLimit = 4;
  script: Script = async () => ok(ranOk());

  run(req: RunRequest): Promise<Result<RunResult, SandboxRunError>> {
    this.requests.push(req);
    return this.script(req);
  }
  killAll(reason: string): number {
    this.killed.push(reason);
    return 0;
  }
  stats(): BackendStats {
    return { kind: this.kind, capacity: this.capacity, running: 0, queued: 0, queueLimit: this.queueLimit, completed: this.requests.length, timeouts: 0, crashes: 0, killed: 0, detail: {} };
  }
  async close(): Promise<void> {}
}

export interface FakeWorld {
  readonly ports: GovernorPorts;
  readonly backend: FakeBackend;
  readonly events: AuditEventInput[];
  readonly decided: DecidedRun[];
  readonly quarantined: Set<string>;
  trusted: boolean;
  manifest: (m: StoredModule) => TManifest | null;
  approval: ApprovalStatus;
  /** Throw from audit.append for this action (simulates a full disk). */
  failAction: string | null;
  failRecorder: boolean;
  priorPostFailures: number;
}

export function fakeWorld(): FakeWorld {
  const backend = new FakeBackend();
  let runs = 0;
  const world: FakeWorld = {
    backend,
    events: [],
    decided: [],
    quarantined: new Set(),
    trusted: true,
    manifest: (m) => manifestFor(m),
    approval: { approved: false, source: 'none', detail: 'nothing approved' },
    failAction: null,
    failRecorder: false,
    priorPostFailures: 0,
    ports: undefined as unknown as GovernorPorts,
  };
  (world as { ports: GovernorPorts }).ports = {
    policy: () => ({ policy: TEST_POLICY, sha256: 'c'.repeat(64) }),
    modules: {
      reverify: (m) =>
        world.trusted
          ? { ok: true, code: null, message: null, manifest: world.manifest(m), signers: [{ keyid: 'k'.repeat(64), name: 'alice', role: 'publisher' }], legacy: null }
          : { ok: false, code: 'KEY_REVOKED', message: 'the signing key was revoked', manifest: world.manifest(m), signers: [], legacy: null },
    },
    history: {
      facts: (_m, signerTrusted) => ({ signerTrusted, firstSeenDigest: false, hashDrift: null, priorPostFailures: world.priorPostFailures, priorCapabilityDenials: 0 }),
      quarantined: (digest) => world.quarantined.has(digest),
    },
    approvals: { check: () => world.approval },
    audit: {
      append: (event) => {
        if (event.action === world.failAction) throw new Error('disk full (simulated)');
        world.events.push(event);
        return { seq: world.events.length };
      },
    },
    backend: () => backend,
    recorder: {
      record: (run) => {
        if (world.failRecorder) throw new Error('database is locked (simulated)');
        world.decided.push(run);
        if (run.record.quarantine) world.quarantined.add(run.module.wasmSha256);
      },
    },
    recorded: {
      load: (id) => {
        const run = world.decided.find((d) => d.record.runId === id);
        return run && { record: run.record, stdin: run.stdin, module: run.module };
      },
    },
    clock: () => new Date('2026-01-02T03:04:05Z'),
    newRunId: () => `run-${++runs}`,
    newSeed: () => 42n,
  };
  return world;
}

export const busy = (): Result<RunResult, SandboxRunError> => err('BUSY', 'full');
