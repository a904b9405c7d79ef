import type { Capability, TLimits, TManifest } from '../module/manifest';
import type { WasmReport } from '../wasm/report';

/** Capabilities every ordinary program needs; requesting them is not a risk signal. */
export const BASELINE_CAPABILITIES: readonly Capability[] = ['stdout', 'stderr', 'exit'];

/**
 * Plain facts the scorer needs. Services compute them (trust store, history tables, inspector);
 * the scorer only weighs them, so it stays pure and table-testable.
 */
export interface ThreatFacts {
  /** True only when verification passed AND at least one signer is a trusted key. */
  readonly signerTrusted: boolean;
  /** True when this wasm digest has never been seen before by this installation. */
  readonly firstSeenDigest: boolean;
  readonly hasStartSection: boolean;
  /** Sum of all custom section sizes reported by the inspector. */
  readonly customSectionBytes: number;
  readonly requestedCapabilities: readonly Capability[];
  /** Manifest request vs the policy cap. */
  readonly memory: { readonly requestedPages: number; readonly capPages: number };
  readonly fuel: { readonly requested: number; readonly cap: number };
  /**
   * Set when the same name (and version lineage) was accepted before with a different digest:
   * the code changed since the last accepted version. Null when there is no earlier version or
   * the digest is unchanged.
   */
  readonly hashDrift: {
    readonly previousSha256: string;
    readonly previousSizeBytes: number;
    readonly sizeBytes: number;
  } | null;
  /** Count of earlier post-exec failures of a module with this name. */
  readonly priorPostFailures: number;
  /** Count of recent earlier runs of this name in which the sandbox refused calls outside the grant. */
  readonly priorCapabilityDenials: number;
}

/** What only the services know: trust, history. Everything else comes from the manifest and the inspector. */
export interface ThreatHistory {
  readonly signerTrusted: boolean;
  readonly firstSeenDigest: boolean;
  readonly hashDrift: ThreatFacts['hashDrift'];
  readonly priorPostFailures: number;
  readonly priorCapabilityDenials: number;
}

/**
 * Builds the facts from the manifest, the inspector report and the policy caps, so every caller
 * derives the module-shaped facts the same way.
 */
export function threatFactsFrom(manifest: TManifest, report: WasmReport, caps: TLimits, history: ThreatHistory): ThreatFacts {
  return {
    ...history,
    hasStartSection: report.startFunction !== null,
    customSectionBytes: report.customSectionTotals.sizeBytes,
    requestedCapabilities: manifest.capabilities,
    memory: { requestedPages: manifest.limits.memoryPages, capPages: caps.memoryPages },
    fuel: { requested: manifest.limits.fuel, cap: caps.fuel },
  };
}
