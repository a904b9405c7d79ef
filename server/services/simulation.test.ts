/**
 * Simulation on a seeded history: real runs through the governor, then candidate policies judged
 * against their records. Covers allow → deny from a tighter limit (fuel: deterministic) and from a
 * withdrawn capability, deny → allow, threat band changes from re-weighted signals, output_patterns
 * reading the stored output, a missing module version reported rather than guessed, the window,
 * and the PRO gate.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { HELLO, variant } from '../core/sandbox/test-modules';
import { candidatePolicy } from './test-policy';
import { openHarness, type Harness } from './test-fixtures';
import { installProLicense } from './test-license';
import { simulateOverHistory } from './simulation';

const STDIO = ['stdout', 'stderr', 'exit'] as const;
const policy = candidatePolicy;

describe('policy simulation over recorded runs', () => {
  let h: Harness;
  let fuelUsed = 0;
  beforeAll(async () => {
    h = openHarness();
    const hello = h.install(variant(HELLO, 'sim-hello'), { name: 'hello', capabilities: [...STDIO] });
    const clocky = h.install(variant(HELLO, 'sim-clock'), { name: 'clocky', capabilities: [...STDIO, 'clock'] });
    for (let i = 0; i < 3; i++) {
      const r = await h.services.governor.run(hello, {}, 'test:operator');
      if (!r.ok) throw new Error(r.message);
      fuelUsed = r.value.record.execution!.used.fuel;
    }
    for (let i = 0; i < 2; i++) {
      const r = await h.services.governor.run(clocky, {}, 'test:operator');
      if (!r.ok) throw new Error(r.message);
    }
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('is a PRO feature: refused on community with the feature named', () => {
    const r = simulateOverHistory(h.services, h.services.policy.policy);
    expect(r).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED', message: expect.stringContaining('policy_simulation') });
    installProLicense(h.services);
  });

  it('the policy in force changes nothing', () => {
    const r = simulateOverHistory(h.services, h.services.policy.policy);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.runs).toBe(5);
    expect(r.value.counts).toMatchObject({ allowToDeny: 0, denyToAllow: 0, unchanged: 5, unknown: 0, bandChanges: 0 });
    expect(r.value.changes).toEqual([]);
  });

  it('a fuel limit below what the runs used: allow → deny (out_of_fuel), rule and module named', () => {
    const r = simulateOverHistory(h.services, policy((p) => (p.limits.fuel = fuelUsed - 1)));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.counts).toMatchObject({ allowToDeny: 5, unchanged: 0, unknown: 0 });
    expect(r.value.rules.map((x) => x.id)).toContain('outcome_allowed');
    expect(r.value.modules.map((m) => [m.name, m.allowToDeny]).sort()).toEqual([['clocky', 2], ['hello', 3]]);
    expect(r.value.changes[0]).toMatchObject({ from: 'allow', to: 'deny' });
  });

  it('a withdrawn capability denies only the module that asked for it, before running', () => {
    const r = simulateOverHistory(h.services, policy((p) => (p.capabilities = p.capabilities.filter((c: string) => c !== 'clock'))));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.counts).toMatchObject({ allowToDeny: 2, unchanged: 3 });
    expect(r.value.rules).toEqual([{ id: 'capabilities_allowed', newlyFailing: 2, noLongerFailing: 0 }]);
    expect(r.value.modules.map((m) => m.name)).toEqual(['clocky']);
  });

  it('re-weighted threat signals change bands, and a lower deny_at denies by threat_threshold', () => {
    const r = simulateOverHistory(h.services, policy((p) => {
      p.threat.weights.requested_capabilities = 40; // clocky asks for one extra capability
      p.pre.threat_threshold.deny_at = 35;
    }));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.counts.bandChanges).toBeGreaterThanOrEqual(2);
    expect(r.value.rules.find((x) => x.id === 'threat_threshold')?.newlyFailing).toBe(2);
    expect(r.value.counts.allowToDeny).toBe(2);
  });

  it('output_patterns reads the stored output: a pattern the runs printed denies them', () => {
    const r = simulateOverHistory(h.services, policy((p) => (p.post.output_patterns.deny = ['hello, world'])));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.counts.allowToDeny).toBe(5);
    expect(r.value.rules[0]).toMatchObject({ id: 'output_patterns', newlyFailing: 5 });
  });

  it('deny → allow when a run denied under the old policy would pass the candidate', async () => {
    const tight = simulateOverHistory(h.services, policy((p) => (p.post.exit_code.allowed = [1])));
    if (!tight.ok) throw new Error(tight.message);
    expect(tight.value.counts.allowToDeny).toBe(5);
    // Runs denied in the record: simulate a candidate that accepts what the record refused.
    h.services.handle.sqlite.prepare("UPDATE runs SET decision = 'deny' WHERE module_name = 'hello'").run();
    const loose = simulateOverHistory(h.services, h.services.policy.policy);
    if (!loose.ok) throw new Error(loose.message);
    expect(loose.value.counts.denyToAllow).toBe(3);
    h.services.handle.sqlite.prepare("UPDATE runs SET decision = 'allow' WHERE module_name = 'hello'").run();
  });

  it('a module version that is gone is reported as not recorded, never guessed; the window limits the runs', () => {
    const r = simulateOverHistory(h.services, h.services.policy.policy, { last: 2 });
    if (!r.ok) throw new Error(r.message);
    expect(r.value.runs).toBe(2);
    expect(simulateOverHistory(h.services, h.services.policy.policy, { since: new Date(Date.now() + 60_000) })).toMatchObject({ ok: true, value: { runs: 0, range: null } });
    expect(simulateOverHistory(h.services, h.services.policy.policy, { last: 0 })).toMatchObject({ ok: false, code: 'WINDOW_INVALID' });
    h.services.handle.sqlite.pragma('foreign_keys = OFF');
    h.services.handle.sqlite.prepare("UPDATE module_versions SET manifest_json = '{' WHERE name = 'clocky'").run();
    const gone = simulateOverHistory(h.services, h.services.policy.policy);
    if (!gone.ok) throw new Error(gone.message);
    expect(gone.value.counts).toMatchObject({ unknown: 2, unchanged: 3 });
    expect(gone.value.notRecorded).toEqual([{ fact: 'the module version (no longer stored)', runs: 2 }]);
    expect(gone.value.changes.every((c) => c.unknownBecause === 'its module version is no longer stored')).toBe(true);
  });
});

describe('recommendations over recorded runs', () => {
  it('community: refused; PRO: each recommendation carries its simulation, and nothing is applied', async () => {
    const { recommendFromHistory } = await import('./simulation');
    const h = openHarness();
    try {
      const hello = h.install(variant(HELLO, 'rec'), { name: 'hello', capabilities: [...STDIO] });
      for (let i = 0; i < 20; i++) {
        const r = await h.services.governor.run(hello, {}, 'test:operator');
        if (!r.ok) throw new Error(r.message);
      }
      expect(recommendFromHistory(h.services)).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED', message: expect.stringContaining('policy_recommendations') });
      installProLicense(h.services);
      const before = JSON.stringify(h.services.policy.policy);
      const recs = recommendFromHistory(h.services);
      if (!recs.ok) throw new Error(recs.message);
      const fuel = recs.value.find((r) => r.id === 'limits.fuel');
      expect(fuel?.simulation).toMatchObject({ runs: 20, counts: { allowToDeny: 0, unchanged: 20 } });
      expect(recs.value.find((r) => r.id === 'capabilities')?.to).toEqual(['stdout', 'stderr', 'exit']);
      expect(JSON.stringify(h.services.policy.policy)).toBe(before);
    } finally {
      await h.services.close();
    }
  });
});
