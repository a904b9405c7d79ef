/** Recommendations from recorded facts: only with enough runs, only when use is at most 2 % of a limit, never a capability someone was granted. */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicyText } from './schema';
import { percentile, recommendFromRuns, MIN_RUNS } from './recommend';
import type { DecisionRecord } from './decision-record';

const policyText = readFileSync(join(__dirname, '..', '..', '..', 'policies', 'default.json'), 'utf8');
const parsed = parsePolicyText(policyText);
if (!parsed.ok) throw new Error(parsed.message);
const POLICY = parsed.value; // fuel 1e9, memoryPages 1024, wallMs 5000

const record = (fuel: number, pages: number, wallMs: number, caps: string[] = ['stdout', 'exit']): DecisionRecord =>
  ({ granted: { capabilities: caps }, execution: { used: { fuel, peakMemoryPages: pages, wallMs, outputBytes: 0 } } }) as unknown as DecisionRecord;

describe('recommendFromRuns', () => {
  it('percentiles are nearest-rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99), percentile(xs, 100)]).toEqual([50, 95, 99, 100]);
  });

  it('too few runs: nothing is recommended', () => {
    expect(recommendFromRuns(POLICY, Array.from({ length: MIN_RUNS - 1 }, () => record(1000, 1, 1)))).toEqual([]);
  });

  it('fuel never above 2 % of the limit: lower it to 4x the largest use, with the evidence; the candidate changes only that', () => {
    const runs = Array.from({ length: 100 }, (_, i) => record(1_000_000 + i * 10_000, 600, 3000, ['stdout', 'stderr', 'exit', 'args', 'environ', 'stdin', 'clock', 'random']));
    const recs = recommendFromRuns(POLICY, runs);
    expect(recs.map((r) => r.id)).toEqual(['limits.fuel']); // memory (600/1024) and wall (3000/5000) are well used
    const fuel = recs[0]!;
    expect(fuel.evidence).toEqual({ runs: 100, p50: 1_490_000, p95: 1_940_000, p99: 1_980_000, max: 1_990_000, limit: 1_000_000_000 });
    expect(fuel.to).toBe(7_960_000);
    expect(fuel.explanation).toContain('0.20% of the limit');
    expect(fuel.candidate.limits).toEqual({ ...POLICY.limits, fuel: 7_960_000 });
    expect(fuel.candidate.revision).toBe(POLICY.revision + 1);
    expect(fuel.candidate.capabilities).toEqual(POLICY.capabilities);
  });

  it('a use just above 2 % is left alone', () => {
    expect(recommendFromRuns(POLICY, Array.from({ length: 50 }, () => record(20_000_001, 600, 3000, [...POLICY.capabilities]))).map((r) => r.id)).toEqual([]);
  });

  it('capabilities nobody was granted are proposed for withdrawal, saying calls are not recorded', () => {
    const recs = recommendFromRuns(POLICY, Array.from({ length: 30 }, () => record(500_000_000, 600, 3000, ['stdout', 'stderr', 'exit', 'args'])));
    const caps = recs.find((r) => r.id === 'capabilities')!;
    expect(caps.to).toEqual(['args', 'stdout', 'stderr', 'exit']);
    expect(caps.explanation).toContain('not recorded');
    expect(caps.candidate.capabilities).toEqual(['args', 'stdout', 'stderr', 'exit']);
  });
});
