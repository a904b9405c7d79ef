import type { Band } from './bands';
import type { TThreatConfig } from './config';

/** Matches the `source` column of the quarantine table. */
export type QuarantineSource = 'post_exec' | 'threat';

export interface QuarantineInput {
  /** Band from scoreThreat for this module, when it was scored. */
  readonly band?: Band;
  /** Decision of the post-exec verdict, when the module ran. */
  readonly postDecision?: 'allow' | 'deny';
}

export type QuarantineDecision =
  | { readonly quarantine: false }
  | { readonly quarantine: true; readonly source: QuarantineSource; readonly reason: string };

/**
 * Whether the caller must quarantine the module. Two triggers, both from the policy's threat block:
 * a score in the `quarantine` band, and (if quarantine_on_post_failure) a denied post-exec verdict.
 * A post-exec failure is reported first because it is evidence of behaviour, not just of risk.
 */
export function shouldQuarantine(config: TThreatConfig, input: QuarantineInput): QuarantineDecision {
  if (input.postDecision === 'deny' && config.quarantine_on_post_failure) {
    return { quarantine: true, source: 'post_exec', reason: 'The run failed a post-exec check, and this policy quarantines on post-exec failure.' };
  }
  if (input.band === 'quarantine') {
    return { quarantine: true, source: 'threat', reason: 'The threat score reached the quarantine band.' };
  }
  return { quarantine: false };
}
