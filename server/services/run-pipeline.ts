/**
 * The one path every run takes: verify → Guardian pre-exec → sandbox → Guardian post-exec → one
 * decision record in the audit log (→ quarantine). Fail closed: a run starts only after its
 * `run.started` event is written, and its result counts only once `run.decided` is written.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Db } from '../../db/client';
import { evaluatePost, evaluatePre, effectiveGrant, type Verdict } from '../core/guardian';
import { DECISION_FORMAT, type DecisionRecord } from '../core/guardian/decision-record';
import { scoreThreat, shouldQuarantine, threatFactsFrom } from '../core/threat';
import { checkImports, type SandboxPool, type RunResult } from '../core/sandbox';
import { inspectWasm } from '../core/wasm/inspect';
import type { WasmReport } from '../core/wasm/report';
import type { TManifest } from '../core/module/manifest';
import type { TPolicy } from '../core/guardian/schema';
import type { ThreatAssessment } from '../core/threat';
import { sha256Hex } from '../core/crypto/digest';
import { err, ok, type Result } from '../core/result';
import type { AuditLog } from './audit-log';
import type { ModuleRegistry, ModuleVersionRow, Reverification } from './module-registry';
import type { ActivePolicy } from './policy-store';
import type { QuarantineService } from './quarantine';
import { RunHistory } from './run-history';

export interface RunInput {
  readonly args?: readonly string[];
  readonly stdin?: Uint8Array;
  /** Fixed seed for the deterministic random source; a fresh one is drawn when absent. */
  readonly seed?: bigint;
  /** Candidate environment; only names the policy allow-lists reach the module. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunReport {
  readonly record: DecisionRecord;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}

/** What Guardian concludes about a stored module before running it (see RunPipeline.assess). */
export interface Assessment {
  readonly policy: TPolicy;
  readonly policySha256: string;
  readonly verified: Reverification;
  readonly manifest: TManifest;
  readonly report: WasmReport;
  readonly grant: ReturnType<typeof effectiveGrant>;
  readonly threat: ThreatAssessment;
  readonly pre: Verdict;
}

export type RunCode = 'MODULE_NOT_FOUND' | 'MODULE_MALFORMED' | 'INPUT_TOO_LARGE' | 'AUDIT_FAILED' | 'BUSY' | 'SHUT_DOWN';

/** Bounds on what a caller may pass, so a decision record always fits its audit event. */
export const INPUT_LIMITS = { args: 64, argBytes: 4096, argsTotalBytes: 16384, stdinBytes: 16 * 1024 * 1024 } as const;

const MAX_SEED = (1n << 64n) - 1n;

/**
 * The runs row, written with one prepared statement instead of a Drizzle insert: Drizzle rebuilt
 * and re-prepared the SQL on every run (about 0.09 ms, measured in bench/governed.bench.ts).
 * Column values are converted exactly as the Drizzle schema (db/schema.ts `runs`) would.
 */
