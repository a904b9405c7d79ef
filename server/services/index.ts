/**
 * Wires the core to its adapters for one data folder. The console and the CLI both start here,
 * so they share one set of rules.
 */
import { attestationCheck } from './attestation-audit';
import type { TrustedKey } from '../core/module/types';
import { openDatabase, type DbHandle } from '../../db/client';
import { MigrationError } from '../../db/migrate';
import { createWorkerThreadsBackend, type BackendKind, type SandboxBackend } from '../core/sandbox';
import { createProcessBackend, sandboxDirOf } from '../core/sandbox/process';
import { createRemoteBackend } from '../core/sandbox/remote';
import { httpNodeTransport } from './node-http';
import type { Governor, GovernorPorts } from '../core/run';
import { verifyEd25519 } from '../core/crypto/ed25519';
import { AuditLog } from './audit-log';
import { loadOrCreateServerKey, type ServerKey } from './server-key';
import { finishInterruptedRotation } from './server-key-rotation';
import { TrustStore } from './trust-store';
import { ModuleRegistry } from './module-registry';
import { QuarantineService } from './quarantine';
import { RunQueries } from './runs';
import { openGovernor } from './governor';
import { AgentService } from './agents';
import { InboxService } from './inbox';
import { inboxApprovals } from './inbox-approvals';
import { QuarantineReleases } from './quarantine-release';
import { defaultPolicyPath, loadPolicyFile, type ActivePolicy } from './policy-store';
import { PolicyRevisions } from './policy-revisions';
import { join } from 'node:path';
import type { Result } from '../core/result';
import { createWasmPreparer } from '../core/sandbox/instrument/off-thread';
import { createInThreadPreparer } from '../core/sandbox/instrument/in-thread';
import { MAX_WASM_BYTES } from './bundle-files';
import { ModulePreparation, PREPARE_TIMEOUT_MS } from './module-preparation';
import { PreparedStore } from './prepared-store';
import { parseManifestText } from '../core/module/verify';
import type { ModuleVersionRow } from './module-registry';
import { reconcileInterruptedRuns } from './run-reconcile';
import { startCheckpointTimer } from './checkpoint-timer';
import { WitnessPusher, loadWitnessConfig } from './witness-client';
import { LicenseService } from './license';
import { PRODUCTION_VENDOR_KEY, type VendorKey } from '../core/license';
import { DeliveryService, deliveryLag } from './delivery/service';
import { NightcoreMetrics } from './metrics';

export interface Services {
  readonly handle: DbHandle;
  readonly serverKey: ServerKey;
  readonly audit: AuditLog;
  readonly trust: TrustStore;
  readonly modules: ModuleRegistry;
  readonly quarantine: QuarantineService;
  /** Recorded runs, for listings (the API and the CLI read runs here, never from the tables). */
  readonly runs: RunQueries;
  /** Agents that submit modules, and the inbox where people decide on them (docs/approvals.md). */
  readonly agents: AgentService;
  readonly inbox: InboxService;
  /** Quarantine release by the approval policy's quorum of signed statements. */
  readonly releases: QuarantineReleases;
  /** The installed license: the edition and PRO features in force now (docs/licensing.md). */
  readonly license: LicenseService;
  /** The one run path: verify → pre-exec → execute → post-exec → decide (server/core/run). */
  readonly governor: Governor;
  /** The Guardian policy in force: the newest revision in the database, read again on every access. */
  readonly policy: ActivePolicy;
  /** Policy revisions, proposals and their approvals (docs/policy-reference.md, "Revisions"). */
  readonly policies: PolicyRevisions;
  /** Set when the configured policy file differs from the revision in force (the file is not applied). */
  readonly policyNotice: string | null;
  /** Pushes checkpoints to the witnesses in <data>/witnesses.json and keeps their cosignatures. */
  readonly witnesses: WitnessPusher;
  /** Webhooks and SIEM sinks following the audit log (docs/delivery.md). */
  readonly delivery: DeliveryService;
  /** Prometheus metrics of this process (served at /metrics); sinks register their lag here. */
  readonly metrics: NightcoreMetrics;
  /** The sandbox backend, started on first use (a CLI command that runs nothing starts no workers). */
  backend(): SandboxBackend;
  /** The configured backend's kind, without starting it. */
  backendKind(): BackendKind;
  /**
   * After an import: inspect, instrument and compile the module off the serving thread for the
   * grant the active policy gives it, and persist the results (runs then reuse them). Never
   * blocks on module work; a failure is reported, the import stands.
   */
  prepareImported(row: ModuleVersionRow): Promise<Result<unknown, string>>;
  /** Kill switch: aborts every in-flight and queued run, then records who pulled it. */
  killAll(reason: string, actor: string): number;
  close(): Promise<void>;
}

