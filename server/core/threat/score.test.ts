import { describe, it, expect } from 'vitest';
import { ZThreatConfigSchema, SIGNAL_IDS, type SignalId } from './config';
import type { ThreatFacts } from './facts';
import { threatFactsFrom } from './facts';
import { scoreThreat } from './score';

/** Distinct weights so a wrong signal cannot produce the right sum by accident. */
const config = ZThreatConfigSchema.parse({
  weights: {
    unknown_signer: 41,
    first_seen_digest: 2,
    start_section: 3,
    large_custom_sections: 5,
    requested_capabilities: 7,
    memory_near_cap: 11,
    fuel_near_cap: 13,
    hash_drift: 17,
    prior_post_failures: 19,
    prior_capability_denials: 23,
  },
  settings: { large_custom_sections_bytes: 1000, near_cap_percent: 90, prior_post_failures_max_count: 2, prior_capability_denials_max_count: 2 },
  bands: { low: 0, medium: 30, high: 60, quarantine: 85 },
});

/** Nothing fires. */
const calm: ThreatFacts = {
  signerTrusted: true,
  firstSeenDigest: false,
  hasStartSection: false,
  customSectionBytes: 10,
  requestedCapabilities: ['stdout', 'stderr', 'exit'],
  memory: { requestedPages: 1, capPages: 16 },
  fuel: { requested: 10, cap: 1000 },
  hashDrift: null,
  priorPostFailures: 0,
  priorCapabilityDenials: 0,
};

const drift = { previousSha256: 'b'.repeat(64), previousSizeBytes: 1000, sizeBytes: 1500 };

/** One fact change per signal, firing exactly one unit of it. */
const FIRE_ONE: Record<SignalId, Partial<ThreatFacts>> = {
  unknown_signer: { signerTrusted: false },
  first_seen_digest: { firstSeenDigest: true },
  start_section: { hasStartSection: true },
  large_custom_sections: { customSectionBytes: 1001 },
  requested_capabilities: { requestedCapabilities: ['stdout', 'clock'] },
  memory_near_cap: { memory: { requestedPages: 15, capPages: 16 } },
  fuel_near_cap: { fuel: { requested: 900, cap: 1000 } },
  hash_drift: { hashDrift: drift },
  prior_post_failures: { priorPostFailures: 1 },
  prior_capability_denials: { priorCapabilityDenials: 1 },
};