const INSERT_RUN = `INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at,
  decision, outcome, exit_code, threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256,
  stdin, stdout, stderr, record, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export class RunPipeline {
  private readonly history: RunHistory;
  private readonly insertRun: Database.Statement;
  private readonly inTransaction: Database.Transaction<(fn: () => void) => void>;
  /** Inspector reports per digest (the bytes of a digest never change), bounded. */
  private readonly reports = new Map<string, WasmReport>();
  private static readonly REPORT_CACHE = 256;

  constructor(
    private readonly deps: {
      readonly sqlite: Database.Database;
      readonly db: Db;
      readonly audit: AuditLog;
      readonly modules: ModuleRegistry;
      readonly quarantine: QuarantineService;
      readonly policy: () => ActivePolicy;
      readonly pool: () => SandboxPool;
      readonly now: () => Date;
      /** Persisted or off-thread inspector reports (module-preparation.ts); absent: inspected here. */
      readonly loadReport?: (wasmSha256: string, wasm: Uint8Array) => Promise<WasmReport | undefined>;
    },
  ) {
    this.history = new RunHistory(deps.sqlite);
    this.insertRun = deps.sqlite.prepare(INSERT_RUN);
    this.inTransaction = deps.sqlite.transaction((fn: () => void) => fn());
  }

  async run(module: ModuleVersionRow, input: RunInput, actor: string): Promise<Result<RunReport, RunCode>> {
    const tooLarge = checkInput(input);
    if (tooLarge) return err('INPUT_TOO_LARGE', tooLarge);
    await this.warmReport(module);
    const assessed = this.assess(module);
    if (!assessed.ok) return assessed;
    const { policy, policySha256, verified, manifest, grant, threat, pre } = assessed.value;

    const runId = randomUUID();
    const seed = input.seed ?? randomBytes(8).readBigUInt64BE();
    if (seed < 0n || seed > MAX_SEED) return err('MODULE_MALFORMED', 'seed must be an unsigned 64-bit integer');
    const stdin = input.stdin ?? new Uint8Array(0);
    const env = Object.fromEntries(grant.env.filter((name) => input.env?.[name] !== undefined).map((name) => [name, input.env![name]!]));
    const startedAt = this.deps.now();
    const base = {
      format: DECISION_FORMAT,
      runId,
      actor,
      startedAt: startedAt.toISOString(),
      module: {
        id: module.id,
        name: module.name,
        version: module.version,
        tenant: module.tenant,
        wasmSha256: module.wasmSha256,
        manifestSha256: module.manifestSha256,
        signers: verified.signers,
        legacy: verified.legacy,
      },
      policy: { name: policy.name, revision: policy.revision, sha256: policySha256 },
      verification: { ok: verified.ok, code: verified.code, message: verified.message },
      threat,
      granted: { capabilities: grant.capabilities, limits: grant.limits, env: grant.env },
      input: {
        entry: manifest.entry,
        args: [...(input.args ?? [])],
        env,
        stdinSha256: sha256Hex(stdin),
        stdinBytes: stdin.length,
        seed: seed.toString(),
      },
      pre,
    } as const;

    if (pre.decision === 'deny') {
      return ok(this.decide({ ...base, execution: null, post: null, decision: 'deny', quarantine: null }, module, stdin, new Uint8Array(), new Uint8Array(), 0));
    }

    // Fail closed: if this event cannot be written, nothing runs.
    try {
      this.deps.audit.append({
        actor,
        action: 'run.started',
        subject: `run:${runId}`,
        payload: { module: `${module.name}@${module.version}`, wasmSha256: module.wasmSha256, granted: base.granted, seed: seed.toString() },
      });
    } catch (e) {
      return err('AUDIT_FAILED', `the audit log refused the run.started event, so the module did not run: ${(e as Error).message}`);
    }
    const ran = await this.deps.pool().run({
      wasmSha256: module.wasmSha256,
      wasm: module.wasm,
      entry: manifest.entry,
      args: [module.name, ...(input.args ?? [])],
      env,
      stdin,
      seed,
      capabilities: grant.capabilities,
      limits: grant.limits,
    });
    if (!ran.ok) {
      if (ran.code === 'INSTRUMENT_FAILED') return this.sandboxRefused(base, module, stdin, ran.message);
      return err(ran.code, ran.message);
    }
    const result = ran.value;
    const post = evaluatePost(policy, { result });
    const decision = post.decision === 'allow' ? 'allow' : 'deny';
    const q = shouldQuarantine(policy.threat, { band: threat.band, postDecision: post.decision });
    const record: DecisionRecord = {
      ...base,
      execution: execution(result),
      post,
      decision,
      quarantine: q.quarantine ? { source: q.source, reason: q.reason } : null,
    };
    return ok(this.decide(record, module, stdin, result.stdout, result.stderr, result.wallMs));
  }

  /**
   * Everything Guardian decides before execution (verify → inspect → grant → threat → pre-exec),
   * without running or recording anything: run() starts here, and the console shows it as a
   * dry-run verdict. Only a stored module that no longer parses is an error.
   */
  assess(module: ModuleVersionRow): Result<Assessment, 'MODULE_MALFORMED'> {
    const { policy, sha256: policySha256 } = this.deps.policy();
    const verified = this.deps.modules.reverify(module);
    const manifest = verified.manifest;
    const report = this.report(module);
    if (!manifest || !report) return err('MODULE_MALFORMED', `stored module ${module.name}@${module.version} no longer parses`);

    const grant = effectiveGrant(policy, manifest);
    const threat = scoreThreat(policy.threat, threatFactsFrom(manifest, report, policy.limits, this.history.facts(module, verified.ok)));
    const pre = evaluatePre(policy, {
      manifest,
      limits: grant.limits,
      report,
      signature: { verified: verified.ok, code: verified.code ?? undefined, signers: verified.signers },
      deniedImports: checkImports(report.imports, grant.capabilities).denied,
      threat: { score: threat.score, band: threat.band },
      quarantined: this.history.quarantined(module.wasmSha256),
      legacy: verified.legacy,
      approved: false, // approvals arrive with the Agent Inbox; policies requiring them deny until then
    });
    return ok({ policy, policySha256, verified, manifest, report, grant, threat, pre });
  }

  /** The instrumenter refused the module (e.g. shared memory): a pre-exec style denial, recorded. */
  private sandboxRefused(base: Omit<DecisionRecord, 'execution' | 'post' | 'decision' | 'quarantine'>, module: ModuleVersionRow, stdin: Uint8Array, message: string) {
    const pre: Verdict = {
      ...base.pre,
      decision: 'deny',
      summary: `The sandbox cannot meter this module: ${message}`,
    };
    return ok(this.decide({ ...base, pre, execution: null, post: null, decision: 'deny', quarantine: null }, module, stdin, new Uint8Array(), new Uint8Array(), 0));
  }

  /** Writes the run row, its decision record and any quarantine in one transaction. */
  private decide(record: DecisionRecord, module: ModuleVersionRow, stdin: Uint8Array, stdout: Uint8Array, stderr: Uint8Array, wallMs: number): RunReport {
    // IMMEDIATE: take the write lock up front, so a concurrent checkpoint makes us wait, not fail.
    this.inTransaction.immediate(() => {
      const event = this.deps.audit.append({ actor: record.actor, action: 'run.decided', subject: `run:${record.runId}`, payload: record as never });
      const execution = record.execution;
      this.insertRun.run(
        record.runId,
        module.id,
        module.name,
        module.version,
        module.tenant,
        module.wasmSha256,
        record.actor,
        new Date(record.startedAt).getTime(), // timestamp_ms
        record.decision,
        execution?.outcome.kind ?? 'denied',
        execution?.outcome.kind === 'ok' ? execution.outcome.exitCode : null,
        record.threat.score,
        execution?.used.fuel ?? 0,
        wallMs,
        record.policy.name,
        record.policy.revision,
        record.input.seed,
        execution?.outputSha256 ?? '',
        Buffer.from(stdin),
        Buffer.from(stdout),
        Buffer.from(stderr),
        JSON.stringify(record), // text mode 'json'
        event.seq,
      );
      if (record.quarantine) {
        this.deps.quarantine.add(
          { moduleName: module.name, wasmSha256: module.wasmSha256, reason: record.quarantine.reason, source: record.quarantine.source, runId: record.runId },
          'guardian',
        );
      }
    });
    return { record, stdout, stderr };
  }

  /** Fills the report cache without inspecting on this thread (a large module takes hundreds of ms). */
  private async warmReport(module: ModuleVersionRow): Promise<void> {
    if (!this.deps.loadReport || this.reports.has(module.wasmSha256)) return;
    const report = await this.deps.loadReport(module.wasmSha256, module.wasm);
    if (report) this.remember(module.wasmSha256, report);
  }

  private remember(wasmSha256: string, report: WasmReport): void {
    if (this.reports.size >= RunPipeline.REPORT_CACHE) this.reports.delete(this.reports.keys().next().value!);
    this.reports.set(wasmSha256, report);
  }

  private report(module: ModuleVersionRow): WasmReport | undefined {
    const cached = this.reports.get(module.wasmSha256);
    if (cached) return cached;
    const inspected = inspectWasm(module.wasm);
    if (!inspected.ok) return undefined;
    this.remember(module.wasmSha256, inspected.value);
    return inspected.value;
  }
}

function checkInput(input: RunInput): string | undefined {
  const args = input.args ?? [];
  if (args.length > INPUT_LIMITS.args) return `at most ${INPUT_LIMITS.args} arguments`;
  const sizes = args.map((a) => Buffer.byteLength(a));
  if (sizes.some((n) => n > INPUT_LIMITS.argBytes)) return `an argument is longer than ${INPUT_LIMITS.argBytes} bytes`;
  if (sizes.reduce((a, b) => a + b, 0) > INPUT_LIMITS.argsTotalBytes) return `arguments exceed ${INPUT_LIMITS.argsTotalBytes} bytes in all`;
  if ((input.stdin?.length ?? 0) > INPUT_LIMITS.stdinBytes) return `stdin is larger than ${INPUT_LIMITS.stdinBytes} bytes`;
  return undefined;
}

export function outputDigest(stdout: Uint8Array, stderr: Uint8Array): { stdoutSha256: string; stderrSha256: string; outputSha256: string } {
  const stdoutSha256 = sha256Hex(stdout);
  const stderrSha256 = sha256Hex(stderr);
  return { stdoutSha256, stderrSha256, outputSha256: sha256Hex(`${stdoutSha256}\n${stderrSha256}`) };
}

function execution(result: RunResult): NonNullable<DecisionRecord['execution']> {
  return {
    outcome: result.outcome,
    used: {
      fuel: result.fuelUsed,
      peakMemoryPages: result.peakMemoryPages,
      wallMs: result.wallMs,
      outputBytes: result.stdout.length + result.stderr.length,
    },
    outputTruncated: result.outputTruncated,
    ...outputDigest(result.stdout, result.stderr),
  };
}
