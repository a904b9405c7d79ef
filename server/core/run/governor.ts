/**
 * The run governor: the one place where a request becomes a decision.
 *
 *   bound the input → admit (fair share) → verify and judge (pre-exec) → wait for a turn
 *   → record run.started → execute on the sandbox backend → judge the result (post-exec)
 *   → decide, quarantine, record
 *
 * Fail closed: a run starts only after its `run.started` event is written, and its result counts
 * only once its decision record is written. Replay is this same path re-running a recorded request.
 * Everything outside (trust store, history, approvals, audit, backend, storage) is a port.
 */
import { evaluatePost } from '../guardian';
import type { DecisionRecord } from '../guardian/decision-record';
import { shouldQuarantine } from '../threat';
import { emptyResult } from '../sandbox/request-checks';
import type { Preopen, RunResult } from '../sandbox/types';
import { err, ok, type Result } from '../result';
import { assess, ReportCache, type Assessment } from './assess';
import { checkInput, MAX_SEED, type RunInput } from './input-limits';
import { FairQueue, type AdmitCode } from './fair-queue';
import { deniedBeforeRunning, recordBase, sandboxRefused, type RecordBase } from './record';
import { executionSummary } from './execution';
import { sandboxRequest } from './request';
import { replayRecorded, type ReplayCode, type ReplayReport } from './replay';
import type { GovernorPorts, RunStage, StoredModule } from './ports';

export interface RunReport {
  readonly record: DecisionRecord;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /**
   * The preopened directories' final state, present only when the decision is allow: a denied run's
   * outputs are never released (`--save` writes only these).
   */
  readonly outputs?: readonly Preopen[];
}

export type RunCode = 'MODULE_NOT_FOUND' | 'MODULE_MALFORMED' | 'INPUT_TOO_LARGE' | 'INPUT_INVALID' | 'AUDIT_FAILED' | AdmitCode;

export interface Governor {
  run(module: StoredModule, input: RunInput, actor: string): Promise<Result<RunReport, RunCode>>;
  /** The pre-exec verdict without running or recording anything (dry run). */
  assess(module: StoredModule, actor: string): Result<Assessment, 'MODULE_MALFORMED'>;
  replay(runId: string, actor: string): Promise<Result<ReplayReport, ReplayCode>>;
  /** Kill switch: ends every running and waiting run as denied; returns how many. */
  killAll(reason: string): number;
  stats(): { running: number; waiting: number; actors: number };
}

