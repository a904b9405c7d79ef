/**
 * Everything Guardian decides before execution (verify → inspect → grant → threat → approvals →
 * pre-exec), without running or recording anything. A run starts here, and the console shows it as
 * a dry-run verdict. Only a stored module that no longer parses is an error.
 */
import { effectiveGrant, evaluatePre, type EffectiveGrant, type Verdict } from '../guardian';
import type { TManifest } from '../module/manifest';
import type { TPolicy } from '../guardian/schema';
import { scoreThreat, threatFactsFrom, type ThreatAssessment, type ThreatHistory } from '../threat';
import { checkImports } from '../sandbox/wasi-imports';
import { inspectWasm } from '../wasm/inspect';
import type { WasmReport } from '../wasm/report';
import { err, ok, type Result } from '../result';
import type { BackendKind } from '../sandbox/backend';
import type { ApprovalStatus, GovernorPorts, Reverification, StoredModule } from './ports';

export interface Assessment {
  readonly policy: TPolicy;
  readonly policySha256: string;
  readonly verified: Reverification;
  readonly manifest: TManifest;
  readonly report: WasmReport;
  readonly grant: EffectiveGrant;
  readonly threat: ThreatAssessment;
  /** What the threat score was computed from; quarantine needs the failure count too. */
  readonly history: ThreatHistory;
  readonly approval: ApprovalStatus;
  readonly pre: Verdict;
}

/** What an assessment reads: no backend is started, only its kind is asked. */
export type AssessPorts = Pick<GovernorPorts, 'policy' | 'modules' | 'history' | 'approvals'> & { readonly backendKind: () => BackendKind };

export function assess(ports: AssessPorts, reports: ReportCache, module: StoredModule, actor: string): Result<Assessment, 'MODULE_MALFORMED'> {
  const { policy, sha256: policySha256 } = ports.policy();
  const verified = ports.modules.reverify(module);
  const manifest = verified.manifest;
  const report = reports.get(module);
  if (!manifest || !report) return err('MODULE_MALFORMED', `stored module ${module.name}@${module.version} no longer parses`);

  const grant = effectiveGrant(policy, manifest);
  const history = ports.history.facts(module, verified.ok);
  const threat = scoreThreat(policy.threat, threatFactsFrom(manifest, report, policy.limits, history));
  const approval = ports.approvals.check(module, { actor, policy });
  const pre = evaluatePre(policy, {
    manifest,
    limits: grant.limits,
    report,
    signature: { verified: verified.ok, code: verified.code ?? undefined, signers: verified.signers },
    deniedImports: checkImports(report.imports).denied,
    threat: { score: threat.score, band: threat.band },
    quarantined: ports.history.quarantined(module.wasmSha256),
    approved: approval.approved,
    backend: ports.backendKind(),
    legacy: verified.legacy,
  });
  return ok({ policy, policySha256, verified, manifest, report, grant, threat, history, approval, pre });
}

/** Inspector reports per digest (the bytes of a digest never change), bounded. */
export class ReportCache {
  private readonly reports = new Map<string, WasmReport>();

  constructor(private readonly capacity = 256) {}

  /** Fills the cache from `load` (off-thread or persisted reports) so that get() need not inspect here. */
  async warm(module: StoredModule, load: ((module: StoredModule) => Promise<WasmReport | undefined>) | undefined): Promise<void> {
    if (!load || this.reports.has(module.wasmSha256)) return;
    const report = await load(module);
    if (report) this.remember(module.wasmSha256, report);
  }

  private remember(digest: string, report: WasmReport): void {
    if (this.reports.size >= this.capacity) this.reports.delete(this.reports.keys().next().value!);
    this.reports.set(digest, report);
  }

  get(module: StoredModule): WasmReport | undefined {
    const cached = this.reports.get(module.wasmSha256);
    if (cached) return cached;
    const inspected = inspectWasm(module.wasm);
    if (!inspected.ok) return undefined;
    if (this.reports.size >= this.capacity) this.reports.delete(this.reports.keys().next().value!);
    this.reports.set(module.wasmSha256, inspected.value);
    return inspected.value;
  }
}
