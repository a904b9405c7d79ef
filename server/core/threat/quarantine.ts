import type { Band } from './bands';
import type { TThreatConfig } from './config';

/** Matches the `source` column of the quarantine table. */
export type QuarantineSource = 'post_exec' | 'threat';

/** The parts of a post-exec verdict quarantine looks at (structurally a guardian Verdict). */
export interface PostOutcome {
  readonly decision: 'allow' | 'deny';
  readonly rules: readonly { readonly id: string; readonly outcome: 'pass' | 'fail' | 'skip' | 'would_fail' }[];
}

export interface QuarantineInput {
  /** Band from scoreThreat for this module, when it was scored. */
  readonly band?: Band;
  /** The post-exec verdict, when the module ran. */
  readonly post?: PostOutcome;
  /** Earlier post-exec failures of this module (the threat history's count, before this run). */
  readonly priorPostFailures?: number;
}

export type QuarantineDecision =
  | { readonly quarantine: false }
  | { readonly quarantine: true; readonly source: QuarantineSource; readonly reason: string };

const count = (n: number | undefined): number => (n !== undefined && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

/**
 * Whether the caller must quarantine the module. Quarantine blocks a module for everyone, so it is
 * kept for what signals danger; an ordinary failure (a trap, a usage error's exit code 1) only
 * denies that run. Triggers, all from the policy's threat block, behaviour first:
 * 1. `quarantine_on_post_failure`: any denied post-exec verdict (the old, blunt default);
 * 2. `quarantine_on_rules`: a failed post rule listed there (forbidden output, refused calls);
 * 3. `quarantine_after_post_failures`: this failure makes N post-exec failures of the module;
 * 4. a threat score in the `quarantine` band.
 */
export function shouldQuarantine(config: TThreatConfig, input: QuarantineInput): QuarantineDecision {
  const post = input.post;
  if (post?.decision === 'deny') {
    if (config.quarantine_on_post_failure) {
      return { quarantine: true, source: 'post_exec', reason: 'The run failed a post-exec check, and this policy quarantines on any post-exec failure.' };
    }
    const dangerous = post.rules.filter((r) => r.outcome === 'fail' && config.quarantine_on_rules.includes(r.id)).map((r) => r.id);
    if (dangerous.length > 0) {
      return {
        quarantine: true,
        source: 'post_exec',
        reason: `The run failed ${dangerous.join(', ')}, which this policy treats as a sign of danger.`,
      };
    }
    const after = config.quarantine_after_post_failures;
    const total = count(input.priorPostFailures) + 1;
    if (after !== null && total >= after) {
      return {
        quarantine: true,
        source: 'post_exec',
        reason: `This module has now failed post-exec checks ${total} times; this policy quarantines at ${after}.`,
      };
    }
  }
  if (input.band === 'quarantine') {
    return { quarantine: true, source: 'threat', reason: 'The threat score reached the quarantine band.' };
  }
  return { quarantine: false };
}
