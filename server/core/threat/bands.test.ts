import { describe, it, expect } from 'vitest';
import { bandFor, ZBandsSchema } from './bands';

const bands = { low: 0, medium: 30, high: 60, quarantine: 85 } as const;

describe('bandFor', () => {
  it.each([
    [0, 'low'],
    [29, 'low'],
    [30, 'medium'],
    [59, 'medium'],
    [60, 'high'],
    [84, 'high'],
    [85, 'quarantine'],
    [100, 'quarantine'],
    [-5, 'low'],
  ] as const)('score %d is %s (thresholds are inclusive)', (score, band) => {
    expect(bandFor(score, bands)).toBe(band);
  });

  it('fails closed into quarantine for a score that is not a number', () => {
    expect(bandFor(Number.NaN, bands)).toBe('quarantine');
    expect(bandFor(Number.POSITIVE_INFINITY, bands)).toBe('quarantine');
  });
});

describe('ZBandsSchema', () => {
  it('requires low to be 0 and the bands to climb', () => {
    const r = ZBandsSchema.safeParse({ low: 5, medium: 30, high: 30, quarantine: 20 });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['low']));
    const climbing = ZBandsSchema.safeParse({ low: 0, medium: 30, high: 30, quarantine: 20 });
    expect(climbing.error?.issues.map((i) => i.path.join('.'))).toEqual(['high', 'quarantine']);
  });
});