export interface ServiceOptions {
  readonly dataDir: string;
  /** Told each run stage's duration in ms (bench/profile-governed.ts: where a run's time goes). */
  readonly observeRunStage?: GovernorPorts['onStage'];
  /** Guardian policy file (default: the shipped policies/default.json). */
  readonly policyPath?: string;
  readonly poolSize?: number;
  /** The sandbox backend (default worker-threads); `process` refuses to start without bubblewrap. */
  readonly backend?: BackendKind;
  /** For the remote backend: execution nodes by key id (registered in the trust store with role `node`). */
  readonly nodes?: readonly { readonly keyid: string; readonly url: string; readonly capacity?: number }[];
  /**
   * Start executors before anything else, so that they start while this thread parses the policy and
   * opens the database: true starts every executor and the preparation thread (a long-running
   * console), a number that many executors (a command about to run a module). Otherwise the backend
   * opens on the first run and starts one executor at that moment, so that its start overlaps the
   * run's verification, inspection and audit instead of following them.
   */
  readonly prespawn?: boolean | number;
  /** The sandbox worker entry: DEFAULT_WORKER_URL from source; the bundled console passes its own. */
  readonly workerUrl: URL;
  /**
   * The preparation thread's entry (server/services/instrument-worker.mjs): with it,
   * modules are inspected, instrumented and compiled off the serving thread and persisted per
   * digest. Without it (a CLI command, benches), that work happens on the calling thread, and is
   * persisted all the same.
   */
  readonly instrumentWorkerUrl?: URL;
  /** Checkpoint the WAL on a worker thread (long-running hosts: the console, benches). */
  readonly checkpointWorkerUrl?: URL;
  /** Run the delivery loop (webhooks, SIEM sinks): long-running hosts only, so a CLI command never competes with the console. */
  readonly deliver?: boolean;
  readonly now?: () => Date;
  /** Keys licenses are verified with (default: the built-in vendor key; config.ts adds a test key outside production). */
  readonly licenseKeys?: readonly VendorKey[];
}

export class ServiceStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ServiceStartError';
  }
}

export function openServices(options: ServiceOptions): Services {
  // Without a preparation thread (a CLI command), modules are prepared on this thread, but the results
  // are still persisted: the next command finds them instead of instrumenting again.
  const preparation = new ModulePreparation(
    options.instrumentWorkerUrl
      ? createWasmPreparer({ workerUrl: options.instrumentWorkerUrl, timeoutMs: PREPARE_TIMEOUT_MS, maxBytes: MAX_WASM_BYTES })
      : createInThreadPreparer({ maxBytes: MAX_WASM_BYTES }),
    new PreparedStore(join(options.dataDir, 'prepared')),
  );
  const early = startEarly(options, preparation);
  try {
    return assembleServices(options, preparation, early);
  } catch (e) {
    // A start that fails (bad policy, newer schema) leaves no thread or jail behind.
    void early?.close();
    void preparation.close();
    throw e;
  }
}

/**
 * With `prespawn`, the local backend opens first and its executors (and, for a console, the
 * preparation thread) start on their own threads while this one parses the policy and opens the
 * database: a first run no longer waits for them. A backend that cannot open (no bubblewrap) fails
 * the first run with its reason instead, as when it opened there; the remote backend needs the trust
 * store, so it always opens on first use.
 */
function startEarly(options: ServiceOptions, preparation: ModulePreparation): SandboxBackend | undefined {
  if (!options.prespawn || (options.backend ?? 'worker-threads') === 'remote') return undefined;
  if (options.prespawn === true) preparation.start();
  try {
    return openLocalBackend(options, preparation);
  } catch {
    return undefined; // reported by the first run
  }
}

