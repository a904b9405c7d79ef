/**
 * Recommendations: tighter limits and grants proposed from recorded runs, each with its evidence
 * (counts and percentiles) and the candidate policy that would apply it. Nothing is applied: a
 * recommendation becomes a proposal only when a person submits its candidate (docs/simulation.md).
 * Pure: the caller supplies the runs and the policy in force, then simulates each candidate.
 *
 * What it can and cannot see: fuel, peak memory and wall time are recorded for every executed run;
 * which capabilities a run was GRANTED is recorded, but which ones it CALLED is not (only refused
 * calls are). So a capability is recommended for removal only when no recorded run was granted it,
 * and every recommendation says so rather than claiming "never called".
 */
import type { DecisionRecord } from './decision-record';
import type { TPolicy } from './schema';

/** Lower a limit only when the largest use is at most this share of it (the "2 % of budget"). */
export const USE_SHARE_THRESHOLD = 0.02;
/** The new limit keeps this much headroom over the largest use seen. */
export const HEADROOM = 4;
/** Fewer runs than this are not evidence enough to tighten anything. */
export const MIN_RUNS = 20;

export interface Evidence {
  readonly runs: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly limit: number;
}

export interface Recommendation {
  readonly id: string;
  readonly field: string;
  readonly title: string;
  /** Plain sentences: what was seen and why the change is proposed. */
  readonly explanation: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly evidence: Evidence | { readonly runs: number; readonly granted: number };
  /** The policy in force with only this change (revision + 1), ready to simulate and submit. */
  readonly candidate: TPolicy;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const roundUp = (n: number, step: number) => Math.max(step, Math.ceil(n / step) * step);

type LimitKey = 'fuel' | 'memoryPages' | 'wallMs';
const LIMITS: readonly { key: LimitKey; used: (r: DecisionRecord) => number; words: string; step: number; approximate: boolean }[] = [
  { key: 'fuel', used: (r) => r.execution!.used.fuel, words: 'fuel (instructions)', step: 1000, approximate: false },
  { key: 'memoryPages', used: (r) => r.execution!.used.peakMemoryPages, words: 'memory pages', step: 1, approximate: false },
  { key: 'wallMs', used: (r) => r.execution!.used.wallMs, words: 'milliseconds of wall time', step: 100, approximate: true },
];

export function recommendFromRuns(policy: TPolicy, records: Iterable<DecisionRecord>): Recommendation[] {
  const used: Record<LimitKey, number[]> = { fuel: [], memoryPages: [], wallMs: [] };
  const grantedCount = new Map<string, number>();
  let total = 0;
  for (const r of records) {
    total++;
    for (const cap of r.granted.capabilities) grantedCount.set(cap, (grantedCount.get(cap) ?? 0) + 1);
    if (!r.execution) continue;
    for (const l of LIMITS) used[l.key].push(l.used(r));
  }
  const next = (change: Partial<TPolicy>): TPolicy => ({ ...policy, ...change, revision: policy.revision + 1 });
  const out: Recommendation[] = [];
  for (const l of LIMITS) {
    const xs = used[l.key].sort((a, b) => a - b);
    if (xs.length < MIN_RUNS) continue;
    const limit = policy.limits[l.key];
    const max = xs[xs.length - 1]!;
    if (max > limit * USE_SHARE_THRESHOLD) continue;
    const to = roundUp(max * HEADROOM, l.step);
    if (to >= limit) continue;
    const evidence: Evidence = { runs: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99), max, limit };
    const share = ((max / limit) * 100).toFixed(2);
    out.push({
      id: `limits.${l.key}`,
      field: `limits.${l.key}`,
      title: `Lower limits.${l.key} from ${limit} to ${to}`,
      explanation:
        `In ${xs.length} executed runs the largest use was ${max} ${l.words} (${share}% of the limit ${limit}; p50 ${evidence.p50}, p95 ${evidence.p95}, p99 ${evidence.p99}). ` +
        `The proposed limit keeps ${HEADROOM}x headroom over that maximum.` +
        (l.approximate ? ' Wall time varies with load, so this one is approximate.' : ''),
      from: limit,
      to,
      evidence,
      candidate: next({ limits: { ...policy.limits, [l.key]: to } }),
    });
  }
  if (total >= MIN_RUNS) {
    const unused = policy.capabilities.filter((c) => !grantedCount.has(c));
    if (unused.length > 0) {
      out.push({
        id: 'capabilities',
        field: 'capabilities',
        title: `Withdraw ${unused.join(', ')} from the policy's capabilities`,
        explanation:
          `No run of the ${total} recorded was granted ${unused.join(', ')} (no module asked for ${unused.length === 1 ? 'it' : 'them'}). ` +
          'Which granted capabilities a run actually called is not recorded (only refused calls are), so this proposes only what nobody was granted.',
        from: policy.capabilities,
        to: policy.capabilities.filter((c) => !unused.includes(c)),
        evidence: { runs: total, granted: 0 },
        candidate: next({ capabilities: policy.capabilities.filter((c) => !unused.includes(c)) }),
      });
    }
  }
  return out;
}