export function createGovernor(ports: GovernorPorts): Governor {
  const assessPorts = { ...ports, backendKind: ports.backendKind ?? (() => ports.backend().kind) };
  const reports = new ReportCache();
  const queue = new FairQueue({
    capacity: () => ports.backend().stats().capacity,
    queueLimit: () => ports.backend().stats().queueLimit,
  });
  let lastKill = '';

  /** What a run cancelled by the kill switch while it waited for its turn ends as. */
  const killedWhileWaiting = (): RunResult => emptyResult({ kind: 'denied', reason: `kill switch: ${lastKill}` });

  /** Stores the decision; until it is stored, nothing about the run is released. */
  async function decide(record: DecisionRecord, module: StoredModule, stdin: Uint8Array, dirs: readonly Preopen[], result?: RunResult): Promise<Result<RunReport, RunCode>> {
    const stdout = result?.stdout ?? new Uint8Array(0);
    const stderr = result?.stderr ?? new Uint8Array(0);
    try {
      await ports.recorder.record({ record, module, stdin, stdout, stderr, wallMs: result?.wallMs ?? 0, ...(dirs.length > 0 ? { dirs } : {}) });
    } catch (e) {
      return err('AUDIT_FAILED', `the decision could not be recorded, so its result is withheld: ${(e as Error).message}`);
    }
    const outputs = record.decision === 'allow' && result?.filesystem && result.filesystem.length > 0 ? result.filesystem : undefined;
    return ok({ record, stdout, stderr, ...(outputs ? { outputs } : {}) });
  }

  /** Post-exec: judge what the module did, then whether to quarantine it. */
  function judged(base: RecordBase, a: Assessment, result: RunResult): DecisionRecord {
    const post = evaluatePost(a.policy, { result });
    const q = shouldQuarantine(a.policy.threat, { band: a.threat.band, post, priorPostFailures: a.history.priorPostFailures });
    return {
      ...base,
      backend: { kind: ports.backend().kind, ...(result.attestation ? { attestation: result.attestation } : {}) },
      execution: executionSummary(result),
      post,
      decision: post.decision === 'allow' ? 'allow' : 'deny',
      quarantine: q.quarantine ? { source: q.source, reason: q.reason } : null,
    };
  }

  async function run(module: StoredModule, input: RunInput, actor: string): Promise<Result<RunReport, RunCode>> {
    // 1. Bound the input, so the decision record always fits its audit event.
    const tooLarge = checkInput(input);
    if (tooLarge) return err('INPUT_TOO_LARGE', tooLarge);
    const seed = input.seed ?? ports.newSeed();
    if (seed < 0n || seed > MAX_SEED) return err('INPUT_INVALID', 'seed must be an unsigned 64-bit integer');

    // 2. Admission before any work: a flood is refused cheaply, and fairly per user.
    const admitted = queue.admit(actor);
    if (!admitted.ok) return admitted;
    const admission = admitted.value;
    let stageStart = performance.now();
    const stage = (name: RunStage) => {
      if (!ports.onStage) return;
      const now = performance.now();
      ports.onStage(name, now - stageStart);
      stageStart = now;
    };
    try {
      // 3. Verify against today's trust store and judge before running (pre-exec). The module's
      // report comes from the preparation thread when there is one: never inspected on this thread.
      await reports.warm(module, ports.loadReport);
      const assessed = assess(assessPorts, reports, module, actor);
      if (!assessed.ok) return assessed;
      const a = assessed.value;
      const stdin = input.stdin ?? new Uint8Array(0);
      const env = Object.fromEntries(a.grant.env.filter((name) => input.env?.[name] !== undefined).map((name) => [name, input.env![name]!]));
      const envWithheld = Object.keys(input.env ?? {}).filter((name) => !Object.prototype.hasOwnProperty.call(env, name));
      const dirs = input.dirs ?? [];
      const given = { runId: ports.newRunId(), actor, startedAt: ports.clock(), args: input.args ?? [], env, stdin, seed, call: input.call, dirs, envWithheld };
      const base = recordBase(module, a, given);
      if (a.pre.decision === 'deny') return await decide(deniedBeforeRunning(base), module, stdin, dirs);
      stage('assess');

      // 4. Wait for this run's turn (fair across users); the kill switch may cancel it meanwhile.
      if (!(await admission.started)) return await decide(judged(base, a, killedWhileWaiting()), module, stdin, dirs);
      stage('wait');

      // 5. Fail closed: if run.started cannot be written, nothing runs. Awaited: with group commit the
      // event is durable only once its batch commits, and the module must not start before that.
      try {
        await ports.audit.append({
          actor,
          action: 'run.started',
          subject: `run:${base.runId}`,
          payload: { module: `${module.name}@${module.version}`, wasmSha256: module.wasmSha256, granted: base.granted, seed: base.input.seed },
        });
      } catch (e) {
        return err('AUDIT_FAILED', `the audit log refused the run.started event, so the module did not run: ${(e as Error).message}`);
      }

      stage('started');

      // 6. Execute exactly what was granted.
      const ran = await ports.backend().run(sandboxRequest(module, base.granted, base.input, stdin, dirs));
      stage('sandbox');
      if (!ran.ok) {
        if (ran.code === 'INSTRUMENT_FAILED') return await decide(sandboxRefused(base, ran.message), module, stdin, dirs);
        // run.started is written: the refusal becomes this run's recorded decision, never an open start.
        const refused = emptyResult({ kind: 'denied', reason: `the sandbox refused the run (${ran.code}): ${ran.message}` });
        return await decide(judged(base, a, refused), module, stdin, dirs);
      }

      // 7. Judge the result (post-exec), 8. decide and record.
      const decided = await decide(judged(base, a, ran.value), module, stdin, dirs, ran.value);
      stage('decide');
      return decided;
    } finally {
      admission.release();
    }
  }

  async function replay(runId: string, actor: string): Promise<Result<ReplayReport, ReplayCode>> {
    const admitted = queue.admit(actor);
    if (!admitted.ok) return admitted;
    try {
      const started = admitted.value.started;
      return await replayRecorded(ports, runId, actor, async (request) =>
        (await started) ? ports.backend().run(request) : ok(killedWhileWaiting()),
      );
    } finally {
      admitted.value.release();
    }
  }

  return {
    run,
    assess: (module, actor) => assess(assessPorts, reports, module, actor),
    replay,
    killAll(reason) {
      lastKill = reason;
      return queue.cancelWaiting() + ports.backend().killAll(reason);
    },
    stats: () => queue.stats(),
  };
}