function assembleServices(options: ServiceOptions, preparation: ModulePreparation, early: SandboxBackend | undefined): Services {
  const now = options.now ?? (() => new Date());
  // A bad policy stops the start: running on a policy nobody could read would not be default deny.
  const loaded = loadPolicyFile(options.policyPath ?? defaultPolicyPath());
  if (!loaded.ok) throw new ServiceStartError(loaded.code, loaded.message, loaded.issues);

  const handle = openDatabaseOrExplain(options);
  // A key rotation cut off between its commit and the key file's replacement is finished (or undone) first.
  finishInterruptedRotation(options.dataDir, handle.sqlite);
  const serverKey = loadOrCreateServerKey(options.dataDir);
  const metrics = new NightcoreMetrics();
  // Node attestations in decision records are checked against the trust store (opened below; the
  // check runs only when the log is verified, long after both exist).
  const audit: AuditLog = new AuditLog(handle.sqlite, {
    serverKey, now, verifySignature: verifyEd25519, checkContent: attestationCheck((keyid): TrustedKey | undefined => trust.lookup(keyid)),
    observeAppend: (s) => metrics.auditAppendSeconds.observe(s),
  });
  if (serverKey.created) {
    audit.append({ actor: 'system', action: 'server.key_created', subject: `key:${serverKey.keyid}`, payload: {} });
  }
  reconcileInterruptedRuns(handle.sqlite, audit, now());
  const witnessConfig = loadWitnessConfig(options.dataDir);
  if (!witnessConfig.ok) {
    handle.close();
    throw new ServiceStartError(witnessConfig.code, witnessConfig.message);
  }
  const witnesses = new WitnessPusher(handle.sqlite, audit, witnessConfig.value, verifyEd25519);
  const stopCheckpointTimer = startCheckpointTimer(audit, undefined, witnesses);
  const trust = new TrustStore(handle.db, audit, now);
  const modules = new ModuleRegistry(handle.db, trust, audit, now);
  const quarantine = new QuarantineService(handle.db, audit, now);
  let backend: SandboxBackend | undefined = early;
  const getBackend = () => (backend ??= options.backend === 'remote' ? openRemoteBackend(options, { trust, serverKey, now }) : openLocalBackend(options, preparation));
  const backendKind = () => options.backend ?? 'worker-threads';
  const agents = new AgentService(handle.db, audit, now);
  const license = new LicenseService(handle.db, audit, options.licenseKeys ?? [PRODUCTION_VENDOR_KEY], now);
  const inbox: InboxService = new InboxService(handle.db, audit, trust, () => policies.current().policy, now, license, modules);
  modules.trustSubmissionsWith((row) => inbox.judgeModule(row));
  const policies: PolicyRevisions = new PolicyRevisions(handle.db, audit, inbox, now, loaded.value.path, license);
  let policyNotice: string | null;
  try {
    policyNotice = policies.init(loaded.value).notice;
    recordPolicyIfChanged(handle, audit, policies.current());
  } catch (e) {
    stopCheckpointTimer();
    handle.close();
    // The revision in force must validate too: the server never runs on a policy it cannot read.
    throw new ServiceStartError('POLICY_INVALID', `the policy revision in force cannot be used: ${(e as Error).message}`);
  }
  const policy = () => policies.current();
  const approvals = inboxApprovals(inbox);
  // SIEM export (syslog, HEC, OCSF) is a PRO feature; webhooks are not gated.
  const delivery = new DeliveryService(handle.sqlite, audit, now, { siemGate: () => license.require('siem_export') });
  const stopDelivery = options.deliver ? delivery.start() : () => undefined;
  const governor = metrics.instrument(openGovernor({
    handle, audit, modules, quarantine, policy, backend: getBackend, backendKind, approvals, now,
    trustedKey: trust.lookup,
    loadReport: (module) => preparation.report(module.wasmSha256, module.wasm),
    onStage: options.observeRunStage,
  }));
  metrics.attach({ audit, witnesses, governor: () => governor, backendStats: () => backend?.stats() });
  metrics.registerSinkLag('delivery', () => deliveryLag({ delivery }).map((d) => ({ sink: d.name, events: d.events, seconds: d.seconds })));
  return {
    handle,
    serverKey,
    audit,
    trust,
    modules,
    quarantine,
    runs: new RunQueries(handle.db),
    agents,
    inbox,
    releases: new QuarantineReleases(handle.db, audit, inbox, quarantine, () => policies.current().policy, now, license),
    license,
    governor,
    get policy() {
      return policies.current();
    },
    policies,
    policyNotice,
    witnesses,
    delivery,
    metrics,
    backend: getBackend,
    backendKind,
    prepareImported: async (row) => {
      const manifest = parseManifestText(row.manifestJson);
      if (!manifest.ok) return manifest;
      return preparation.atImport(row.wasmSha256, new Uint8Array(row.wasm), manifest.value, policy().policy);
    },
    killAll: (reason, actor) => {
      // Stop first, record second: the kill switch must work even when recording fails.
      const killed = backend ? governor.killAll(reason) : 0;
      audit.append({ actor, action: 'sandbox.kill_switch', subject: 'sandbox', payload: { reason, killed } });
      return killed;
    },
    close: async () => {
      stopCheckpointTimer();
      stopDelivery();
      await delivery.close();
      await backend?.close();
      await preparation.close();
      handle.close();
    },
  };
}

