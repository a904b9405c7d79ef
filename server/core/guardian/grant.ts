import { CAPABILITIES, tableElementsOf, type Capability, type TEffectiveLimits, type TManifest } from '../module/manifest';
import type { TPolicy } from './schema';

export interface EffectiveGrant {
  /** policy ∩ manifest request, in canonical CAPABILITIES order. */
  readonly capabilities: readonly Capability[];
  /**
   * min(policy cap, manifest request) for each limit. The one source of truth for limits: the
   * pre-exec rules judge against these numbers and the sandbox enforces exactly these numbers.
   */
  readonly limits: TEffectiveLimits;
  /** Allow-listed environment variable names; only these may be passed to the guest. */
  readonly env: readonly string[];
}

/**
 * What a run actually gets. Never more than the policy allows, never more than the module asked
 * for: a module that did not request a capability does not get it even when the policy would allow it.
 */
export function effectiveGrant(policy: TPolicy, manifest: TManifest): EffectiveGrant {
  const requested = new Set(manifest.capabilities);
  return {
    capabilities: CAPABILITIES.filter((c) => requested.has(c) && policy.capabilities.includes(c)),
    limits: {
      fuel: Math.min(policy.limits.fuel, manifest.limits.fuel),
      memoryPages: Math.min(policy.limits.memoryPages, manifest.limits.memoryPages),
      wallMs: Math.min(policy.limits.wallMs, manifest.limits.wallMs),
      outputBytes: Math.min(policy.limits.outputBytes, manifest.limits.outputBytes),
      tableElements: Math.min(tableElementsOf(policy.limits), tableElementsOf(manifest.limits)),
    },
    env: [...policy.env],
  };
}
