/**
 * Re-executes a recorded run with exactly what it was granted and given (module bytes, entry,
 * arguments, environment, stdin, seed, limits, capabilities), and compares outcome, fuel and
 * output digest. Determinism is a promise; replay is how an operator checks it.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { runs, moduleVersions } from '../../db/schema';
import type { DecisionRecord } from '../core/guardian/decision-record';
import type { SandboxPool } from '../core/sandbox';
import { err, ok, type Result } from '../core/result';
import type { AuditLog } from './audit-log';
import type { ModuleRegistry } from './module-registry';
import type { QuarantineService } from './quarantine';
import { outputDigest } from './run-pipeline';

export interface ReplayDifference {
  readonly field: 'outcome' | 'fuelUsed' | 'outputSha256';
  readonly recorded: string;
  readonly replayed: string;
}

export interface ReplayReport {
  readonly runId: string;
  readonly identical: boolean;
  readonly differences: readonly ReplayDifference[];
  readonly recorded: { outcome: string; fuelUsed: number; outputSha256: string };
  readonly replayed: { outcome: string; fuelUsed: number; outputSha256: string };
}

export type ReplayCode = 'RUN_NOT_FOUND' | 'NOTHING_RAN' | 'MODULE_UNTRUSTED' | 'MODULE_QUARANTINED' | 'BUSY' | 'SHUT_DOWN' | 'INSTRUMENT_FAILED';

const describeOutcome = (o: { kind: string; exitCode?: number; trap?: string }) =>
  o.kind === 'ok' ? `ok(exit ${o.exitCode})` : o.kind === 'trap' ? `trap(${o.trap})` : o.kind;

export async function replayRun(
  deps: { db: Db; audit: AuditLog; modules: ModuleRegistry; quarantine: QuarantineService; pool: () => SandboxPool },
  runId: string,
  actor: string,
): Promise<Result<ReplayReport, ReplayCode>> {
  const row = deps.db.select().from(runs).where(eq(runs.id, runId)).get();
  if (!row) return err('RUN_NOT_FOUND', `no run ${runId}`);
  const record = row.record as DecisionRecord;
  if (!record.execution) return err('NOTHING_RAN', `run ${runId} was denied before execution; there is nothing to replay`);
  const module = deps.db.select().from(moduleVersions).where(eq(moduleVersions.id, row.moduleVersionId)).get();
  if (!module) return err('RUN_NOT_FOUND', `the module of run ${runId} is no longer stored`);
  // Replay executes code: the same trust and quarantine gates apply as for a new run.
  const verified = deps.modules.reverify(module);
  if (!verified.ok) return err('MODULE_UNTRUSTED', `${module.name}@${module.version} no longer verifies: ${verified.message}`);
  if (deps.quarantine.active(module.wasmSha256)) return err('MODULE_QUARANTINED', `${module.name}@${module.version} is quarantined; release it first`);

  const ran = await deps.pool().run({
    wasmSha256: module.wasmSha256,
    wasm: module.wasm,
    entry: record.input.entry,
    args: [module.name, ...record.input.args],
    env: record.input.env,
    stdin: new Uint8Array(row.stdin),
    seed: BigInt(record.input.seed),
    capabilities: record.granted.capabilities,
    limits: record.granted.limits,
  });
  if (!ran.ok) return err(ran.code, ran.message);
  const recorded = {
    outcome: describeOutcome(record.execution.outcome),
    fuelUsed: record.execution.used.fuel,
    outputSha256: record.execution.outputSha256,
  };
  const replayed = {
    outcome: describeOutcome(ran.value.outcome),
    fuelUsed: ran.value.fuelUsed,
    outputSha256: outputDigest(ran.value.stdout, ran.value.stderr).outputSha256,
  };
  const differences = (['outcome', 'fuelUsed', 'outputSha256'] as const)
    .filter((field) => recorded[field] !== replayed[field])
    .map((field) => ({ field, recorded: String(recorded[field]), replayed: String(replayed[field]) }));
  const report: ReplayReport = { runId, identical: differences.length === 0, differences, recorded, replayed };
  deps.audit.append({ actor, action: 'run.replayed', subject: `run:${runId}`, payload: { identical: report.identical, differences } as never });
  return ok(report);
}