/**
 * The configured local backend (worker threads or jailed processes). The process backend's jail
 * mounts the sandbox code, found beside the worker entry (server/core/sandbox/worker-threads/worker.mjs
 * → server/core/sandbox). Opened early (prespawn) or by a first run, which starts one executor at once.
 */
function openLocalBackend(options: ServiceOptions, preparation: ModulePreparation): SandboxBackend {
  const prespawn = options.prespawn === true || typeof options.prespawn === 'number' ? options.prespawn : 1;
  if (options.backend !== 'process') {
    return createWorkerThreadsBackend({
      size: options.poolSize,
      workerUrl: options.workerUrl,
      prespawn,
      prepare: preparation.forRun,
      reports: (sha, wasm) => preparation.report(sha, wasm),
    });
  }
  const made = createProcessBackend({
    size: options.poolSize,
    sandboxDir: sandboxDirOf(options.workerUrl),
    node: process.execPath,
    prespawn,
    prepare: preparation.bytesForRun,
    reports: (sha, wasm) => preparation.report(sha, wasm),
  });
  if (!made.ok) throw new ServiceStartError(made.code, made.message);
  return made.value;
}

/** Jobs signed with this data folder's server key, to nodes whose keys the trust store holds (role `node`). */
function openRemoteBackend(options: ServiceOptions, { trust, serverKey, now }: { trust: TrustStore; serverKey: ServerKey; now: () => Date }): SandboxBackend {
  const nodes = options.nodes ?? [];
  if (nodes.length === 0) throw new ServiceStartError('BACKEND_UNAVAILABLE', 'the remote backend needs at least one execution node (NIGHTCORE_NODES=keyid@url,...)');
  const nodeKey = (keyid: string) => {
    const key = trust.lookup(keyid);
    return key && key.role === 'node' && key.status === 'active' ? key.publicKey : undefined;
  };
  const unknown = nodes.filter((n) => !nodeKey(n.keyid));
  if (unknown.length > 0) {
    throw new ServiceStartError('BACKEND_UNAVAILABLE', `not an active trust-store key of role node: ${unknown.map((n) => n.keyid.slice(0, 16)).join(', ')} (nightcore trust add <node.pub> --role node)`);
  }
  return createRemoteBackend({
    nodes: nodes.map((n) => ({ keyid: n.keyid, url: n.url, capacity: n.capacity ?? 2 })),
    transport: httpNodeTransport(),
    consoleKeyid: serverKey.keyid,
    nodeKey,
    sign: (m) => serverKey.sign(m),
    verify: verifyEd25519,
    clock: now,
  });
}

/** A folder that needs an upgrade first, or that a newer release wrote, stops the start with its reason. */
function openDatabaseOrExplain(options: ServiceOptions): DbHandle {
  try {
    return openDatabase(options.dataDir, { checkpointWorkerUrl: options.checkpointWorkerUrl });
  } catch (e) {
    if (e instanceof MigrationError) throw new ServiceStartError(e.code, e.message);
    throw e;
  }
}

/** Audits the policy in force whenever it differs from the one recorded last: which rules judged a run is history too. */
function recordPolicyIfChanged(handle: DbHandle, audit: AuditLog, active: ActivePolicy): void {
  const last = handle.sqlite
    .prepare<[], { payload: string }>("SELECT payload FROM audit_events WHERE action = 'policy.loaded' ORDER BY seq DESC LIMIT 1")
    .get();
  const lastSha = last ? (JSON.parse(last.payload) as { sha256?: string }).sha256 : undefined;
  if (lastSha === active.sha256) return;
  const { name, revision } = active.policy;
  audit.append({ actor: 'system', action: 'policy.loaded', subject: `policy:${name}`, payload: { name, revision, sha256: active.sha256, path: active.path } });
}
