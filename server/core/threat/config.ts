import { z } from 'zod';
import { ZBandsSchema } from './bands';

/** Every signal the scorer knows. Adding one means adding a weight, a fact, and a doc entry. */
export const SIGNAL_IDS = [
  'unknown_signer',
  'first_seen_digest',
  'start_section',
  'large_custom_sections',
  'requested_capabilities',
  'memory_near_cap',
  'fuel_near_cap',
  'hash_drift',
  'prior_post_failures',
  'prior_capability_denials',
] as const;
export type SignalId = (typeof SIGNAL_IDS)[number];

const weight = z.number().int().min(0).max(100);

/** Defaults are the shipped default policy's values, so a policy that omits `threat` still scores sanely. */
export const ZThreatWeightsSchema = z.strictObject({
  unknown_signer: weight.default(50),
  first_seen_digest: weight.default(10),
  start_section: weight.default(10),
  large_custom_sections: weight.default(10),
  /** Per requested capability beyond stdout/stderr/exit. */
  requested_capabilities: weight.default(5),
  memory_near_cap: weight.default(10),
  fuel_near_cap: weight.default(5),
  hash_drift: weight.default(20),
  /** Per earlier post-exec failure, counted up to settings.prior_post_failures_max_count. */
  prior_post_failures: weight.default(15),
  /** Per recent earlier run in which the sandbox refused calls outside the grant (escape attempts). */
  prior_capability_denials: weight.default(20),
});
export type TThreatWeights = z.infer<typeof ZThreatWeightsSchema>;

export const ZThreatSettingsSchema = z.strictObject({
  /** Custom sections totalling more than this many bytes fire `large_custom_sections`. */
  large_custom_sections_bytes: z.number().int().min(0).default(65536),
  /** A request at or above this percentage of the policy cap fires memory_near_cap / fuel_near_cap. */
  near_cap_percent: z.number().int().min(1).max(100).default(90),
  /** Stops a long failure history from counting without bound. */
  prior_post_failures_max_count: z.number().int().min(1).max(100).default(3),
  /** Most earlier runs with refused calls that `prior_capability_denials` counts. */
  prior_capability_denials_max_count: z.number().int().min(1).max(100).default(3),
});
export type TThreatSettings = z.infer<typeof ZThreatSettingsSchema>;

export const ZThreatConfigSchema = z.strictObject({
  weights: ZThreatWeightsSchema.prefault({}),
  settings: ZThreatSettingsSchema.prefault({}),
  bands: ZBandsSchema.prefault({}),
  /** When true, a run whose post-exec verdict denies (any rule) puts the module in quarantine. */
  quarantine_on_post_failure: z.boolean().default(true),
  /**
   * Post-exec rules whose failure alone quarantines (e.g. output_patterns, denied_calls): the ones
   * that signal danger rather than an ordinary failure. Names are checked against the post rules
   * where the policy is parsed (guardian/schema.ts), which this module cannot import.
   */
  quarantine_on_rules: z.array(z.string().regex(/^[a-z_]{1,64}$/)).max(32).default([]),
  /** Quarantine when this run fails post-exec and that makes N failures of the module in all. Null: never. */
  quarantine_after_post_failures: z.number().int().min(1).max(100).nullable().default(null),
});
export type TThreatConfig = z.infer<typeof ZThreatConfigSchema>;
