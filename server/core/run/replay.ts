/**
 * Replay: the governor re-running a recorded request (module bytes, entry, arguments, environment,
 * stdin, seed, limits, capabilities) and comparing outcome, fuel and output digest. Determinism is
 * a promise; replay is how an operator checks it. The same trust and quarantine gates apply as for
 * a new run, because replay executes code.
 */
import { err, ok, type Result } from '../result';
import type { SandboxRunError } from '../sandbox/backend';
import type { RunRequest, RunResult } from '../sandbox/types';
import { describeOutcome, outputDigest } from './execution';
import { recordedRequest } from './request';
import { recordValue } from '../sandbox/call-args';
import { dirState } from './input-tree';
import type { GovernorPorts } from './ports';
import { checkRecordAttestation, type AttestationCheck } from './attestation';

export interface ReplayDifference {
  readonly field: 'outcome' | 'fuelUsed' | 'outputSha256' | 'filesystem' | 'returnValues';
  readonly recorded: string;
  readonly replayed: string;
}

interface Observed {
  readonly outcome: string;
  readonly fuelUsed: number;
  readonly outputSha256: string;
  /** The preopened directories' final digests ("guest=sha256", comma-separated; empty without any). */
  readonly filesystem: string;
  /** For a call: its results as text (`5 (i32)`), `none` when it returned nothing or was a plain run. */
  readonly returnValues: string;
}

/** One comparable line for a call's results. */
const resultsText = (values: readonly { type: string; value: string }[] | undefined): string =>
  values && values.length > 0 ? values.map((v) => `${v.value} (${v.type})`).join(', ') : 'none';

export interface ReplayReport {
  readonly runId: string;
  readonly identical: boolean;
  /** `verified` when the record carried a node attestation (a remote run) and it was checked. */
  readonly attestation: AttestationCheck;
  readonly differences: readonly ReplayDifference[];
  readonly recorded: Observed;
  readonly replayed: Observed;
}

export type ReplayCode =
  | 'RUN_NOT_FOUND'
  | 'NOTHING_RAN'
  | 'MODULE_UNTRUSTED'
  | 'MODULE_QUARANTINED'
  | 'BUSY'
  | 'RATE_LIMITED'
  | 'SHUT_DOWN'
  | 'INSTRUMENT_FAILED'
  | 'INPUT_MISSING'
  | 'ATTESTATION_INVALID'
  | 'AUDIT_FAILED';

const filesystemText = (states: readonly { guestPath: string; treeSha256: string }[] | undefined) =>
  (states ?? []).map((s) => `${s.guestPath}=${s.treeSha256}`).join(',');

type Execute = (request: RunRequest) => Promise<Result<RunResult, SandboxRunError>>;

export async function replayRecorded(
  ports: Pick<GovernorPorts, 'recorded' | 'modules' | 'history' | 'audit' | 'trustedKey'>,
  runId: string,
  actor: string,
  execute: Execute,
): Promise<Result<ReplayReport, ReplayCode>> {
  const found = ports.recorded.load(runId);
  if (!found) return err('RUN_NOT_FOUND', `no run ${runId}`);
  const { record, module, stdin } = found;
  if (!record.execution) return err('NOTHING_RAN', `run ${runId} was denied before execution; there is nothing to replay`);
  if (!module) return err('RUN_NOT_FOUND', `the module of run ${runId} is no longer stored`);
  // A remote run's record is only as good as its node's signature: compare against nothing unverified.
  const attested = checkRecordAttestation(record, ports.trustedKey ?? (() => undefined));
  if (!attested.ok) return err('ATTESTATION_INVALID', `run ${runId} cannot be replayed: its node attestation fails: ${attested.message}`);
  const verified = ports.modules.reverify(module);
  if (!verified.ok) return err('MODULE_UNTRUSTED', `${module.name}@${module.version} no longer verifies: ${verified.message}`);
  if (ports.history.quarantined(module.wasmSha256)) return err('MODULE_QUARANTINED', `${module.name}@${module.version} is quarantined; release it first`);

  if (typeof found.dirs === 'string') return err('INPUT_MISSING', `run ${runId} cannot be replayed: ${found.dirs}`);
  const ran = await execute(recordedRequest(record, module, stdin, found.dirs ?? []));
  if (!ran.ok) return ran;
  const recorded: Observed = {
    outcome: describeOutcome(record.execution.outcome),
    fuelUsed: record.execution.used.fuel,
    outputSha256: record.execution.outputSha256,
    filesystem: filesystemText(record.execution.filesystem),
    returnValues: resultsText(record.execution.returnValues),
  };
  const replayed: Observed = {
    outcome: describeOutcome(ran.value.outcome),
    fuelUsed: ran.value.fuelUsed,
    outputSha256: outputDigest(ran.value.stdout, ran.value.stderr).outputSha256,
    filesystem: filesystemText(ran.value.filesystem?.map(dirState)),
    returnValues: resultsText(ran.value.returnValues?.map(recordValue)),
  };
  const differences = (['outcome', 'fuelUsed', 'outputSha256', 'filesystem', 'returnValues'] as const)
    .filter((field) => recorded[field] !== replayed[field])
    .map((field) => ({ field, recorded: String(recorded[field]), replayed: String(replayed[field]) }));
  const report: ReplayReport = { runId, identical: differences.length === 0, attestation: attested.value, differences, recorded, replayed };
  try {
    await ports.audit.append({ actor, action: 'run.replayed', subject: `run:${runId}`, payload: { identical: report.identical, differences } });
  } catch (e) {
    return err('AUDIT_FAILED', `the replay could not be recorded, so its result is withheld: ${(e as Error).message}`);
  }
  return ok(report);
}
