import { bandFor, type Band } from './bands';
import { SIGNAL_IDS, type SignalId, type TThreatConfig } from './config';
import { BASELINE_CAPABILITIES, type ThreatFacts } from './facts';

export interface ThreatSignal {
  readonly id: SignalId;
  readonly label: string;
  /** Weight from the policy (per unit for counted signals). */
  readonly weight: number;
  readonly fired: boolean;
  /** Points this signal adds to the score: 0 when not fired. */
  readonly contribution: number;
  readonly explanation: string;
}

export interface ThreatAssessment {
  /** min(100, sum of contributions of fired signals); an integer. */
  readonly score: number;
  readonly band: Band;
  readonly signals: readonly ThreatSignal[];
}

interface Evaluated {
  readonly label: string;
  /** How many times the weight applies; 0 means not fired. */
  readonly units: number;
  readonly explanation: string;
}

type Evaluator = (facts: ThreatFacts, config: TThreatConfig) => Evaluated;

const count = (n: number): number => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);
const percentOf = (part: number, whole: number): number => (whole > 0 ? Math.round((part / whole) * 100) : 100);

const EVALUATORS: Record<SignalId, Evaluator> = {
  unknown_signer: (f) => ({
    label: 'Unknown signer',
    units: f.signerTrusted ? 0 : 1,
    explanation: f.signerTrusted
      ? 'The module is signed by a key in the trust store.'
      : 'No trusted key vouches for this module (unsigned, unknown key, or verification failed).',
  }),
  first_seen_digest: (f) => ({
    label: 'First time seen',
    units: f.firstSeenDigest ? 1 : 0,
    explanation: f.firstSeenDigest
      ? 'This exact code has never been seen here before.'
      : 'This exact code has been seen here before.',
  }),
  start_section: (f) => ({
    label: 'Runs code on load',
    units: f.hasStartSection ? 1 : 0,
    explanation: f.hasStartSection
      ? 'The module has a start function that runs as soon as it is loaded.'
      : 'The module has no start function.',
  }),
  large_custom_sections: (f, c) => {
    const limit = c.settings.large_custom_sections_bytes;
    const fired = count(f.customSectionBytes) > limit;
    return {
      label: 'Large hidden data',
      units: fired ? 1 : 0,
      explanation: `The module carries ${count(f.customSectionBytes)} bytes of custom sections; the threshold is ${limit}.`,
    };
  },
  requested_capabilities: (f) => {
    const extra = [...new Set(f.requestedCapabilities)].filter((cap) => !BASELINE_CAPABILITIES.includes(cap));
    return {
      label: 'Extra capabilities',
      units: extra.length,
      explanation: extra.length
        ? `The module asks for ${extra.length} capabilities beyond output and exit: ${extra.join(', ')}.`
        : 'The module asks only for output and exit.',
    };
  },
  memory_near_cap: (f, c) => {
    const pct = percentOf(f.memory.requestedPages, f.memory.capPages);
    return {
      label: 'Memory near cap',
      units: pct >= c.settings.near_cap_percent ? 1 : 0,
      explanation: `The module asks for ${f.memory.requestedPages} memory pages, ${pct}% of the cap of ${f.memory.capPages} (threshold ${c.settings.near_cap_percent}%).`,
    };
  },
  fuel_near_cap: (f, c) => {
    const pct = percentOf(f.fuel.requested, f.fuel.cap);
    return {
      label: 'Fuel near cap',
      units: pct >= c.settings.near_cap_percent ? 1 : 0,
      explanation: `The module asks for ${f.fuel.requested} fuel, ${pct}% of the cap of ${f.fuel.cap} (threshold ${c.settings.near_cap_percent}%).`,
    };
  },
  hash_drift: (f) => {
    const d = f.hashDrift;
    if (d === null) {
      return { label: 'Code changed', units: 0, explanation: 'The code matches the last accepted version, or there is none.' };
    }
    const delta = d.sizeBytes - d.previousSizeBytes;
    return {
      label: 'Code changed',
      units: 1,
      explanation: `The code changed since the last accepted version (was ${d.previousSha256.slice(0, 12)}…, size ${delta >= 0 ? '+' : ''}${delta} bytes).`,
    };
  },
  prior_post_failures: (f, c) => {
    const n = count(f.priorPostFailures);
    const counted = Math.min(n, c.settings.prior_post_failures_max_count);
    return {
      label: 'Earlier failed runs',
      units: counted,
      explanation: n
        ? `Earlier runs of this module failed post-exec checks ${n} times (${counted} counted, at most ${c.settings.prior_post_failures_max_count}).`
        : 'No earlier run of this module failed post-exec checks.',
    };
  },
  prior_capability_denials: (f, c) => {
    const n = count(f.priorCapabilityDenials);
    const counted = Math.min(n, c.settings.prior_capability_denials_max_count);
    return {
      label: 'Earlier refused calls',
      units: counted,
      explanation: n
        ? `In ${n} recent earlier run(s) this module called WASI functions outside its grant, which the sandbox refused (${counted} counted, at most ${c.settings.prior_capability_denials_max_count}).`
        : 'No recent earlier run of this module called anything outside its grant.',
    };
  },
};

/**
 * Transparent score: every signal is listed, fired or not, with the points it adds, so a reader can
 * redo the sum by hand. score = min(100, Σ contribution of fired signals).
 */
export function scoreThreat(config: TThreatConfig, facts: ThreatFacts): ThreatAssessment {
  const signals = SIGNAL_IDS.map((id): ThreatSignal => {
    const weight = config.weights[id];
    const e = EVALUATORS[id](facts, config);
    const contribution = e.units * weight;
    return { id, label: e.label, weight, fired: e.units > 0, contribution, explanation: e.explanation };
  });
  const total = signals.reduce((sum, s) => sum + s.contribution, 0);
  const score = Math.min(100, total);
  return { score, band: bandFor(score, config.bands), signals };
}