describe('scoreThreat', () => {
  it('scores 0 and lists every signal, none fired, when nothing is risky', () => {
    const a = scoreThreat(config, calm);
    expect(a.score).toBe(0);
    expect(a.band).toBe('low');
    expect(a.signals.map((s) => s.id)).toEqual(SIGNAL_IDS);
    expect(a.signals.every((s) => !s.fired && s.contribution === 0 && s.explanation.length > 0)).toBe(true);
  });

  it.each(SIGNAL_IDS)('%s alone contributes exactly its weight', (id) => {
    const a = scoreThreat(config, { ...calm, ...FIRE_ONE[id] });
    expect(a.signals.filter((s) => s.fired).map((s) => s.id)).toEqual([id]);
    expect(a.score).toBe(config.weights[id]);
  });

  it('equals the sum of the weights of the fired signals', () => {
    const facts = { ...calm, ...FIRE_ONE.first_seen_digest, ...FIRE_ONE.start_section, ...FIRE_ONE.hash_drift, ...FIRE_ONE.fuel_near_cap };
    const a = scoreThreat(config, facts);
    expect(a.score).toBe(2 + 3 + 17 + 13);
    expect(a.score).toBe(a.signals.reduce((sum, s) => sum + s.contribution, 0));
    expect(a.band).toBe('medium');
  });

  it('is capped at 100', () => {
    const all = Object.values(FIRE_ONE).reduce<ThreatFacts>((f, change) => ({ ...f, ...change }), calm);
    const a = scoreThreat(config, all);
    expect(a.signals.reduce((sum, s) => sum + s.contribution, 0)).toBe(41 + 2 + 3 + 5 + 7 + 11 + 13 + 17 + 19 + 23);
    expect(a.score).toBe(100);
    expect(a.band).toBe('quarantine');
  });

  it('counts each capability beyond stdout/stderr/exit, once', () => {
    const a = scoreThreat(config, { ...calm, requestedCapabilities: ['stdout', 'args', 'clock', 'random', 'clock'] });
    const s = a.signals.find((x) => x.id === 'requested_capabilities');
    expect(s?.contribution).toBe(3 * 7);
    expect(s?.explanation).toBe('The module asks for 3 capabilities beyond output and exit: args, clock, random.');
  });

  it('counts prior post failures up to the configured maximum', () => {
    const a = scoreThreat(config, { ...calm, priorPostFailures: 5 });
    const s = a.signals.find((x) => x.id === 'prior_post_failures');
    expect(s?.contribution).toBe(2 * 19);
    expect(s?.explanation).toMatch(/failed post-exec checks 5 times \(2 counted, at most 2\)/);
  });

  it('counts earlier runs with refused calls up to the configured maximum', () => {
    const a = scoreThreat(config, { ...calm, priorCapabilityDenials: 7 });
    const s = a.signals.find((x) => x.id === 'prior_capability_denials');
    expect(s?.contribution).toBe(2 * 23);
    expect(s?.explanation).toMatch(/In 7 recent earlier run\(s\) this module called WASI functions outside its grant.*\(2 counted, at most 2\)/);
    expect(scoreThreat(config, { ...calm, priorCapabilityDenials: Number.NaN }).score).toBe(0);
  });

  it('fires near-cap signals at the threshold, not below', () => {
    const at = scoreThreat(config, { ...calm, memory: { requestedPages: 9, capPages: 10 } });
    const below = scoreThreat(config, { ...calm, memory: { requestedPages: 8, capPages: 10 } });
    expect(at.signals.find((s) => s.id === 'memory_near_cap')?.fired).toBe(true);
    expect(below.signals.find((s) => s.id === 'memory_near_cap')?.fired).toBe(false);
  });

  it('explains hash drift with the size delta', () => {
    const s = scoreThreat(config, { ...calm, hashDrift: drift }).signals.find((x) => x.id === 'hash_drift');
    expect(s?.explanation).toBe('The code changed since the last accepted version (was bbbbbbbbbbbb…, size +500 bytes).');
  });

  it('lands exactly on band boundaries', () => {
    const bands = ZThreatConfigSchema.parse({ weights: { first_seen_digest: 30, start_section: 30, hash_drift: 25 } });
    const s1 = scoreThreat(bands, { ...calm, firstSeenDigest: true });
    const s2 = scoreThreat(bands, { ...calm, firstSeenDigest: true, hasStartSection: true });
    const s3 = scoreThreat(bands, { ...calm, firstSeenDigest: true, hasStartSection: true, hashDrift: drift });
    expect([s1.score, s1.band]).toEqual([30, 'medium']);
    expect([s2.score, s2.band]).toEqual([60, 'high']);
    expect([s3.score, s3.band]).toEqual([85, 'quarantine']);
  });
});

describe('threatFactsFrom', () => {
  it('derives module facts from manifest, report and caps', () => {
    const manifest = {
      format: 'nightcore.module/v1', name: 'm', version: '1.0.0', tenant: 't', description: '', entry: '_start',
      capabilities: ['stdout', 'clock'], limits: { fuel: 95, memoryPages: 2, wallMs: 10, outputBytes: 10 },
      wasm: { sha256: 'a'.repeat(64) },
    } as const;
    const report = {
      sizeBytes: 10, version: 1, imports: [], exports: [], memories: [], tables: [], globalCount: 0, startFunction: 3,
      customSections: [{ name: 'a', sizeBytes: 600 }, { name: 'b', sizeBytes: 500 }], importedFunctionCount: 0,
      customSectionTotals: { count: 2, sizeBytes: 1100 },
      functionCount: 0, codeSizeBytes: 0, dataSizeBytes: 0, dataSegmentCount: 0,
    };
    const facts = threatFactsFrom({ ...manifest, capabilities: [...manifest.capabilities] }, report,
      { fuel: 100, memoryPages: 16, wallMs: 10, outputBytes: 10 },
      { signerTrusted: true, firstSeenDigest: false, hashDrift: null, priorPostFailures: 0, priorCapabilityDenials: 0 });
    expect(facts.hasStartSection).toBe(true);
    expect(facts.customSectionBytes).toBe(1100);
    expect(facts.fuel).toEqual({ requested: 95, cap: 100 });
    const a = scoreThreat(config, facts);
    expect(a.signals.filter((s) => s.fired).map((s) => s.id)).toEqual(['start_section', 'large_custom_sections', 'requested_capabilities', 'fuel_near_cap']);
    expect(a.score).toBe(3 + 5 + 7 + 13);
  });
});
