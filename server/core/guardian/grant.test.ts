import { describe, it, expect } from 'vitest';
import { effectiveGrant } from './grant';
import { makeManifest, policy } from './test-fixtures';

describe('effectiveGrant', () => {
  it('grants the intersection of policy and request, in canonical order', () => {
    const p = policy({ capabilities: ['exit', 'stdout', 'clock'] });
    const g = effectiveGrant(p, makeManifest({ capabilities: ['random', 'clock', 'stdout'] }));
    expect(g.capabilities).toEqual(['stdout', 'clock']);
  });

  it('takes the smaller of policy cap and manifest request for every limit', () => {
    // Policy caps: fuel 10_000_000, memoryPages 16, wallMs 2000, outputBytes 65536.
    const g = effectiveGrant(policy(), makeManifest({ limits: { fuel: 50_000_000, memoryPages: 4, wallMs: 9000, outputBytes: 100 } }));
    expect(g.limits).toEqual({ fuel: 10_000_000, memoryPages: 4, wallMs: 2000, outputBytes: 100, tableElements: 65_536 });
  });

  it('passes only the policy env allow-list, as a copy', () => {
    const p = policy({ env: ['LANG'] });
    const g = effectiveGrant(p, makeManifest());
    expect(g.env).toEqual(['LANG']);
    expect(g.env).not.toBe(p.env);
    expect(effectiveGrant(policy(), makeManifest()).env).toEqual([]);
  });
});
