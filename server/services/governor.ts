/**
 * Wires the run governor (server/core/run) to its adapters: the trust store via the module
 * registry, run history and quarantine in SQLite, the audit log, the sandbox backend and the run
 * recorder. No run logic lives here.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DbHandle } from '../../db/client';
import { createGovernor, NO_APPROVALS, type Approvals, type Governor, type GovernorPorts } from '../core/run';
import type { BackendKind, SandboxBackend } from '../core/sandbox';
import type { AuditLog } from './audit-log';
import type { ModuleRegistry } from './module-registry';
import type { ActivePolicy } from './policy-store';
import type { QuarantineService } from './quarantine';
import { RunHistory } from './run-history';
import { SqliteRecordedRuns, SqliteRunRecorder } from './run-recorder';
import { GroupCommit } from './group-commit';

export interface GovernorDeps {
  readonly handle: DbHandle;
  readonly audit: AuditLog;
  readonly modules: ModuleRegistry;
  /** The trust store's lookup: node keys for checking attestations before a replay. */
  readonly trustedKey?: GovernorPorts['trustedKey'];
  readonly quarantine: QuarantineService;
  readonly policy: () => ActivePolicy;
  readonly backend: () => SandboxBackend;
  readonly backendKind?: () => BackendKind;
  readonly approvals?: Approvals;
  readonly now: () => Date;
  /** Persisted or off-thread inspector reports (module-preparation.ts). */
  readonly loadReport?: GovernorPorts['loadReport'];
  readonly onStage?: GovernorPorts['onStage'];
}

export function openGovernor(deps: GovernorDeps): Governor {
  const { sqlite, db } = deps.handle;
  // run.started and run.decided of runs that reach this point in the same event-loop turn share one
  // transaction; each run's promise resolves only once that transaction has committed (fail closed).
  const commits = new GroupCommit(sqlite);
  const recorder = new SqliteRunRecorder(sqlite, deps.audit, deps.quarantine);
  return createGovernor({
    policy: deps.policy,
    modules: deps.modules,
    trustedKey: deps.trustedKey,
    history: new RunHistory(sqlite),
    approvals: deps.approvals ?? NO_APPROVALS,
    audit: { append: (event) => commits.run(() => deps.audit.append(event)) },
    backend: deps.backend,
    backendKind: deps.backendKind,
    recorder: { record: (run) => commits.run(() => recorder.record(run)) },
    recorded: new SqliteRecordedRuns(sqlite, db),
    clock: deps.now,
    newRunId: randomUUID,
    newSeed: () => randomBytes(8).readBigUInt64BE(),
    loadReport: deps.loadReport,
    onStage: deps.onStage,
  });
}
